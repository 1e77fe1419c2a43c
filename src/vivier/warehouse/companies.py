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
    if not rows:
        return 0
    table = pa.Table.from_pylist(
        [{column: row.get(column) for column in COMPANY_COLUMNS} for row in rows],
        schema=arrow_schema(),
    )
    return upsert_batch(connection, table)


def arrow_schema() -> pa.Schema:
    types = {"created_on": pa.date32(), "active": pa.bool_()}
    return pa.schema([(column, types.get(column, pa.string())) for column in COMPANY_COLUMNS])


def upsert_batch(connection: duckdb.DuckDBPyConnection, batch: pa.Table) -> int:
    """Insert or replace a batch of companies (an Arrow table with COMPANY_COLUMNS).

    A SIREN present twice in the batch keeps its last row.
    """
    connection.register("_company_batch", batch)
    try:
        columns = ", ".join(COMPANY_COLUMNS)
        connection.execute(
            f"INSERT OR REPLACE INTO companies ({columns}) "
            f"SELECT {columns} FROM _company_batch "
            "QUALIFY row_number() OVER (PARTITION BY siren ORDER BY NULL) = 1"
        )
    finally:
        connection.unregister("_company_batch")
    return batch.num_rows


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
