"""`vivier ingest` on every TED / BOAMP sample: nothing lost, status, awards, duplicates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from vivier.warehouse import open_warehouse
from vivier.warehouse import tenders as wt

SAMPLES = Path(__file__).parents[1] / "src" / "vivier" / "demo_data"
FIXTURES = Path(__file__).parent / "fixtures"


def tender_files() -> list[Path]:
    return (
        sorted((FIXTURES / "ted-eforms" / "sdk-examples").glob("*.xml"))
        + sorted((SAMPLES / "ted-eforms").glob("*/*.xml"))
        + sorted((SAMPLES / "ted-eforms" / "ted-xml-converter-fr").glob("*/*.xml"))
        + sorted((SAMPLES / "boamp").glob("*/*"))
    )


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from typer.testing import CliRunner

    from vivier.cli import app
    from vivier.config import load_settings

    home = tmp_path_factory.mktemp("tenders") / "home"
    files = tender_files()
    result = CliRunner().invoke(app, ["--home", str(home), "ingest", "--json", *map(str, files)])
    assert result.exit_code == 0, result.output
    return load_settings(home=home), json.loads(result.stdout), files


def test_every_notice_is_loaded_rejected_or_a_duplicate(loaded):
    settings, summary, files = loaded
    assert len(summary["files"]) == len(files)
    for entry in summary["files"]:
        assert entry["read"] >= 1, entry
        assert entry["read"] == entry["loaded"] + entry["rejected"] + entry["duplicates"], entry
    with open_warehouse(settings, read_only=True) as connection:
        loaded_count = connection.execute("SELECT count(*) FROM tender_notices").fetchone()[0]
        rejects = connection.execute("SELECT reason FROM rejects").fetchall()
    assert loaded_count == sum(entry["loaded"] for entry in summary["files"])
    assert len(rejects) == sum(entry["rejected"] for entry in summary["files"])
    assert all(reason for (reason,) in rejects)


def test_same_notice_in_two_formats_is_a_duplicate(loaded):
    _, summary, _ = loaded
    by_name = {Path(entry["path"]).name + entry["format"]: entry for entry in summary["files"]}
    # the legacy TED notice and its eForms conversion share the publication number
    assert by_name["19-090974-001-EXP.xmlted-legacy"]["duplicates"] == 1
    # 20-152081 is both a full API v1 notice and an entry of the ad.json index
    assert by_name["ad.jsonboamp-json"]["duplicates"] == 1


def test_status_relative_to_a_reference_date(loaded):
    settings, _, _ = loaded
    with open_warehouse(settings, read_only=True) as connection:
        before = wt.tender_counts(connection, date(2017, 2, 1))
        after = wt.tender_counts(connection, date(2030, 1, 1))
        paris = [
            row
            for row in wt.list_tenders(connection, date(2017, 2, 7))
            if row["notice_uid"] == "boamp:16-186394"
        ]
        total = connection.execute("SELECT count(*) FROM tenders").fetchone()[0]
        early = {row["notice_uid"] for row in wt.list_tenders(connection, date(2017, 1, 20))}
        later = wt.list_tenders(connection, date(2017, 3, 27), status="open")
    assert after.get("open", 0) == 0
    assert before["open"] > 0
    assert sum(before.values()) < sum(after.values()) <= total
    assert {row["status"] for row in paris} == {"open"}  # deadline is that very day
    assert {row["region"] for row in paris} == {"11"}
    # published on 27/03/2017: absent before that day, open on it
    assert "boamp:17-40964" not in early
    assert "boamp:17-40964" in {row["notice_uid"] for row in later}


def test_award_notices_feed_contracts_and_suppliers(loaded):
    settings, _, _ = loaded
    with open_warehouse(settings, read_only=True) as connection:
        contract = connection.execute(
            "SELECT source, amount, notification_date, cpv FROM contracts "
            "WHERE contract_id = '18.008.1'"
        ).fetchone()
        suppliers = connection.execute(
            "SELECT s.siret, s.siren FROM contract_suppliers s JOIN contracts c USING (uid) "
            "WHERE c.contract_id = '18.008.1' ORDER BY s.position"
        ).fetchall()
        boamp = connection.execute(
            "SELECT count(*) FROM contracts WHERE source = 'boamp'"
        ).fetchone()[0]
    assert contract == ("ted", pytest.approx(4625137.40), date(2018, 8, 23), "45234116")
    assert suppliers == [("39876221100298", "398762211"), ("40268299100102", "402682991")]
    assert boamp > 0


def test_flags_name_what_is_missing(loaded):
    settings, _, _ = loaded
    with open_warehouse(settings, read_only=True) as connection:
        flags = connection.execute(
            "SELECT uid, field, reason FROM flags WHERE entity IN ('tender', 'tender_notice')"
        ).fetchall()
    reasons = {reason for _, _, reason in flags}
    assert {"cpv_missing", "deadline_missing", "buyer_id_missing"} <= reasons
    assert all(uid.startswith(("ted:", "boamp:")) for uid, _, _ in flags)


def test_reingesting_is_a_no_op(loaded):
    from typer.testing import CliRunner

    from vivier.cli import app

    settings, _, files = loaded

    def count() -> int:
        with open_warehouse(settings, read_only=True) as connection:
            return connection.execute("SELECT count(*) FROM tenders").fetchone()[0]

    before = count()
    result = CliRunner().invoke(app, ["--home", str(settings.home), "ingest", str(files[-1])])
    assert result.exit_code == 0
    assert "déjà chargé" in result.stdout
    assert count() == before


def test_cpv_prefix_matches_whole_codes_only(settings):
    with open_warehouse(settings) as connection:
        connection.execute(
            "INSERT INTO tenders (uid, notice_uid, lot_id, kind, title, cpv, cpv_additional, "
            "deadline) VALUES "
            "('a|1', 'a', '1', 'competition', 'A', '45000000', '45723000', '2030-01-01'), "
            "('b|1', 'b', '1', 'competition', 'B', '45000000', '45100000 72200000', "
            "'2030-01-01')"
        )
        found = wt.search_lots(connection, date(2029, 1, 1), cpv_prefixes=["72"])
    assert [lot["uid"] for lot in found] == ["b|1"]  # not '45723000', which holds '72'


def test_search_words_are_literal(settings):
    with open_warehouse(settings) as connection:
        connection.execute(
            "INSERT INTO tenders (uid, notice_uid, lot_id, kind, title, deadline) VALUES "
            "('a|1', 'a', '1', 'competition', 'Réduction de 100% des déchets', '2030-01-01'), "
            "('b|1', 'b', '1', 'competition', 'Réduction de 1000 tonnes', '2030-01-01')"
        )
        percent = wt.search_lots(connection, date(2029, 1, 1), words=["100%"])
        folded = wt.search_lots(connection, date(2029, 1, 1), words=["reduction", "dechets"])
    assert [lot["uid"] for lot in percent] == ["a|1"]  # '%' is not a wildcard
    assert [lot["uid"] for lot in folded] == ["a|1"]  # accents and case ignored
