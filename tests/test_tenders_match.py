"""`vivier match tenders SIREN` and `vivier tenders list` on the bundled samples."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vivier.cli import app
from vivier.config import load_settings
from vivier.warehouse import open_warehouse

SAMPLES = Path(__file__).parents[1] / "src" / "vivier" / "demo_data"
STARTUP = "552032534"  # a valid SIREN, given a software profile below
EIFFAGE = "398762211"  # winner of lot 1 in the legacy TED award notice 18-412273


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("match") / "home"
    files = sorted((SAMPLES / "ted-eforms").glob("*/*.xml")) + sorted(
        (SAMPLES / "ted-eforms" / "ted-xml-converter-fr").glob("*/*.xml")
    )
    files += sorted((SAMPLES / "boamp").glob("*/*"))
    result = CliRunner().invoke(app, ["--home", str(home), "ingest", *map(str, files)])
    assert result.exit_code == 0, result.output
    with open_warehouse(load_settings(home=home)) as connection:
        connection.execute(
            "INSERT INTO startup_members (label, siren, name, description, domain, region) "
            "VALUES ('test', ?, 'Logiciels Démo', ?, 'numérique', 'Île-de-France')",
            [
                STARTUP,
                "Nous développons des logiciels et des services informatiques, "
                "applications et infrastructures numériques.",
            ],
        )
    return home


def run(home: Path, *args: str):
    return CliRunner().invoke(app, ["--home", str(home), *args])


def test_match_tenders_ranks_open_lots_with_reasons(home):
    result = run(home, "match", "tenders", STARTUP, "--open-on", "2020-12-20", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "Logiciels Démo"
    matches = data["matches"]
    assert matches
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    for match in matches:
        deadline = datetime.fromisoformat(match["lot"]["deadline"])
        assert deadline.date() >= date(2020, 12, 20)  # open on the reference date
        assert match["lot"]["status"] == "open"
        assert match["reasons"]
    top = matches[0]
    assert top["signals"]["text"] == 1.0
    assert top["reasons"][0].startswith("Mots en commun avec votre profil")


def test_match_tenders_uses_past_awards_cpv(home):
    result = run(home, "match", "tenders", EIFFAGE, "--open-on", "2023-12-19", "--json")
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)["matches"]
    with_cpv = [m for m in matches if m["signals"]["cpv"] > 0]
    assert with_cpv
    assert any("CPV proche" in reason for reason in with_cpv[0]["reasons"])


def test_match_tenders_text_output_is_french(home):
    result = run(home, "match", "tenders", STARTUP, "--open-on", "2020-12-20", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert "Appels d'offres ouverts au 20/12/2020 pour Logiciels Démo" in result.stdout
    assert "Date limite" in result.stdout


def test_match_tenders_bad_input(home):
    bad = run(home, "match", "tenders", "123456789")
    assert bad.exit_code == 1 and "SIREN invalide" in bad.stderr
    unknown = run(home, "match", "tenders", "732829320", "--open-on", "2020-01-01")
    assert unknown.exit_code == 1 and "Rien n'est connu" in unknown.stderr
    bad_date = run(home, "match", "tenders", STARTUP, "--open-on", "20/12/2020")
    assert bad_date.exit_code == 1 and "Date invalide" in bad_date.stderr


def test_tenders_list_counts_and_filter(home):
    result = run(home, "tenders", "list", "--open-on", "2017-01-20", "--json", "--limit", "500")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sum(data["counts"].values()) == len(data["lots"])
    only_open = run(
        home,
        "tenders",
        "list",
        "--open-on",
        "2017-01-20",
        "--status",
        "open",
        "--json",
        "--limit",
        "500",
    )
    lots = json.loads(only_open.stdout)["lots"]
    assert len(lots) == data["counts"]["open"]
    assert {lot["status"] for lot in lots} == {"open"}
    text = run(home, "tenders", "list", "--open-on", "2017-01-20", "--limit", "3")
    assert text.stdout.startswith("Lots au 20/01/2017 :")
    assert "[boamp:" in text.stdout or "[ted:" in text.stdout


def test_match_tenders_through_the_matching_engine(home, tmp_path):
    """With an index built (`vivier index`), the lots are ranked by MatchEngine.rank_texts."""
    import shutil

    from vivier.match.engine import MatchEngine

    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    settings = load_settings(home=copy)
    MatchEngine.build(settings, model_name="none").save(settings)
    engine = run(copy, "match", "tenders", STARTUP, "--open-on", "2020-12-20", "--json")
    plain = run(home, "match", "tenders", STARTUP, "--open-on", "2020-12-20", "--json")
    assert engine.exit_code == 0, engine.output
    ranked = json.loads(engine.stdout)["matches"]
    assert ranked
    assert "bm25" in ranked[0]["signals"]  # the engine's signals, not the local ones
    assert "text" in json.loads(plain.stdout)["matches"][0]["signals"]
    assert {m["lot"]["status"] for m in ranked} == {"open"}
    assert any(reason.startswith("Date limite") for reason in ranked[0]["reasons"])


def test_demo_example_picks_a_described_startup(home):
    from vivier.match.tenders import best_example
    from vivier.warehouse import tenders as wt

    settings = load_settings(home=home)
    with open_warehouse(settings, read_only=True) as connection:
        day = wt.busiest_day(connection)
        french_open = [
            lot
            for lot in wt.list_tenders(connection, day, status="open")
            if lot["region"] is not None
        ]
    assert day is not None and french_open
    ranking = best_example(settings, date(2020, 12, 20))
    assert ranking is not None and ranking.siren == STARTUP  # the only described start-up
    assert ranking.matches[0].reasons


def test_tenders_show_gives_raw_values_and_flags(home):
    result = run(home, "tenders", "show", "boamp:17-40964|1", "--open-on", "2017-04-01", "--json")
    assert result.exit_code == 0, result.output
    lot = json.loads(result.stdout)
    assert lot["status"] == "open" and lot["estimated_value"] == 3200000.0
    assert lot["value_raw"] == "3200000" and lot["format"] == "boamp-xml"
    assert {(f["field"], f["reason"]) for f in lot["flags"]} >= {("title", "title_missing")}
    text = run(home, "tenders", "show", "boamp:17-40964|1")
    assert "signalement : title — title_missing" in text.stdout
    missing = run(home, "tenders", "show", "boamp:0|1")
    assert missing.exit_code == 1 and "Aucun lot" in missing.stderr
