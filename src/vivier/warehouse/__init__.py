"""The warehouse: a DuckDB file derived from open data, rebuildable at any time.

This package is the only code that speaks SQL to DuckDB. Topic modules
(`vivier.warehouse.<topic>`) hold the queries of one topic each.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

from vivier.config import Settings
from vivier.errors import ConfigError
from vivier.warehouse.schema import create_statements


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; create it with its schema when writing to a new file."""
    path: Path = settings.warehouse_path
    if read_only:
        if not path.exists():
            raise ConfigError(
                f"Aucun entrepôt de données dans {settings.home} : lancez d'abord "
                "« vivier ingest » ou « vivier demo »."
            )
        return duckdb.connect(str(path), read_only=True)
    settings.ensure_home()
    connection = duckdb.connect(str(path))
    ensure_schema(connection)
    return connection


def ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    for statement in create_statements():
        connection.execute(statement)


@contextmanager
def open_warehouse(settings: Settings, read_only: bool = False):
    connection = connect(settings, read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()
