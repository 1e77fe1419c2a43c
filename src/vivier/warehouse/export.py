"""Export the warehouse tables as Parquet files, for other engines."""

from __future__ import annotations

from pathlib import Path

import duckdb

from vivier.warehouse.schema import TABLES


def export_parquet(connection: duckdb.DuckDBPyConnection, directory: Path) -> list[dict]:
    """Write every warehouse table to DIR/<table>.parquet; returns [{table, rows, path}]."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        target = directory / f"{table}.parquet"
        quoted = str(target).replace("'", "''")
        connection.execute(f"COPY {table} TO '{quoted}' (FORMAT parquet, COMPRESSION zstd)")
        rows = connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        written.append({"table": table, "rows": rows, "path": str(target)})
    return written
