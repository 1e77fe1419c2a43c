"""The buyer sheet of the web app, fast at national scale.

The web app attaches the warehouse read-only to an in-memory DuckDB (`open_for_web`) and
builds there, once, per-buyer tables sorted by buyer SIREN: the buyer page then reads a
few rows of small sorted tables (min/max pruning) instead of scanning every contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from vivier.warehouse.web import query, query_one

Connection = duckdb.DuckDBPyConnection
CACHE = "memory.main"
CONTRACTS = f"{CACHE}.web_buyer_contracts"

CACHE_TABLES = {
    "web_buyer_contracts": """
        SELECT c.buyer_siren, c.uid, c.buyer_siret, c.buyer_name, c.amount,
               c.notification_date, c.cpv, left(c.object, 160) AS object,
               c.uid IN (SELECT uid FROM contract_suppliers WHERE siren IS NOT NULL)
                   AS with_supplier,
               c.uid IN (SELECT uid FROM contract_suppliers
                         WHERE siren IN (SELECT siren FROM startup_members)) AS startup
        FROM contracts c WHERE c.buyer_siren IS NOT NULL
        ORDER BY c.buyer_siren, c.notification_date DESC NULLS LAST""",
    "web_buyers": f"""
        SELECT buyer_siren, mode(buyer_name) AS name, count(*) AS contracts,
               sum(amount) AS amount, min(notification_date) AS first_date,
               max(notification_date) AS last_date,
               count(DISTINCT buyer_siret) AS establishments,
               avg(CASE WHEN amount IS NOT NULL THEN 1 ELSE 0 END) AS with_amount,
               avg(CASE WHEN cpv IS NOT NULL THEN 1 ELSE 0 END) AS with_cpv,
               avg(CASE WHEN notification_date IS NOT NULL THEN 1 ELSE 0 END) AS with_date,
               avg(CASE WHEN with_supplier THEN 1 ELSE 0 END) AS with_supplier,
               count(*) FILTER (WHERE startup) AS startup_contracts,
               coalesce(sum(amount) FILTER (WHERE startup), 0) AS startup_amount
        FROM {CONTRACTS} GROUP BY buyer_siren ORDER BY buyer_siren""",
    "web_buyer_years": f"""
        SELECT buyer_siren, year(notification_date) AS year, count(*) AS contracts,
               sum(amount) AS amount
        FROM {CONTRACTS} WHERE notification_date IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2""",
    "web_buyer_divisions": f"""
        SELECT buyer_siren, left(cpv, 2) AS division, count(*) AS contracts,
               sum(amount) AS amount
        FROM {CONTRACTS} WHERE cpv IS NOT NULL GROUP BY 1, 2 ORDER BY 1""",
    "web_buyer_suppliers": """
        SELECT c.buyer_siren, s.siren, mode(s.name) AS name,
               count(DISTINCT c.uid) AS contracts, sum(c.amount) AS amount
        FROM contract_suppliers s JOIN contracts c USING (uid)
        WHERE c.buyer_siren IS NOT NULL AND s.siren IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1""",
    "web_buyer_establishments": """
        SELECT siren AS buyer_siren, siret, name, perimeter, ministry, region
        FROM buyers ORDER BY siren, siret""",
}


def open_for_web(path: Path) -> Connection:
    """An in-memory DuckDB with the warehouse attached read-only (the current catalog)
    and the per-buyer tables built."""
    con = duckdb.connect(":memory:")
    quoted = str(path).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS warehouse (READ_ONLY)")
    con.execute("USE warehouse")
    for name, sql in CACHE_TABLES.items():
        con.execute(f"CREATE OR REPLACE TABLE {CACHE}.{name} AS {sql}")
    return con


def use_warehouse(cursor: Connection) -> Connection:
    cursor.execute("USE warehouse")
    return cursor


def of_buyer(con: Connection, table: str, columns: str, siren: str, tail: str = ""):
    return query(
        con, f"SELECT {columns} FROM {CACHE}.{table} WHERE buyer_siren = ? {tail}", [siren]
    )


def buyer_sheet(con: Connection, siren: str) -> dict[str, Any] | None:
    """What a buyer buys, from whom, its start-up share and its publication coverage."""
    head = query_one(con, f"SELECT * FROM {CACHE}.web_buyers WHERE buyer_siren = ?", [siren])
    if head is None:
        return None
    contracts, amount = head["contracts"], head["amount"]
    return {
        "siren": siren,
        **{key: head[key] for key in ("name", "contracts", "amount", "first_date")},
        **{key: head[key] for key in ("last_date", "establishments")},
        "by_year": of_buyer(con, "web_buyer_years", "year, contracts, amount", siren, "ORDER BY 1"),
        "cpv_divisions": of_buyer(
            con,
            "web_buyer_divisions",
            "division, contracts, amount",
            siren,
            "ORDER BY amount DESC NULLS LAST, contracts DESC LIMIT 12",
        ),
        "suppliers": of_buyer(
            con,
            "web_buyer_suppliers",
            "siren, name, contracts, amount",
            siren,
            "ORDER BY amount DESC NULLS LAST, contracts DESC, siren LIMIT 15",
        ),
        "coverage": {
            "contracts": contracts,
            **{key: head[key] for key in ("with_amount", "with_cpv", "with_date")},
            "with_supplier": head["with_supplier"],
        },
        "startup_share": {
            "contracts": head["startup_contracts"],
            "amount": head["startup_amount"],
            "share_count": head["startup_contracts"] / contracts if contracts else None,
            "share_amount": head["startup_amount"] / amount if amount else None,
        },
        "establishments_list": of_buyer(
            con, "web_buyer_establishments", "siret, name, perimeter, ministry, region", siren
        ),
        "recent": of_buyer(
            con,
            "web_buyer_contracts",
            "uid, object, amount, notification_date",
            siren,
            "ORDER BY notification_date DESC NULLS LAST, uid LIMIT 10",
        ),
    }
