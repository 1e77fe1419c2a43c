"""SQL of the `companies` table (SIRENE legal units and recherche-entreprises answers)."""

from __future__ import annotations

import contextlib

import duckdb
import pyarrow as pa

COMPANY_COLUMNS = (
    "siren",
    "name",
    "created_on",
    "naf",
    "legal_category",
    "size_category",
    "headcount_band",
    "active",
    "departement",
    "region",
    "source",
)


def upsert_rows(connection: duckdb.DuckDBPyConnection, rows: list[dict]) -> int:
    """Insert or replace companies given as dicts (keys: COMPANY_COLUMNS)."""
    table = pa.Table.from_pylist(
        [{column: row.get(column) for column in COMPANY_COLUMNS} for row in rows],
        schema=arrow_schema(),
    )
    start_staging(connection)
    try:
        stage_batch(connection, table, 0)
        return merge_staging(connection)
    except Exception:
        abort_staging(connection)
        raise


def arrow_schema() -> pa.Schema:
    types = {"created_on": pa.date32(), "active": pa.bool_()}
    return pa.schema([(column, types.get(column, pa.string())) for column in COMPANY_COLUMNS])


# Large imports go through a staging table without index (cheap appends), merged into
# `companies` in one set-based pass at the end: far faster than row-wise upserts. The
# staging table lives in the database file (not in memory) and DuckDB's memory is capped
# during the import, so that a 28-million-row stock fits in a small machine.
_STAGE = "_company_stage"
IMPORT_MEMORY_LIMIT = "600MB"


def start_staging(connection: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f"{column} {kind}" for column, kind in _stage_columns().items())
    connection.execute(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(f"CREATE OR REPLACE TABLE {_STAGE} (position BIGINT, {columns})")
    connection.execute("BEGIN TRANSACTION")  # one transaction: no WAL flush per batch


def abort_staging(connection: duckdb.DuckDBPyConnection) -> None:
    """Undo a failed import (the staged rows and the merge, if it started)."""
    with contextlib.suppress(duckdb.Error):  # no transaction left if the commit failed
        connection.execute("ROLLBACK")
    connection.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    _reset(connection)


def _reset(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("RESET memory_limit")
    connection.execute("RESET preserve_insertion_order")


def _stage_columns() -> dict[str, str]:
    from vivier.warehouse.schema import TABLES

    return {
        column: kind.replace(" PRIMARY KEY", "") for column, kind in TABLES["companies"].items()
    }


def stage_batch(connection: duckdb.DuckDBPyConnection, batch: pa.Table, offset: int) -> None:
    """Append a batch (an Arrow table with COMPANY_COLUMNS, starting at row `offset` of
    the file) to the staging table. (A relation, not a registered view: DuckDB would keep
    every registered batch alive until the end of the transaction.)"""
    positions = pa.array(range(offset, offset + batch.num_rows), pa.int64())
    staged = batch.select(list(COMPANY_COLUMNS)).add_column(0, "position", positions)
    connection.from_arrow(staged).insert_into(_STAGE)


def merge_staging(connection: duckdb.DuckDBPyConnection) -> int:
    """Replace the staged SIRENs in `companies` (the last staged row of a SIREN wins) and
    commit the import; on error the caller calls `abort_staging`.

    The staged rows are committed first (DuckDB then keeps them on disk, not in memory),
    then merged in a second transaction: existing SIRENs are updated in place and new
    ones appended (DuckDB is slow when a transaction deletes then re-inserts the keys of a
    primary-key index). The window that keeps a SIREN's last row only runs when the file
    repeats a SIREN.
    """
    connection.execute("COMMIT")
    connection.execute("BEGIN TRANSACTION")
    columns = ", ".join(COMPANY_COLUMNS)
    updates = ", ".join(f"{column} = d.{column}" for column in COMPANY_COLUMNS[1:])
    staged, distinct = connection.execute(
        f"SELECT count(*), count(DISTINCT siren) FROM {_STAGE}"
    ).fetchone()
    last = f"SELECT {columns} FROM {_STAGE}"
    if staged != distinct:
        last += " QUALIFY row_number() OVER (PARTITION BY siren ORDER BY position DESC) = 1"
    if connection.execute("SELECT count(*) FROM companies").fetchone()[0]:
        connection.execute(
            f"UPDATE companies SET {updates} FROM ({last}) d WHERE companies.siren = d.siren"
        )
        last = f"SELECT * FROM ({last}) d WHERE NOT EXISTS "
        last += "(SELECT 1 FROM companies c WHERE c.siren = d.siren)"
    connection.execute(f"INSERT INTO companies ({columns}) {last}")
    connection.execute(f"DROP TABLE {_STAGE}")
    connection.execute("COMMIT")
    _reset(connection)
    return distinct


def get_company(connection: duckdb.DuckDBPyConnection, siren: str) -> dict | None:
    row = connection.execute(
        f"SELECT {', '.join(COMPANY_COLUMNS)} FROM companies WHERE siren = ?", [siren]
    ).fetchone()
    return dict(zip(COMPANY_COLUMNS, row, strict=True)) if row else None


def supplier_contract_count(connection: duckdb.DuckDBPyConnection, siren: str) -> int:
    """Number of contracts won by a SIREN (0 when no contract is loaded)."""
    return connection.execute(
        "SELECT count(DISTINCT uid) FROM contract_suppliers WHERE siren = ?", [siren]
    ).fetchone()[0]
