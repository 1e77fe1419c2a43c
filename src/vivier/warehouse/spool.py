"""The spool of one award file: Arrow IPC files holding its normalised batches.

The reading processes append their batches to their own IPC files (one per staging table
and writer) in a temporary folder under the data directory; the merge then reads them
through DuckDB as Arrow datasets (`s_contracts`, `s_suppliers`, …): the batches are never
held by the warehouse connection, and nothing is left behind (the folder is removed).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

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


def clear(folder: Path) -> None:
    """Remove what the writers left (before the file is read again another way)."""
    for path in folder.glob("*.arrow"):
        path.unlink()


class SpoolWriter:
    """Appends batches (dicts of staging-table name → Arrow table) to this writer's files."""

    def __init__(self, folder: Path, tag: str):
        self.folder = Path(folder)
        self.tag = tag
        self._writers: dict[str, pa.ipc.RecordBatchFileWriter] = {}

    def write(self, tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            writer = self._writers.get(name)
            if writer is None:
                path = self.folder / f"{name}-{self.tag}.arrow"
                writer = self._writers[name] = pa.ipc.new_file(path, table.schema)
            writer.write_table(table)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


def register(
    connection: duckdb.DuckDBPyConnection, folder: Path, empty: dict[str, pa.Table]
) -> list[str]:
    """Register each staging table `s_<name>` as a dataset of the spool's files (or as
    `empty[name]` when no writer wrote it); returns the names to unregister."""
    names = []
    for name, table in empty.items():
        paths = sorted(str(path) for path in folder.glob(f"{name}-*.arrow"))
        staged = "s" + name[1:]
        connection.register(staged, ds.dataset(paths, format="ipc") if paths else table)
        names.append(staged)
    return names


def unregister(connection: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    for name in names:
        try:
            connection.unregister(name)
        except duckdb.Error:
            continue
