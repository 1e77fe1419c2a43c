"""Framed JSON fast path (`sources.linejson`): same warehouse as the streaming reader."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import orjson
import pytest

from vivier.config import load_settings
from vivier.pipeline import ingest as pipeline
from vivier.pipeline.ingest import ingest_paths
from vivier.sources import linejson

TABLES = {
    "contracts": "* EXCLUDE (file_id)",
    "contract_suppliers": "*",
    "modifications": "*",
    "flags": "*",
    "contract_sources": "* EXCLUDE (file_id)",
    "rejects": "* EXCLUDE (file_id)",
}
SAMPLES = [
    ("decp-2019", "decp-2019/data.gouv.fr_aife.json"),
    ("decp-2019", "decp-2019/mar-avec-modifications.json"),
    ("decp-2024-json", "decp-2024/marches_concessions.json"),
    ("decp-2024-json", "decp-2024/concessions_avec_modifications.json"),
    ("decp-2024-json", "decp-2024/decp_test_2022.json"),
]


def contents(home: Path) -> dict[str, list]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {
            table: sorted(map(repr, con.execute(f"SELECT {columns} FROM {table}").fetchall()))
            for table, columns in TABLES.items()
        }


def streaming_only(monkeypatch) -> None:
    def not_framed(path, fmt, chunk_bytes=None):
        raise linejson.NotFramed("test")

    monkeypatch.setattr(linejson, "plan", not_framed)


def ingest(home: Path, path: Path, workers: int = 1):
    return ingest_paths(load_settings(home=home, ingest_workers=workers), [path])


def framed_copy(source: Path, target: Path, fmt: str, extra: list[bytes] = ()) -> Path:
    """The same records, one per line (the national exports' shape), plus `extra` lines."""
    data = json.loads(source.read_text(encoding="utf-8"))
    lists = {"": data["marches"]} if fmt == "decp-2019" else data["marches"]
    bodies = {
        key: b"[\n" + b",\n".join([orjson.dumps(item) for item in items] + list(extra)) + b"\n]"
        for key, items in lists.items()
    }
    if fmt == "decp-2019":
        target.write_bytes(b'{"marches": ' + bodies[""] + b"}\n")
    else:
        inner = b", ".join(f'"{key}": '.encode() + body for key, body in bodies.items())
        target.write_bytes(b'{"marches": {' + inner + b"}}\n")
    return target


@pytest.mark.parametrize(("fmt", "name"), SAMPLES)
def test_framed_path_loads_the_samples_like_the_streaming_reader(
    samples, tmp_path, monkeypatch, fmt, name
) -> None:
    source = samples / name
    assert linejson.plan(source, fmt).chunks  # pretty-printed samples are framed too
    framed = ingest(tmp_path / "framed", source)
    streaming_only(monkeypatch)
    streamed = ingest(tmp_path / "streamed", source)
    assert framed.as_json() == streamed.as_json() and not framed.errors
    assert contents(tmp_path / "framed") == contents(tmp_path / "streamed")


@pytest.mark.parametrize(("fmt", "name"), SAMPLES[:1] + SAMPLES[2:3])
def test_framed_chunks_in_workers_give_the_same_warehouse(
    samples, tmp_path, monkeypatch, fmt, name
) -> None:
    path = framed_copy(samples / name, tmp_path / "lines.json", fmt)
    monkeypatch.setattr(linejson, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    assert len(linejson.plan(path, fmt).chunks) > (3 if fmt == "decp-2019" else 1)
    framed = ingest(tmp_path / "framed", path, workers=2)
    streaming_only(monkeypatch)
    streamed = ingest(tmp_path / "streamed", path)
    assert framed.as_json()["files"][0] | {"path": ""} == streamed.as_json()["files"][0] | {
        "path": ""
    }
    assert not framed.errors
    assert contents(tmp_path / "framed") == contents(tmp_path / "streamed")


def _record(number: int, objet: str) -> bytes:
    return orjson.dumps(
        {"id": f"M{number}", "acheteur": {"id": "21750001600019"}, "objet": objet, "montant": 10}
    )


def test_first_occurrence_in_the_file_wins_across_chunks(tmp_path, monkeypatch) -> None:
    lines = [_record(n, f"objet {n}") for n in range(40)] + [_record(3, "doublon tardif")]
    path = tmp_path / "dup.json"
    path.write_bytes(b'{"marches": {"marche": [\n' + b",\n".join(lines) + b"\n]}}\n")
    monkeypatch.setattr(linejson, "CHUNK_BYTES", 300)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    assert len(linejson.plan(path, "decp-2024-json").chunks) > 5
    report = ingest(tmp_path / "home", path, workers=2)
    assert report.as_json()["files"][0]["duplicates"] == 1
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as con:
        objet = con.execute("SELECT object FROM contracts WHERE contract_id = 'M3'").fetchall()
        indices = con.execute("SELECT record_index FROM contract_sources ORDER BY 1").fetchall()
    assert objet == [("objet 3",)]
    assert [index for (index,) in indices] == list(range(41))


@pytest.mark.parametrize("workers", [1, 2])
def test_malformed_line_falls_back_and_reports_like_before(samples, tmp_path, monkeypatch, workers):
    source = samples / "decp-2024/decp_test_2022.json"
    path = framed_copy(source, tmp_path / "bad.json", "decp-2024-json", [b'{"id": "x", oops}'])
    monkeypatch.setattr(linejson, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    assert len(linejson.plan(path, "decp-2024-json").chunks) > 2
    framed = ingest(tmp_path / "framed", path, workers=workers)
    streaming_only(monkeypatch)
    streamed = ingest(tmp_path / "streamed", path)
    assert framed.files == [] and len(framed.errors) == 1
    assert str(framed.errors[0]) == str(streamed.errors[0])
    assert "JSON malformé" in str(framed.errors[0]) and "octet" in str(framed.errors[0])
    assert contents(tmp_path / "framed")["contracts"] == []


def test_record_split_over_lines_falls_back_and_loads(samples, tmp_path, monkeypatch) -> None:
    source = samples / "decp-2024/decp_test_2022.json"
    record = {"id": "P1", "acheteur": {"id": "1"}} | {f"champ{n}": n for n in range(12)}
    pretty = json.dumps(record, indent=2)  # 200 bytes over many lines
    path = framed_copy(source, tmp_path / "mixed.json", "decp-2024-json", [pretty.encode()])
    monkeypatch.setattr(linejson, "CHUNK_BYTES", 64)
    with pytest.raises(linejson.NotFramed):  # a cut falls inside the pretty-printed record
        for chunk in linejson.plan(path, "decp-2024-json").chunks:
            linejson.chunk_items(path, chunk)
    report = ingest(tmp_path / "home", path)
    assert report.as_json()["files"][0]["read"] == 6 and not report.errors


def test_progress_counts_each_record_once_after_a_fallback(samples, tmp_path, monkeypatch):
    source = samples / "decp-2024/decp_test_2022.json"
    pretty = json.dumps({"id": "P1", "acheteur": {"id": "1"}, "objet": "x"}, indent=2)
    path = framed_copy(source, tmp_path / "mixed.json", "decp-2024-json", [pretty.encode()])
    monkeypatch.setattr(linejson, "CHUNK_BYTES", 64)  # the framed attempt counts, then fails
    told: list[int] = []
    settings = load_settings(home=tmp_path / "home", ingest_workers=1)
    report = ingest_paths(settings, [path], progress=lambda n=1, **_: told.append(n))
    assert report.as_json()["files"][0]["read"] == 6
    assert any(n < 0 for n in told)  # the abandoned attempt's count is taken back
    assert sum(told) == 6


def test_nan_and_huge_integers_are_read_like_the_streaming_reader(tmp_path, monkeypatch):
    lines = [
        b'{"id": "A", "acheteur": {"id": "21750001600019"}, "montant": NaN}',
        b'{"id": "B", "acheteur": {"id": "21750001600019"}, "montant": 123456789012345678901}',
        b'{"id": "C", "acheteur": {"id": "21750001600019"}, "objet": "NaN 12345678901234567890"}',
    ]
    path = tmp_path / "special.json"
    path.write_bytes(b'{"marches": [\n' + b",\n".join(lines) + b"\n]}\n")
    assert len(linejson.chunk_items(path, linejson.plan(path, "decp-2019").chunks[0])) == 3
    framed = ingest(tmp_path / "framed", path)
    streaming_only(monkeypatch)
    streamed = ingest(tmp_path / "streamed", path)
    assert framed.as_json() == streamed.as_json()
    assert framed.as_json()["files"][0]["loaded"] == 3
    assert contents(tmp_path / "framed") == contents(tmp_path / "streamed")


@pytest.mark.parametrize(
    "text",
    [
        b'{"marches": {"marche": [{"id": 1},\n{"id": 2}]}, "x": 1}',  # key after the lists
        b'{"marches": {"marche": [{"id": 1}], "marche": [{"id": 2}]}}',  # a list twice
        b'\xef\xbb\xbf{"marches": [{"id": 1}]}',  # byte order mark
        b'{"marches": [{"id": 1},]}',  # trailing comma
    ],
)
def test_unexpected_frames_are_not_framed(tmp_path, text: bytes) -> None:
    path = tmp_path / "odd.json"
    path.write_bytes(text)
    fmt = "decp-2024-json" if b'marche"' in text else "decp-2019"
    with pytest.raises(linejson.NotFramed):
        for chunk in linejson.plan(path, fmt).chunks:
            linejson.chunk_items(path, chunk)


def test_spool_is_removed_and_stale_spools_are_cleaned(samples, tmp_path) -> None:
    home = tmp_path / "home"
    stale = home / "ingest-spool-old"
    stale.mkdir(parents=True)
    (stale / "b_contracts-w0.parquet").write_bytes(b"interrupted")
    report = ingest(home, samples / "decp-2024/decp_test_2022.json")
    assert not report.errors
    assert sorted(path.name for path in home.iterdir()) == ["warehouse.duckdb"]
