"""SQL of the `buyers` table: one row per buyer SIRET seen in `contracts`."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from vivier.buyers import classify
from vivier.warehouse.results import dict_rows

BUYER_COLUMNS = ("siret", "siren", "name", "perimeter", "ministry", "evidence", "region")


def refresh_buyers(connection: duckdb.DuckDBPyConnection) -> int:
    """(Re)compute `buyers` from `contracts` (and `companies` when known); return the count."""
    rows = connection.execute(
        "WITH seen AS ("
        "  SELECT buyer_siret AS siret, coalesce(any_value(buyer_siren), "
        "         substr(buyer_siret, 1, 9)) AS siren, mode(buyer_name) AS name"
        "  FROM contracts WHERE buyer_siret IS NOT NULL GROUP BY buyer_siret)"
        " SELECT seen.siret, seen.siren, seen.name, c.name, c.legal_category, c.region"
        " FROM seen LEFT JOIN companies c ON c.siren = seen.siren ORDER BY seen.siret"
    ).fetchall()
    records = []
    for siret, siren, name, company_name, legal_category, region in rows:
        found = classify(siren, [name, company_name], legal_category)
        records.append(
            {
                "siret": siret,
                "siren": siren,
                "name": name or company_name,
                "perimeter": found.perimeter,
                "ministry": found.ministry,
                "evidence": found.evidence,
                "region": region,
            }
        )
    table = pa.Table.from_pylist(
        records, schema=pa.schema([(column, pa.string()) for column in BUYER_COLUMNS])
    )
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.execute("DELETE FROM buyers")
        connection.register("_buyer_rows", table)
        connection.execute("INSERT INTO buyers SELECT * FROM _buyer_rows")
        connection.unregister("_buyer_rows")
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    return len(records)


def list_buyers(connection: duckdb.DuckDBPyConnection, perimeter: str | None = None) -> list[dict]:
    """Buyers with their contract count, optionally of one perimeter."""
    where = "WHERE b.perimeter = ?" if perimeter else ""
    cursor = connection.execute(
        "SELECT b.siret, b.siren, b.name, b.perimeter, b.ministry, b.evidence, b.region, "
        "(SELECT count(*) FROM contracts k WHERE k.buyer_siret = b.siret) AS contracts "
        f"FROM buyers b {where} ORDER BY contracts DESC, b.name, b.siret",
        [perimeter] if perimeter else [],
    )
    return dict_rows(cursor)
