"""Provenance of ingested files (`ingest_files`) and the per-file transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb


def known_file(connection: duckdb.DuckDBPyConnection, sha256: str) -> dict | None:
    """The earlier ingest of a file with this content, if any."""
    rows = connection.execute(
        "SELECT file_id, path, format, read, loaded, rejected, duplicates "
        "FROM ingest_files WHERE sha256 = ?",
        [sha256],
    ).fetchall()
    if not rows:
        return None
    row = rows[0]
    keys = ("file_id", "path", "format", "read", "loaded", "rejected", "duplicates")
    return dict(zip(keys, row, strict=True))


def register_file(connection: duckdb.DuckDBPyConnection, path: str, sha256: str, fmt: str) -> int:
    """Add the file (counts filled in later by `finish_file`); returns its file_id."""
    file_id = connection.execute(
        "SELECT coalesce(max(file_id), 0) + 1 FROM ingest_files"
    ).fetchall()[0][0]
    connection.execute(
        "INSERT INTO ingest_files (file_id, path, sha256, format, ingested_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [file_id, path, sha256, fmt, datetime.now()],
    )
    return file_id


def finish_file(
    connection: duckdb.DuckDBPyConnection,
    file_id: int,
    read: int,
    loaded: int,
    rejected: int,
    duplicates: int,
) -> None:
    connection.execute(
        "UPDATE ingest_files SET read = ?, loaded = ?, rejected = ?, duplicates = ? "
        "WHERE file_id = ?",
        [read, loaded, rejected, duplicates, file_id],
    )


def tune_for_bulk_load(connection: duckdb.DuckDBPyConnection, memory_limit: str) -> None:
    """Keep DuckDB's memory bounded during large loads (it spills to disk beyond)."""
    connection.execute(f"SET memory_limit = '{memory_limit}'")
    connection.execute("SET preserve_insertion_order = false")


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed on success, rolled back on any error."""
    connection.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
