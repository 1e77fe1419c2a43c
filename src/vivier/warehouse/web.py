"""Read-only queries behind the web pages: home figures, full-text search, record sheets.

Every function takes a DuckDB connection (or cursor) and returns plain dicts/lists.
Tables that other features add (tenders, companies, start-up members...) are optional:
queries check that they exist and return empty results otherwise.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import duckdb

Connection = duckdb.DuckDBPyConnection


def has_table(con: Connection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def rows_as_dicts(cursor: Connection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def query(con: Connection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    return rows_as_dicts(con.execute(sql, params or []))


def query_one(con: Connection, sql: str, params: list | None = None) -> dict[str, Any] | None:
    rows = query(con, sql, params)
    return rows[0] if rows else None


def fold(text: str) -> str:
    """Lower case without accents: the form search terms are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_terms(text: str | None) -> list[str]:
    cleaned = "".join(char if char.isalnum() else " " for char in fold(text or ""))
    return [term for term in cleaned.split() if len(term) >= 2][:8]


# --- home ---------------------------------------------------------------------------


def home_figures(con: Connection) -> dict[str, Any]:
    figures = query_one(
        con,
        """SELECT count(*) AS contracts, sum(amount) AS amount,
                  count(DISTINCT buyer_siren) AS buyers,
                  min(year(notification_date)) AS first_year,
                  max(year(notification_date)) AS last_year
           FROM contracts""",
    )
    suppliers = con.execute(
        "SELECT count(DISTINCT siren) FROM contract_suppliers WHERE siren IS NOT NULL"
    ).fetchone()
    figures["suppliers"] = suppliers[0] if suppliers else 0
    figures["notices"] = (
        con.execute("SELECT count(*) FROM tenders").fetchone()[0]
        if has_table(con, "tenders")
        else 0
    )
    return figures


# --- search -------------------------------------------------------------------------


def where_clause(columns: list[str], terms: list[str], filters: dict[str, object]) -> tuple:
    """Every term in the folded concatenation of `columns`, and each filter that is set:
    `filters` maps an SQL condition with one `?` to its value."""
    haystack = (
        "strip_accents(lower("
        + " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)
        + "))"
    )
    clauses = ["TRUE"] + [f"{haystack} LIKE ?" for _ in terms]
    params: list = [f"%{term}%" for term in terms]
    for condition, value in filters.items():
        if value:
            clauses.append(condition)
            params.append(value)
    return " AND ".join(clauses), params


def contract_filters(
    terms: list[str],
    year: int | None,
    cpv: str | None,
    procedure: str | None,
    buyer: str | None = None,
) -> tuple[str, list]:
    filters = {
        "buyer_siren = ?": buyer,
        "year(notification_date) = ?": year,
        "cpv LIKE ?": f"{cpv}%" if cpv else None,
        "procedure = ?": procedure,
    }
    return where_clause(["object", "buyer_name", "contract_id"], terms, filters)


def search_contracts(
    con: Connection,
    text: str | None,
    year: int | None = None,
    cpv: str | None = None,
    procedure: str | None = None,
    limit: int = 20,
    offset: int = 0,
    buyer: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    where, params = contract_filters(search_terms(text), year, cpv, procedure, buyer)
    total = con.execute(f"SELECT count(*) FROM contracts WHERE {where}", params).fetchone()[0]
    rows = query(
        con,
        f"""SELECT uid, contract_id, object, buyer_name, buyer_siren, amount,
                   notification_date, cpv, procedure
            FROM contracts WHERE {where}
            ORDER BY notification_date DESC NULLS LAST, uid
            LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    )
    return total, rows


def procedures(con: Connection) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT procedure FROM contracts WHERE procedure IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]


def years(con: Connection) -> list[int]:
    rows = con.execute(
        "SELECT DISTINCT year(notification_date) AS y FROM contracts "
        "WHERE notification_date IS NOT NULL ORDER BY y DESC"
    ).fetchall()
    return [row[0] for row in rows]


# --- contract sheet -----------------------------------------------------------------


def contract_sheet(con: Connection, uid: str) -> dict[str, Any] | None:
    contract = query_one(con, "SELECT * FROM contracts WHERE uid = ?", [uid])
    if contract is None:
        return None
    contract["suppliers"] = query(
        con,
        "SELECT position, id_raw, siret, siren, name FROM contract_suppliers "
        "WHERE uid = ? ORDER BY position",
        [uid],
    )
    contract["modifications"] = query(
        con,
        "SELECT position, modification_id, notification_date, amount, duration_months, object "
        "FROM modifications WHERE uid = ? ORDER BY position",
        [uid],
    )
    contract["flags"] = query(
        con, "SELECT field, reason, raw_value FROM flags WHERE uid = ? ORDER BY field", [uid]
    )
    contract["sources"] = query(
        con,
        "SELECT s.source, f.path, f.format FROM contract_sources s "
        "LEFT JOIN ingest_files f USING (file_id) WHERE s.uid = ? ORDER BY s.source",
        [uid],
    )
    return contract


# --- company sheet ------------------------------------------------------------------


def company_contracts(con: Connection, siren: str) -> dict[str, Any] | None:
    totals = query_one(
        con,
        """SELECT mode(s.name) AS name, count(DISTINCT c.uid) AS contracts,
                  sum(c.amount) AS amount
           FROM contract_suppliers s JOIN contracts c USING (uid) WHERE s.siren = ?""",
        [siren],
    )
    if not totals or not totals["contracts"]:
        return None
    return {
        **totals,
        "buyers": query(
            con,
            """SELECT c.buyer_siren AS siren, mode(c.buyer_name) AS name,
                      count(DISTINCT c.uid) AS contracts, sum(c.amount) AS amount
               FROM contract_suppliers s JOIN contracts c USING (uid)
               WHERE s.siren = ? GROUP BY 1 ORDER BY amount DESC NULLS LAST LIMIT 15""",
            [siren],
        ),
        "recent": query(
            con,
            """SELECT DISTINCT c.uid, c.object, c.buyer_name, c.buyer_siren, c.amount,
                      c.notification_date
               FROM contract_suppliers s JOIN contracts c USING (uid) WHERE s.siren = ?
               ORDER BY c.notification_date DESC NULLS LAST LIMIT 20""",
            [siren],
        ),
    }


# --- optional tables (start-ups, companies, buyers, tenders) -------------------------


def company_identity(con: Connection, siren: str) -> dict[str, Any] | None:
    if not has_table(con, "companies"):
        return None
    return query_one(con, "SELECT * FROM companies WHERE siren = ?", [siren])


def company_labels(con: Connection, siren: str) -> list[dict[str, Any]]:
    if not has_table(con, "startup_members"):
        return []
    return query(
        con,
        "SELECT label, name, domain, description, year, valid_from, valid_to FROM startup_members "
        "WHERE siren = ? ORDER BY label",
        [siren],
    )


# --- notices (tender notices and their lots) ----------------------------------------


def notice_filters(terms: list[str], year: int | None, cpv: str | None) -> tuple[str, list]:
    columns = ["n.title", "n.buyer_name", "t.title", "t.description", "n.notice_id"]
    filters = {"year(n.publication_date) = ?": year, "t.cpv LIKE ?": f"{cpv}%" if cpv else None}
    return where_clause(columns, terms, filters)


def search_notices(
    con: Connection,
    text: str | None,
    year: int | None = None,
    cpv: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    where, params = notice_filters(search_terms(text), year, cpv)
    source = "tender_notices n LEFT JOIN tenders t ON t.notice_uid = n.uid"
    total = con.execute(
        f"SELECT count(DISTINCT n.uid) FROM {source} WHERE {where}", params
    ).fetchone()[0]
    rows = query(
        con,
        f"""SELECT n.uid AS notice_id, n.title, n.buyer_name, n.buyer_siren, n.kind,
                   n.source, n.publication_date, min(t.deadline) AS deadline,
                   sum(t.estimated_value) AS estimated_value
            FROM {source} WHERE {where}
            GROUP BY ALL ORDER BY n.publication_date DESC NULLS LAST, n.uid
            LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    )
    return total, rows


def latest_notice_date(con: Connection):
    return con.execute("SELECT max(publication_date) FROM tender_notices").fetchone()[0]


def notice_sheet(con: Connection, uid: str) -> dict[str, Any] | None:
    notice = query_one(
        con,
        """SELECT uid AS notice_id, source, format, notice_id AS source_id, kind, procedure,
                  procedure_raw, publication_date, buyer_name, buyer_siret, buyer_siren,
                  buyer_nuts, country, title, url, lots
           FROM tender_notices WHERE uid = ?""",
        [uid],
    )
    if notice is None:
        return None
    notice["lot_list"] = query(
        con,
        """SELECT uid, lot_id, title, description, cpv, region, estimated_value, currency,
                  deadline, CASE WHEN deadline IS NULL THEN 'unknown'
                                 WHEN CAST(deadline AS DATE) >= current_date THEN 'open'
                                 ELSE 'closed' END AS status
           FROM tenders WHERE notice_uid = ? ORDER BY lot_id""",
        [uid],
    )
    return notice
