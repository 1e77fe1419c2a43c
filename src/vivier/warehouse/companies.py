"""SQL of the `companies` table (SIRENE legal units and recherche-entreprises answers)."""

from __future__ import annotations

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
    stage_batch(connection, table)
    return merge_staging(connection)


def arrow_schema() -> pa.Schema:
    types = {"created_on": pa.date32(), "active": pa.bool_()}
    return pa.schema([(column, types.get(column, pa.string())) for column in COMPANY_COLUMNS])


# Large imports go through a staging table without index (cheap appends), merged into
# `companies` in one set-based statement at the end: far faster than row-wise upserts.
_STAGE = "_company_stage"


def start_staging(connection: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f"{column} {kind}" for column, kind in _stage_columns().items())
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGE} (position BIGINT, {columns})")


def _stage_columns() -> dict[str, str]:
    from vivier.warehouse.schema import TABLES

    return {
        column: kind.replace(" PRIMARY KEY", "") for column, kind in TABLES["companies"].items()
    }


def stage_batch(connection: duckdb.DuckDBPyConnection, batch: pa.Table) -> None:
    """Append a batch (an Arrow table with COMPANY_COLUMNS) to the staging table."""
    columns = ", ".join(COMPANY_COLUMNS)
    connection.register("_company_batch", batch)
    try:
        offset = connection.execute(f"SELECT count(*) FROM {_STAGE}").fetchone()[0]
        connection.execute(
            f"INSERT INTO {_STAGE} (position, {columns}) "
            f"SELECT {offset} + row_number() OVER (), {columns} FROM _company_batch"
        )
    finally:
        connection.unregister("_company_batch")


def merge_staging(connection: duckdb.DuckDBPyConnection) -> int:
    """Replace the staged SIRENs in `companies` (the last staged row of a SIREN wins).

    Existing SIRENs are updated in place and new ones appended: DuckDB is slow when a
    transaction deletes then re-inserts the same keys of a primary-key index.
    """
    columns = ", ".join(COMPANY_COLUMNS)
    updates = ", ".join(f"{column} = d.{column}" for column in COMPANY_COLUMNS[1:])
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE _company_dedup AS SELECT {columns} FROM {_STAGE} "
        "QUALIFY row_number() OVER (PARTITION BY siren ORDER BY position DESC) = 1"
    )
    connection.execute(f"DROP TABLE {_STAGE}")
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.execute(
            f"UPDATE companies SET {updates} FROM _company_dedup d WHERE companies.siren = d.siren"
        )
        connection.execute(
            f"INSERT INTO companies ({columns}) SELECT {columns} FROM _company_dedup d "
            "WHERE NOT EXISTS (SELECT 1 FROM companies c WHERE c.siren = d.siren)"
        )
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    loaded = connection.execute("SELECT count(*) FROM _company_dedup").fetchone()[0]
    connection.execute("DROP TABLE _company_dedup")
    return loaded


def get_company(connection: duckdb.DuckDBPyConnection, siren: str) -> dict | None:
    row = connection.execute(
        f"SELECT {', '.join(COMPANY_COLUMNS)} FROM companies WHERE siren = ?", [siren]
    ).fetchone()
    return dict(zip(COMPANY_COLUMNS, row, strict=True)) if row else None


def count_companies(connection: duckdb.DuckDBPyConnection) -> int:
    return connection.execute("SELECT count(*) FROM companies").fetchone()[0]


def supplier_contract_count(connection: duckdb.DuckDBPyConnection, siren: str) -> int:
    """Number of contracts won by a SIREN (0 when no contract is loaded)."""
    return connection.execute(
        "SELECT count(DISTINCT uid) FROM contract_suppliers WHERE siren = ?", [siren]
    ).fetchone()[0]
