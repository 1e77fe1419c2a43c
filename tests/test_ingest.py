"""`vivier ingest`, `quality`, `export` end to end through the CLI, on the real samples."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from vivier.pipeline.ingest import POST_INGEST_HOOKS, demo_files, demo_step, ingest_paths

TABLES = (
    "contracts",
    "contract_sources",
    "contract_suppliers",
    "modifications",
    "flags",
    "rejects",
    "ingest_files",
)


def counts(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}


def query(home: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def test_json_summary_is_exactly_as_documented(cli, samples: Path, home: Path) -> None:
    path = samples / "decp-2019/data.gouv.fr_pes.json"
    result = cli("ingest", "--json", path)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary == {
        "files": [
            {
                "path": str(path),
                "format": "decp-2019",
                "read": 1148,
                "loaded": 1140,
                "rejected": 0,
                "duplicates": 8,
            }
        ]
    }
    assert counts(home)["contracts"] == 1140
    assert counts(home)["contract_sources"] == 1148  # every publication keeps its provenance


def test_rejects_are_stored_with_reason_and_raw_text(cli, samples: Path, home: Path) -> None:
    result = cli("ingest", "--json", samples / "decp-2019/data.gouv.fr_aife.json")
    file_summary = json.loads(result.stdout)["files"][0]
    assert file_summary["read"] == 4530
    assert file_summary["rejected"] == 8
    assert file_summary["loaded"] + file_summary["duplicates"] + 8 == 4530
    rows = query(home, "SELECT reason, raw FROM rejects ORDER BY record_index")
    assert len(rows) == 8
    assert all(raw.startswith("{") and reason for reason, raw in rows)


def test_same_contract_from_two_sources_loaded_once(cli, samples, fixtures, home) -> None:
    decp = samples / "decp-ocds/source/001_marche_simple.json"
    ocds = fixtures / "decp-ocds/expectedResult/001_marche_simple.json"
    result = cli("ingest", "--json", decp, ocds)
    files = json.loads(result.stdout)["files"]
    assert [(f["format"], f["loaded"], f["duplicates"]) for f in files] == [
        ("decp-2019", 1, 0),
        ("decp-ocds", 0, 1),
    ]
    uid = "20001318300021|2018MAPA20180500"
    assert query(home, "SELECT count(*) FROM contracts WHERE uid = ?", [uid]) == [(1,)]
    provenance = query(home, "SELECT source FROM contract_sources WHERE uid = ? ORDER BY 1", [uid])
    assert provenance == [("decp-2019",), ("decp-ocds",)]


def test_reingesting_the_same_file_loads_nothing_twice(cli, samples, home, tmp_path) -> None:
    path = samples / "decp-2024/marches_concessions.json"
    assert cli("ingest", path).exit_code == 0
    before = counts(home)
    copy = tmp_path / "copie.json"  # same content under another name
    copy.write_bytes(path.read_bytes())
    result = cli("ingest", "--json", path, copy)
    assert result.exit_code == 0
    assert [f["loaded"] for f in json.loads(result.stdout)["files"]] == [0, 0]
    assert counts(home) == before
    assert "déjà chargé" in cli("ingest", path).stdout


def test_modifications_keep_the_initial_amount(cli, samples, home) -> None:
    cli("ingest", samples / "decp-2024/marches_avec_modifications.json")
    rows = query(
        home,
        "SELECT c.amount, m.amount FROM contracts c JOIN modifications m USING (uid) "
        "WHERE uid = '21750001630040|TEST2022Bis'",
    )
    assert rows == [(575000.0, 123457.87)]


def _bad_files(tmp_path: Path, samples: Path) -> dict[str, tuple[Path, str]]:
    aife = (samples / "decp-2019/data.gouv.fr_aife.json").read_bytes()
    truncated = tmp_path / "tronque.json"
    truncated.write_bytes(aife[: len(aife) // 2])
    empty = tmp_path / "vide.json"
    empty.write_bytes(b"")
    png = tmp_path / "image.json"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08")
    csv_path = samples / "decp-consolidated-csv/decp_2024H2_travaux_cpv4521_filtered.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()[:50]
    semicolon = tmp_path / "point-virgule.csv"
    semicolon.write_text("\n".join(line.replace(",", ";") for line in lines), encoding="utf-8")
    xml = tmp_path / "tronque.xml"
    xml.write_bytes((samples / "decp-2024/Marche.xml").read_bytes()[:1500])
    return {
        "truncated": (truncated, "tronqué"),
        "empty": (empty, "vide"),
        "png": (png, "non reconnu"),
        "semicolon": (semicolon, "séparateur"),
        "xml": (xml, "tronqué"),
    }


@pytest.mark.parametrize("case", ["truncated", "empty", "png", "semicolon", "xml"])
def test_bad_files_give_a_french_error_and_change_nothing(cli, samples, home, tmp_path, case):
    assert cli("ingest", samples / "decp-2024/Marche.xml").exit_code == 0
    before = counts(home)
    path, words = _bad_files(tmp_path, samples)[case]
    result = cli("ingest", path)
    assert result.exit_code == 1
    assert str(path) in result.stderr and words in result.stderr
    assert "Traceback" not in result.output
    assert counts(home) == before


def test_truncated_file_says_where_it_broke(cli, samples, tmp_path) -> None:
    path, _ = _bad_files(tmp_path, samples)["truncated"]
    result = cli("ingest", path)
    assert "octet" in result.stderr and "enregistrements" in result.stderr


def test_good_files_load_even_when_another_fails(cli, samples, home, tmp_path) -> None:
    bad, _ = _bad_files(tmp_path, samples)["truncated"]
    result = cli("ingest", "--json", samples / "decp-2024/concessions.json", bad)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["loaded"] == 2
    assert counts(home)["contracts"] == 2


def test_format_option(cli, samples, tmp_path) -> None:
    renamed = tmp_path / "donnees.bin"
    renamed.write_bytes((samples / "decp-2019/decp_test_2019.json").read_bytes())
    result = cli("ingest", "--json", "--format", "decp-2019", renamed)
    assert json.loads(result.stdout)["files"][0]["loaded"] == 2
    wrong = cli("ingest", "--format", "excel", renamed)
    assert wrong.exit_code == 1 and "Format inconnu" in wrong.stderr


def test_zip_of_2019_json(cli, samples, tmp_path) -> None:
    import zipfile

    archive = tmp_path / "decp.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(samples / "decp-2019/e-marchespublics.json", "e-marchespublics.json")
    result = cli("ingest", "--json", archive)
    summary = json.loads(result.stdout)["files"][0]
    assert (summary["format"], summary["read"]) == ("decp-2019", 470)


def test_quality_report_and_parquet_export(cli, samples, home, tmp_path) -> None:
    cli(
        "ingest",
        samples / "decp-2019/data.gouv.fr_aife.json",
        samples / "decp-2024/decp_test_2022.json",
    )
    report = cli("quality")
    assert report.exit_code == 0
    assert "Source data.gouv.fr_aife" in report.stdout
    assert "SIREN valide" in report.stdout and "accents détruits" in report.stdout
    data = json.loads(cli("quality", "--json").stdout)
    aife = next(s for s in data["sources"] if s["source"] == "data.gouv.fr_aife")
    assert aife["flags"]["text_garbled"] > 0 and 0 < aife["suppliers_valid_siren_pct"] < 100
    assert sum(r["count"] for r in data["rejects"]) == 8
    out = tmp_path / "parquet"
    assert cli("export", "--format", "parquet", out).exit_code == 0
    table = pq.read_table(out / "contracts.parquet")
    assert table.num_rows == counts(home)["contracts"]
    assert "amount_raw" in table.column_names


def test_quality_without_warehouse_is_a_french_error(cli) -> None:
    result = cli("quality")
    assert result.exit_code == 1 and "vivier ingest" in result.stderr


def test_post_ingest_hooks_run_once_per_ingest(settings, samples) -> None:
    seen = []
    POST_INGEST_HOOKS.append(lambda connection: seen.append(connection))
    try:
        ingest_paths(settings, [samples / "decp-2024/concessions.json"])
    finally:
        POST_INGEST_HOOKS.pop()
    assert len(seen) == 1


def test_demo_step_loads_every_bundled_decp_file(settings, samples) -> None:
    lines = list(demo_step(settings))
    assert len(demo_files(samples)) == 23
    assert lines[0].startswith("DECP : 23 fichiers")
    assert not any(line.startswith("Erreur") for line in lines)


def test_parallel_sharded_ingest_matches_in_process(samples, tmp_path, monkeypatch) -> None:
    from vivier.config import load_settings
    from vivier.pipeline import ingest as pipeline

    path = samples / "decp-2019/data.gouv.fr_aife.json"
    serial = ingest_paths(load_settings(home=tmp_path / "serial", ingest_workers=1), [path])
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    home = tmp_path / "parallel"
    parallel = ingest_paths(load_settings(home=home, ingest_workers=2), [path])
    assert parallel.as_json()["files"][0] == serial.as_json()["files"][0]
    assert counts(home) == counts(tmp_path / "serial")


def test_parallel_ingest_of_a_truncated_file_is_rolled_back(samples, tmp_path, monkeypatch):
    from vivier.config import load_settings
    from vivier.pipeline import ingest as pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    bad, _ = _bad_files(tmp_path, samples)["truncated"]
    home = tmp_path / "home"
    report = ingest_paths(load_settings(home=home, ingest_workers=2), [bad])
    assert report.files == [] and "tronqué" in str(report.errors[0])
    assert counts(home)["contracts"] == 0 and counts(home)["ingest_files"] == 0
