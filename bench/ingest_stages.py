"""Benchmark: CPU per record of each stage of the framed ingest, on one core.

    python bench/ingest_stages.py FILE.json [--chunks 8] [--format decp-2024-json]

Reads the first chunks of a framed DECP JSON file (e.g. the one `bench/ingest.py`
generates) and prints the CPU time per record of parsing (`linejson.chunk_items`:
read + orjson), normalising (`decp_rows.convert`) and building Arrow tables
(`awards.arrow_batch`), then of the merge into an empty warehouse (DuckDB).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from vivier import warehouse
from vivier.config import load_settings
from vivier.sources import linejson
from vivier.sources.decp_rows import convert
from vivier.sources.normalise import ReadContext
from vivier.warehouse import files, spool
from vivier.warehouse.awards import Staged, arrow_batch, empty_batch, merge_staged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--format", default="decp-2024-json")
    args = parser.parse_args()
    plan = linejson.plan(args.path, args.format)
    chunks = plan.chunks[: args.chunks]
    context = ReadContext(rows=True)
    cpu = {"parse": 0.0, "normalise": 0.0, "arrow": 0.0}
    staged, records = Staged(), 0
    work = Path(tempfile.mkdtemp(prefix="vivier-stages-"))
    writer = spool.SpoolWriter(work, "main")
    for chunk in chunks:
        started = time.process_time()
        items = linejson.chunk_items(plan.path, chunk)
        parsed = time.process_time()
        base = chunk.number << linejson.SEQ_SHIFT
        rows = [
            convert(it, base + k, plan.source, chunk.kind, context) for k, it in enumerate(items)
        ]
        normalised = time.process_time()
        batch = arrow_batch(rows)
        done = time.process_time()
        cpu["parse"] += parsed - started
        cpu["normalise"] += normalised - parsed
        cpu["arrow"] += done - normalised
        writer.write(batch.tables)
        staged.add(replace(batch, tables={}), chunk.number)
        records += len(items)
    writer.close()
    cpu["merge"] = _merge(work, staged)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{records} records in {len(chunks)} chunks; CPU per record:")
    for stage, seconds in cpu.items():
        print(f"  {stage:10s} {seconds / records * 1e6:6.1f} µs")
    print(f"  {'total':10s} {sum(cpu.values()) / records * 1e6:6.1f} µs")


def _merge(folder: Path, staged: Staged) -> float:
    """CPU-seconds of the merge of the spool into a fresh warehouse (commit included)."""
    settings = load_settings(home=folder / "home")
    with warehouse.open_warehouse(settings) as connection:
        files.tune_for_bulk_load(connection, settings.ingest_memory_limit)
        names = spool.register(connection, folder, empty_batch())
        started = time.process_time()
        with files.transaction(connection):
            file_id = files.register_file(connection, "bench", "bench", "decp-2024-json")
            merge_staged(connection, staged, file_id)
        spent = time.process_time() - started
        spool.unregister(connection, names)
    return spent


if __name__ == "__main__":
    main()
