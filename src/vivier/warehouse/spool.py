"""The spool of one award file: Parquet files holding its normalised batches.

The reading processes append their batches to their own Parquet files (one per staging
table and writer, uncompressed: cheap to write) in a temporary folder under the data
directory; the merge then reads them through DuckDB's own Parquet reader (views
`s_contracts`, `s_suppliers`, …), which streams them within its memory limit. (Arrow
IPC files scanned as Arrow datasets held twice the memory: 1.2 GB at 1.8 M contracts.)
The batches are never held in memory as a whole, and nothing is left behind (the
folder is removed).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

SPOOL_PREFIX = "ingest-spool-"


@contextmanager
def spool_folder(home: Path) -> Iterator[Path]:
    """A fresh temporary folder under the data directory, removed afterwards."""
    home.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=SPOOL_PREFIX, dir=home))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale(home: Path) -> None:
    """Remove the spools an interrupted ingest left (call with the warehouse open: its
    lock keeps any other ingest of this data directory out)."""
    for folder in home.glob(SPOOL_PREFIX + "*"):
        shutil.rmtree(folder, ignore_errors=True)


def clear(folder: Path) -> None:
    """Remove what the writers left (before the file is read again another way)."""
    for path in folder.glob("*.parquet"):
        path.unlink()


class SpoolWriter:
    """Appends batches (dicts of staging-table name → Arrow table) to this writer's files."""

    def __init__(self, folder: Path, tag: str):
        self.folder = Path(folder)
        self.tag = tag
        self._writers: dict[str, pq.ParquetWriter] = {}

    def write(self, tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            writer = self._writers.get(name)
            if writer is None:
                path = self.folder / f"{name}-{self.tag}.parquet"
                writer = pq.ParquetWriter(
                    path, table.schema, compression="none", use_dictionary=False
                )
                self._writers[name] = writer
            writer.write_table(table)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


def register(
    connection: duckdb.DuckDBPyConnection, folder: Path, empty: dict[str, pa.Table]
) -> list[str]:
    """Create each staging view `s_<name>` over the spool's files for that table (or over
    `empty[name]` when no writer wrote it); returns the names to drop afterwards."""
    names = []
    for name, table in empty.items():
        paths = sorted(str(path) for path in folder.glob(f"{name}-*.parquet"))
        staged = "s" + name[1:]
        if paths:
            listed = ", ".join("'" + path.replace("'", "''") + "'" for path in paths)
            connection.execute(
                f"CREATE OR REPLACE TEMP VIEW {staged} AS FROM read_parquet([{listed}])"
            )
        else:
            connection.register(staged, table)
        names.append(staged)
    return names


def unregister(connection: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    for name in names:
        try:
            connection.execute(f"DROP VIEW IF EXISTS {name}")
            connection.unregister(name)
        except duckdb.Error:
            continue
