"""Tenders in the warehouse: the tender queries (the loader is `tenders_load`).

The status of a lot is computed against a reference date: 'open' while its deadline is
on or after that date, 'closed' after it (and for award notices), 'unknown' without one.
"""

from __future__ import annotations

from datetime import date

import duckdb

from vivier.warehouse.tenders_load import TenderLoad, load_tenders  # noqa: F401 (ingest's loader)

STATUS_SQL = (
    "CASE WHEN t.kind = 'result' THEN 'closed' WHEN t.deadline IS NULL THEN 'unknown' "
    "WHEN CAST(t.deadline AS DATE) >= CAST(? AS DATE) THEN 'open' ELSE 'closed' END"
)
# A lot published after the reference date did not exist yet on that date: never shown.
PUBLISHED_SQL = "(t.publication_date IS NULL OR t.publication_date <= CAST(? AS DATE))"
LOT_SELECT = (
    "t.uid, t.notice_uid, t.lot_id, t.source, t.kind, t.title, t.description, t.cpv, "
    "t.cpv_additional, t.nuts, t.region, t.estimated_value, t.currency, t.deadline, "
    "t.publication_date, t.buyer_name, t.buyer_siren, t.procedure, t.url"
)


def _dicts(cursor) -> list[dict]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def list_tenders(
    connection: duckdb.DuckDBPyConnection,
    reference: date,
    status: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Lots published by `reference` with their status on that day, newest first."""
    sql = f"SELECT {LOT_SELECT}, {STATUS_SQL} AS status FROM tenders t WHERE {PUBLISHED_SQL}"
    params: list = [reference, reference]
    if status:
        sql = f"SELECT * FROM ({sql}) WHERE status = ?"
        params.append(status)
    sql += " ORDER BY publication_date DESC NULLS LAST, uid"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return _dicts(connection.execute(sql, params))


def search_lots(
    connection: duckdb.DuckDBPyConnection,
    reference: date,
    cpv_prefixes: list[str] | None = None,
    regions: list[str] | None = None,
    min_value: float | None = None,
    words: list[str] | None = None,
    exclude_closed: bool = True,
) -> list[dict]:
    """Lots filtered on CPV prefixes (main or additional code), regions, minimum value and
    words (folded, lower case: each must occur in the title or the description)."""
    conditions, params = [PUBLISHED_SQL], [reference, reference]
    for word in words or []:
        conditions.append(
            "strip_accents(lower(coalesce(t.title, '') || ' ' || coalesce(t.description, '')))"
            " LIKE ? ESCAPE '\\'"
        )
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    if cpv_prefixes:
        parts = []
        for prefix in cpv_prefixes:
            parts.append("(t.cpv LIKE ? OR ' ' || t.cpv_additional LIKE ?)")
            params += [f"{prefix}%", f"% {prefix}%"]
        conditions.append("(" + " OR ".join(parts) + ")")
    if regions:
        conditions.append(f"t.region IN ({', '.join('?' for _ in regions)})")
        params += list(regions)
    if min_value is not None:
        conditions.append("t.estimated_value >= ?")
        params.append(min_value)
    where = f"WHERE {' AND '.join(conditions)}"
    sql = (
        f"SELECT {LOT_SELECT}, n.title AS notice_title, {STATUS_SQL} AS status "
        f"FROM tenders t LEFT JOIN tender_notices n ON n.uid = t.notice_uid {where}"
    )
    if exclude_closed:
        sql = f"SELECT * FROM ({sql}) WHERE status <> 'closed'"
    return _dicts(connection.execute(sql + " ORDER BY uid", params))


def tender_counts(connection: duckdb.DuckDBPyConnection, reference: date) -> dict[str, int]:
    """Number of lots per status on `reference` (lots published by that day)."""
    rows = connection.execute(
        f"SELECT {STATUS_SQL} AS status, count(*) FROM tenders t WHERE {PUBLISHED_SQL} GROUP BY 1",
        [reference, reference],
    ).fetchall()
    return {status: count for status, count in rows}


def lot_detail(connection: duckdb.DuckDBPyConnection, uid: str, reference: date) -> dict | None:
    """One lot with its raw values, its status on `reference` and its notice's type."""
    rows = _dicts(
        connection.execute(
            f"SELECT {LOT_SELECT}, t.cpv_raw, t.value_raw, t.deadline_raw, t.departement, "
            f"n.notice_type_raw, n.format, {STATUS_SQL} AS status "
            "FROM tenders t LEFT JOIN tender_notices n ON n.uid = t.notice_uid WHERE t.uid = ?",
            [reference, uid],
        )
    )
    return rows[0] if rows else None


def lot_flags(connection: duckdb.DuckDBPyConnection, uid: str) -> list[dict]:
    """Flags of a lot and of its notice."""
    notice_uid = uid.split("|", 1)[0]
    return _dicts(
        connection.execute(
            "SELECT uid, entity, field, reason, raw_value FROM flags WHERE uid IN (?, ?)",
            [uid, notice_uid],
        )
    )


def _table_exists(connection, table: str) -> bool:
    return bool(
        connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()[0]
    )


def startup_profile(connection: duckdb.DuckDBPyConnection, siren: str) -> dict:
    """What the warehouse knows of a company: names, descriptions, region, past awards."""
    profile = {"names": [], "texts": [], "region": None, "cpvs": [], "objects": []}
    if _table_exists(connection, "startup_members"):
        rows = connection.execute(
            "SELECT name, description, domain, region FROM startup_members WHERE siren = ?",
            [siren],
        ).fetchall()
        for name, description, domain, region in rows:
            profile["names"] += [name] if name else []
            profile["texts"] += [text for text in (description, domain) if text]
            profile["region"] = profile["region"] or region
    if _table_exists(connection, "companies"):
        row = connection.execute(
            "SELECT name, region FROM companies WHERE siren = ?", [siren]
        ).fetchone()
        if row:
            profile["names"] += [row[0]] if row[0] else []
            profile["region"] = profile["region"] or row[1]
    awards = connection.execute(
        "SELECT DISTINCT c.object, c.cpv, s.name FROM contracts c "
        "JOIN contract_suppliers s USING (uid) WHERE s.siren = ?",
        [siren],
    ).fetchall()
    profile["objects"] = sorted({obj for obj, _, _ in awards if obj})
    profile["cpvs"] = sorted({cpv for _, cpv, _ in awards if cpv})
    profile["names"] += sorted({name for _, _, name in awards if name})
    return profile


def lots_of_notices(
    connection: duckdb.DuckDBPyConnection, reference: date, notice_uids: list[str]
) -> list[dict]:
    """Every lot of the given notices, whatever their status (for retried deliveries)."""
    if not notice_uids:
        return []
    marks = ", ".join("?" for _ in notice_uids)
    return _dicts(
        connection.execute(
            f"SELECT {LOT_SELECT}, n.title AS notice_title, {STATUS_SQL} AS status "
            f"FROM tenders t LEFT JOIN tender_notices n ON n.uid = t.notice_uid "
            f"WHERE t.notice_uid IN ({marks}) ORDER BY t.uid",
            [reference, *notice_uids],
        )
    )


def busiest_day(connection: duckdb.DuckDBPyConnection, french: bool = True) -> date | None:
    """The publication day on which the most lots (in France) were open: a good reference
    date to show sample data, whose notices are years old."""
    where = "WHERE region IS NOT NULL" if french else ""
    row = connection.execute(
        f"""
        WITH days AS (SELECT DISTINCT publication_date AS day FROM tenders {where})
        SELECT d.day, count(t.uid) AS open_lots
        FROM days d JOIN tenders t
          ON t.kind <> 'result' AND t.publication_date <= d.day
         AND CAST(t.deadline AS DATE) >= d.day {"AND t.region IS NOT NULL" if french else ""}
        WHERE d.day IS NOT NULL
        GROUP BY d.day ORDER BY open_lots DESC, d.day DESC LIMIT 1
        """
    ).fetchone()
    return row[0] if row else None


def described_startups(connection: duckdb.DuckDBPyConnection, limit: int) -> list[str]:
    """SIRENs of start-up list members with a description (the first `limit`, by SIREN)."""
    if not _table_exists(connection, "startup_members"):
        return []
    rows = connection.execute(
        "SELECT DISTINCT siren FROM startup_members WHERE siren IS NOT NULL "
        "AND coalesce(description, '') <> '' ORDER BY siren LIMIT ?",
        [limit],
    ).fetchall()
    return [row[0] for row in rows]
