"""Start-up list imports: i-Lab, Next40/120 (name resolution), generic CSV, bad input."""

from __future__ import annotations

import csv
import json

import pytest

from vivier.warehouse import open_warehouse

ILAB = "startups/i-lab/fr-esr-laureats-concours-national-i-lab_sans-donnees-personnelles.csv"
NEXT40 = "startups/french-tech-next40-120/French Tech 40_120 - {year}.csv"


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def ilab_head(samples, tmp_path):
    """The header and the first 40 records of the real i-Lab file (multi-line fields kept)."""
    with (samples / ILAB).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[:41]
    path = tmp_path / "ilab-extrait.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    return path, rows


def _members(settings, label):
    with open_warehouse(settings, read_only=True) as connection:
        return connection.execute(
            "SELECT siren, name, description, domain, region, year, valid_from, confidence "
            "FROM startup_members WHERE label = ? ORDER BY siren",
            [label],
        ).fetchall()


def test_ilab_full_file(cli, samples, settings):
    result = cli("startups", "import", samples / ILAB, "--label", "ilab")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "3923 lignes lues, 2408 start-up enregistrées, 939 rejetées" in out
    assert "ligne 3 : SIREN absent" in out
    members = {row[0]: row for row in _members(settings, "ilab")}
    zebra = members["988494795"]
    assert zebra[1] == "ZebraMed" and "poisson zèbre" in zebra[2]
    assert zebra[3] == "Pharmacie & biotechnologies" and zebra[4] == "11"
    assert (zebra[5], str(zebra[6]), zebra[7]) == (2025, "2025-01-01", 1.0)
    twice = members["433202850"]  # laureate in 1999 and 2000: one row, both texts
    assert (twice[5], str(twice[6])) == (1999, "1999-01-01")
    assert "Matériaux polymères" in twice[2] and "Création d'une structure" in twice[2]
    assert twice[3] == "Biotechnologies et pharmacie ; Chimie et matériaux" or twice[3] == (
        "Chimie et matériaux ; Biotechnologies et pharmacie"
    )
    again = cli("startups", "import", samples / ILAB, "--label", "ilab")
    assert again.exit_code == 0
    assert len(_members(settings, "ilab")) == 2408  # replaced, not duplicated


def test_ilab_latin1_and_bad_lines(cli, ilab_head, tmp_path, settings):
    path, rows = ilab_head
    rows = [list(row) for row in rows]
    rows[5][14] = "42338844"  # SIREN too short (line numbers shift with multi-line fields)
    latin = tmp_path / "ilab-latin1.csv"
    with latin.open("w", encoding="cp1252", errors="replace", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
        handle.write("C9905019,1999,mauvais séparateur\r\n")
    result = cli("startups", "import", latin, "--label", "ilab-test")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "latin-1" in out
    assert "SIREN de longueur incorrecte (9 chiffres attendus) : « 42338844 »" in out
    rejects = (settings.home / "rejets" / "ilab-test-rejets.csv").read_text(encoding="utf-8")
    assert "1 champ(s) au lieu de 23" in rejects and "mauvais séparateur" in rejects
    expected = {row[14] for row in rows[1:] if len(row[14]) == 9}
    assert {row[0] for row in _members(settings, "ilab-test")} == expected
    assert any("é" in (row[2] or "") for row in _members(settings, "ilab-test"))


def test_missing_siren_column(cli, tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("numero;nom\n908595879;SEVERNAYA\n", encoding="utf-8")
    result = cli("startups", "import", path, "--label", "x", "--format", "csv")
    assert result.exit_code == 1
    assert "ligne 1" in flat(result.stderr) and "siren" in flat(result.stderr)
    auto = cli("startups", "import", path, "--label", "x")
    assert auto.exit_code == 1 and "SIREN introuvable" in flat(auto.stderr)


def test_generic_csv(cli, tmp_path, settings):
    path = tmp_path / "liste.csv"
    path.write_text(
        "siren,label,valid_from,valid_to,description\n"
        "908595879,,2024-01-01,2024-12-31,Conseil en données\n"
        "123456789,,,,clé fausse\n"
        "880878145,autre-liste,01/03/2023,,\n"
        "843701079,,2024-13-01,,date fausse\n",
        encoding="utf-8",
    )
    result = cli("startups", "import", path, "--label", "pilote")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "ligne 3 : SIREN invalide" in out and "ligne 5 : date illisible" in out
    assert "autre-liste, pilote" in out
    listed = json.loads(cli("startups", "list", "--json").stdout)["startups"]
    assert {(s["siren"], tuple(s["labels"])) for s in listed} == {
        ("908595879", ("pilote",)),
        ("880878145", ("autre-liste",)),
    }
    assert set(listed[0]) >= {"siren", "name", "labels"}
    only = json.loads(cli("startups", "list", "--label", "pilote", "--json").stdout)
    assert [s["siren"] for s in only["startups"]] == ["908595879"]


def test_next40_resolution_and_review(cli, samples, settings):
    cli("startups", "import", samples / ILAB, "--label", "ilab")
    folder = samples / "sirene" / "recherche-entreprises"
    cli("companies", "import", folder / "search-Ganymede.json")
    result = cli("startups", "import", samples / NEXT40.format(year=2021), "--label", "ft-2021")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "119 lignes lues" in out and "à vérifier : 112" in out
    members = {row[1]: row for row in _members(settings, "ft-2021")}
    assert members["Sigfox"][0] == "514582444" and members["Sigfox"][7] == 1.0
    assert str(members["Sigfox"][6]) == "2021-01-01"
    review = (settings.home / "revue" / "ft-2021-a-verifier.csv").read_text(encoding="utf-8")
    assert "Back Market" in review
    assert len(members) == 7


def test_ambiguous_names_never_assigned(cli, samples, tmp_path, settings):
    folder = samples / "sirene" / "recherche-entreprises"
    cli("companies", "import", folder / "search-Ganymede.json")
    cli("companies", "import", folder / "search-130025265.json")
    names = tmp_path / "noms.csv"
    names.write_text("name,website\nGanymede,x\nDirection interministerielle du numerique,y\n")
    result = cli("startups", "import", names, "--label", "noms", "--format", "next40")
    assert result.exit_code == 0, result.output
    assert [row[0] for row in _members(settings, "noms")] == ["130025265"]
    review = (settings.home / "revue" / "noms-a-verifier.csv").read_text(encoding="utf-8")
    assert "plusieurs entreprises possibles" in review and review.count("Ganymede") >= 2


def test_show_every_definition(cli, samples):
    cli("startups", "import", samples / ILAB, "--label", "ilab")
    result = cli("startups", "show", "988494795", "--date", "2025-06-01")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "registry (v1) : OUI" in out and "criteria (v1) : non" in out
    assert "registry-or-criteria (v1) : OUI" in out
    data = json.loads(cli("startups", "show", "988494795", "--json").stdout)
    assert {v["definition"] for v in data["verdicts"]} >= {"registry", "criteria"}
    bad = cli("startups", "show", "988494795", "--date", "demain")
    assert bad.exit_code == 1 and "date illisible" in flat(bad.stderr)
