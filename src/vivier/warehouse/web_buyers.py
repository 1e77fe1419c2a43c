"""The buyer sheet of the web app, fast at national scale.

The web app attaches the warehouse read-only to an in-memory DuckDB (`open_for_web`) and
builds there, once, one table with ONE row per buyer SIREN holding its whole sheet: the
head figures, and its years, CPV divisions, top suppliers, establishments and latest
contracts as lists of structs, with a unique (ART) index on the SIREN. A buyer page is
then a single index lookup (~1 ms) instead of seven queries over per-buyer tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from vivier.warehouse import french_lock_error, upgrade
from vivier.warehouse.web import query_one

Connection = duckdb.DuckDBPyConnection
SHEETS = "memory.main.web_buyer_sheets"
CONTRACTS = "temp.main.web_buyer_contracts"
TOP_DIVISIONS = 12
TOP_SUPPLIERS = 15
RECENT = 10

# One row per contract with a buyer SIREN, with the flags the sheet counts (dropped once
# the sheets are built).
CONTRACTS_SQL = """
    SELECT c.buyer_siren, c.uid, c.buyer_siret, c.buyer_name, c.amount,
           c.notification_date, c.cpv, left(c.object, 160) AS object,
           c.uid IN (SELECT uid FROM contract_suppliers WHERE siren IS NOT NULL)
               AS with_supplier,
           c.uid IN (SELECT uid FROM contract_suppliers
                     WHERE siren IN (SELECT siren FROM startup_members)) AS startup
    FROM contracts c WHERE c.buyer_siren IS NOT NULL"""

# Each part: name -> SQL giving one row per buyer: `buyer_siren` and, but for the head,
# one list column called `name`.
PARTS = {
    "head": f"""
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
        FROM {CONTRACTS} GROUP BY buyer_siren""",
    "by_year": f"""
        SELECT buyer_siren,
               list({{'year': year, 'contracts': contracts, 'amount': amount}} ORDER BY year)
                   AS by_year
        FROM (SELECT buyer_siren, year(notification_date) AS year, count(*) AS contracts,
                     sum(amount) AS amount
              FROM {CONTRACTS} WHERE notification_date IS NOT NULL GROUP BY 1, 2)
        GROUP BY 1""",
    "cpv_divisions": f"""
        SELECT buyer_siren,
               list({{'division': division, 'contracts': contracts, 'amount': amount}}
                    ORDER BY amount DESC NULLS LAST, contracts DESC, division)[1:{TOP_DIVISIONS}]
                   AS cpv_divisions
        FROM (SELECT buyer_siren, left(cpv, 2) AS division, count(*) AS contracts,
                     sum(amount) AS amount
              FROM {CONTRACTS} WHERE cpv IS NOT NULL GROUP BY 1, 2)
        GROUP BY 1""",
    "suppliers": f"""
        SELECT buyer_siren,
               list({{'siren': siren, 'name': name, 'contracts': contracts, 'amount': amount}}
                    ORDER BY amount DESC NULLS LAST, contracts DESC, siren)[1:{TOP_SUPPLIERS}]
                   AS suppliers
        FROM (SELECT c.buyer_siren, s.siren, mode(s.name) AS name,
                     count(DISTINCT c.uid) AS contracts, sum(c.amount) AS amount
              FROM contract_suppliers s JOIN contracts c USING (uid)
              WHERE c.buyer_siren IS NOT NULL AND s.siren IS NOT NULL GROUP BY 1, 2)
        GROUP BY 1""",
    "establishments_list": """
        SELECT siren AS buyer_siren,
               list({'siret': siret, 'name': name, 'perimeter': perimeter,
                     'ministry': ministry, 'region': region} ORDER BY siret)
                   AS establishments_list
        FROM buyers GROUP BY 1""",
    "recent": f"""
        SELECT buyer_siren,
               list({{'uid': uid, 'object': object, 'amount': amount,
                      'notification_date': notification_date}}
                    ORDER BY notification_date DESC NULLS LAST, uid) AS recent
        FROM (SELECT * FROM {CONTRACTS}
              QUALIFY row_number() OVER (PARTITION BY buyer_siren
                                         ORDER BY notification_date DESC NULLS LAST, uid)
                      <= {RECENT})
        GROUP BY 1""",
}


def sheets_sql() -> str:
    """One row per buyer: the head figures and one list column per other part."""
    lists = [name for name in PARTS if name != "head"]
    ctes = ",\n".join(f"{name} AS ({sql})" for name, sql in PARTS.items())
    columns = ", ".join(f"coalesce({name}.{name}, []) AS {name}" for name in lists)
    joins = " ".join(f"LEFT JOIN {name} USING (buyer_siren)" for name in lists)
    return f"WITH {ctes}\nSELECT head.*, {columns} FROM head {joins} ORDER BY head.buyer_siren"


def build_sheets(con: Connection) -> None:
    """Build the per-buyer sheets table and its index."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE web_buyer_contracts AS {CONTRACTS_SQL}")
    try:
        con.execute(f"CREATE OR REPLACE TABLE {SHEETS} AS {sheets_sql()}")
    finally:
        con.execute(f"DROP TABLE IF EXISTS {CONTRACTS}")
    con.execute(f"CREATE UNIQUE INDEX web_buyer_sheets_siren ON {SHEETS} (buyer_siren)")


def open_for_web(path: Path) -> Connection:
    """An in-memory DuckDB with the warehouse attached read-only, a view in the default
    catalog for each of its tables and views (so that every cursor, even one opened by a
    feature on its own, reads the warehouse without `USE`), and the per-buyer sheets."""
    upgrade(path)
    con = duckdb.connect(":memory:")
    quoted = str(path).replace("'", "''")
    try:
        with french_lock_error(path):
            con.execute(f"ATTACH '{quoted}' AS warehouse (READ_ONLY)")
    except Exception:
        con.close()
        raise
    relations = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'warehouse' "
        "AND schema_name = 'main' UNION ALL SELECT view_name FROM duckdb_views() "
        "WHERE database_name = 'warehouse' AND schema_name = 'main' AND NOT internal"
    ).fetchall()
    for (name,) in relations:
        quoted_name = '"' + name.replace('"', '""') + '"'
        con.execute(
            f"CREATE VIEW memory.main.{quoted_name} AS SELECT * FROM warehouse.main.{quoted_name}"
        )
    build_sheets(con)
    return con


def buyer_sheet(con: Connection, siren: str) -> dict[str, Any] | None:
    """What a buyer buys, from whom, its start-up share and its publication coverage."""
    row = query_one(con, f"SELECT * FROM {SHEETS} WHERE buyer_siren = ?", [siren])
    if row is None:
        return None
    contracts, amount = row["contracts"], row["amount"]
    return {
        "siren": siren,
        **{key: row[key] for key in ("name", "contracts", "amount", "first_date")},
        **{key: row[key] for key in ("last_date", "establishments")},
        **{key: row[key] for key in ("by_year", "cpv_divisions", "suppliers")},
        "coverage": {
            "contracts": contracts,
            **{key: row[key] for key in ("with_amount", "with_cpv", "with_date")},
            "with_supplier": row["with_supplier"],
        },
        "startup_share": {
            "contracts": row["startup_contracts"],
            "amount": row["startup_amount"],
            "share_count": row["startup_contracts"] / contracts if contracts else None,
            "share_amount": row["startup_amount"] / amount if amount else None,
        },
        "establishments_list": row["establishments_list"],
        "recent": row["recent"],
    }
