"""The warehouse: a DuckDB file derived from open data, rebuildable at any time.

This package is the only code that speaks SQL to DuckDB. Topic modules
(`vivier.warehouse.<topic>`) hold the queries of one topic each.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import duckdb

from vivier.config import Settings
from vivier.errors import BusyError, ConfigError
from vivier.warehouse.schema import MIGRATIONS, TABLES, create_statements


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; create it with its schema when writing to a new file."""
    path: Path = settings.warehouse_path
    if read_only:
        if not path.exists():
            raise ConfigError(
                f"Aucun entrepôt de données dans {settings.home} : lancez d'abord "
                "« vivier ingest » ou « vivier demo »."
            )
        connection = open_file(path, read_only=True)
        if not missing_columns(connection):
            return connection
        connection.close()  # made by an older version: add its new columns first
        upgrade(path)
        return open_file(path, read_only=True)
    settings.ensure_home()
    connection = open_file(path)
    ensure_schema(connection)
    return connection


def open_file(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, with a French error when another process holds the file."""
    with french_lock_error(path):
        return duckdb.connect(str(path), read_only=read_only)


@contextmanager
def french_lock_error(path: Path):
    """DuckDB's lock conflict on the warehouse file (another process holds it) becomes a
    French BusyError; any other error passes."""
    try:
        yield
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        found = re.search(r"PID (\d+)", str(error))
        holder = f"le processus {found.group(1)}" if found else "un autre processus"
        raise BusyError(
            f"L'entrepôt {path} est déjà ouvert par {holder} (par exemple « vivier serve » "
            "ou un chargement en cours) : attendez qu'il se termine ou arrêtez-le, puis "
            "relancez la commande."
        ) from None


def ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    for statement in create_statements():
        connection.execute(statement)
    for table, column in missing_columns(connection):
        add_column(connection, table, column)


def upgrade(path: Path) -> None:
    """Add the columns of the schema that a warehouse made by an older version lacks
    (before opening it read-only)."""
    with open_file(path, read_only=True) as connection:
        if not missing_columns(connection):
            return
    with open_file(path) as connection:
        ensure_schema(connection)


def missing_columns(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(table, column) of the schema that an existing table lacks (created by an older
    version), in schema order."""
    present = set(
        connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall()
    )
    tables = {table for table, _ in present}
    return [
        (table, column)
        for table, columns in TABLES.items()
        if table in tables
        for column in columns
        if (table, column) not in present
    ]


def add_column(connection: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    """Add a column to an existing table and fill it (`schema.MIGRATIONS`), in one
    transaction."""
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {TABLES[table][column]}")
        if (table, column) in MIGRATIONS:
            connection.execute(MIGRATIONS[(table, column)])
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


@contextmanager
def open_warehouse(settings: Settings, read_only: bool = False):
    connection = connect(settings, read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()
