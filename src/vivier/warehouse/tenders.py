"""Tenders in the warehouse: the loader of the "tenders" readers and the tender queries.

`load_tenders` writes each `TenderNotice` into `tender_notices` (one row), `tenders`
(one row per lot), `flags` and, for award notices, `contracts` / `contract_suppliers` /
`contract_sources`; each `Reject` goes to `rejects`. A notice already loaded (same uid,
e.g. the same notice from another file) counts as a duplicate and is not loaded twice.

The status of a lot is computed against a reference date: 'open' while its deadline is
on or after that date, 'closed' after it (and for award notices), 'unknown' without one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

from vivier.models import CONTRACT_COLUMNS as MODEL_CONTRACT_COLUMNS
from vivier.models import Reject
from vivier.reference.places import region_of_departement, region_of_nuts
from vivier.sources.tender_records import RESULT, TenderNotice
from vivier.warehouse.schema import TABLES

# Columns are declared once, in the schema.
NOTICE_COLUMNS = list(TABLES["tender_notices"])
LOT_COLUMNS = list(TABLES["tenders"])
CONTRACT_COLUMNS = [*MODEL_CONTRACT_COLUMNS, "file_id"]
SUPPLIER_COLUMNS = ["uid", "position", "id_raw", "id_type", "siret", "siren", "name"]


@dataclass
class TenderLoad:
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    lots: int = 0
    contracts: int = 0


def _insert(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def load_tenders(
    connection: duckdb.DuckDBPyConnection,
    records: Iterable[TenderNotice | Reject],
    file_id: int,
    absurd_amount: float = 1_000_000_000.0,
) -> TenderLoad:
    """Load notices and rejects read from one file; returns the counts."""
    summary = TenderLoad()
    seen = _known_uids(connection)
    for record in records:
        summary.read += 1
        if isinstance(record, Reject):
            summary.rejected += 1
            _insert(
                connection,
                "rejects",
                ["file_id", "record_index", "reason", "raw"],
                [(file_id, record.record_index, record.reason, record.raw)],
            )
            continue
        if record.uid in seen:
            summary.duplicates += 1
            continue
        seen.add(record.uid)
        _load_notice(connection, record, file_id, absurd_amount, summary)
        summary.loaded += 1
    return summary


def _known_uids(connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT uid FROM tender_notices").fetchall()}


def _load_notice(connection, notice: TenderNotice, file_id, absurd_amount, summary) -> None:
    values = {**vars(notice), "uid": notice.uid, "lots": len(notice.lots), "file_id": file_id}
    _insert(connection, "tender_notices", NOTICE_COLUMNS, [_row(values, NOTICE_COLUMNS)])
    _insert(
        connection, "tenders", LOT_COLUMNS, [_lot_row(notice, lot, file_id) for lot in notice.lots]
    )
    summary.lots += len(notice.lots)
    flags = [
        (
            f"{notice.uid}|{f.lot_id}" if f.lot_id else notice.uid,
            f.entity,
            f.field,
            f.reason,
            f.raw_value,
        )
        for f in notice.flags
    ]
    _insert(connection, "flags", ["uid", "entity", "field", "reason", "raw_value"], flags)
    if notice.kind == RESULT:
        summary.contracts += _load_awards(connection, notice, file_id, absurd_amount)


def _row(values: dict, columns: list[str]) -> tuple:
    return tuple(values.get(column) for column in columns)


def _lot_row(notice: TenderNotice, lot, file_id: int) -> tuple:
    region = region_of_nuts(lot.nuts) or region_of_departement(lot.departement)
    values = {
        **vars(lot),
        "uid": f"{notice.uid}|{lot.lot_id}",
        "notice_uid": notice.uid,
        "source": notice.source,
        "kind": notice.kind,
        "cpv_additional": " ".join(lot.cpv_additional) or None,
        "region": region,
        "publication_date": notice.publication_date or notice.issue_date,
        "buyer_name": notice.buyer_name,
        "buyer_siren": notice.buyer_siren,
        "procedure": notice.procedure,
        "url": notice.url,
        "file_id": file_id,
    }
    return _row(values, LOT_COLUMNS)


def _load_awards(connection, notice: TenderNotice, file_id: int, absurd_amount: float) -> int:
    """Award notices feed the awards: one contract per settled contract, with its winners."""
    lots = {lot.lot_id: lot for lot in notice.lots}
    buyer_key = notice.buyer_siret or notice.buyer_id_raw or notice.uid
    known = connection.execute("SELECT uid FROM contracts WHERE uid LIKE ?", [f"{buyer_key}|%"])
    existing = {row[0] for row in known.fetchall()}
    contracts, suppliers, sources, flags = [], [], [], []
    mine: set[str] = set()
    for index, award in enumerate(notice.awards):
        contract_id = award.contract_id or f"{notice.notice_id}-{index + 1}"
        uid = f"{buyer_key}|{contract_id}"
        if uid in existing:
            continue
        if uid in mine:  # two contracts of this notice share a reference
            contract_id = f"{contract_id}#{index + 1}"
            uid = f"{buyer_key}|{contract_id}"
        mine.add(uid)
        lot = lots.get(award.lot_id or "") or (notice.lots[0] if len(notice.lots) == 1 else None)
        amount = award.amount
        if amount is not None and amount >= absurd_amount:
            flags.append((uid, "contract", "amount", "amount_absurd", str(amount)))
            amount = None
        values = {
            **vars(notice),
            "uid": uid,
            "contract_id": contract_id,
            "kind": "marche",
            "object": (lot.title if lot else None) or notice.title,
            "cpv_raw": lot.cpv_raw if lot else None,
            "cpv": lot.cpv if lot else None,
            "amount_raw": None if award.amount is None else str(award.amount),
            "amount": amount,
            "notification_date": award.date,
            "place_code": lot.nuts if lot else notice.buyer_nuts,
            "place_type": "nuts",
            "file_id": file_id,
        }
        contracts.append(_row(values, CONTRACT_COLUMNS))
        sources.append((uid, notice.source, file_id, notice.record_index))
        for position, winner in enumerate(award.winners, start=1):
            id_type = "SIRET" if winner.siret else ("SIREN" if winner.siren else None)
            suppliers.append(
                (uid, position, winner.id_raw, id_type, winner.siret, winner.siren, winner.name)
            )
    _insert(connection, "contracts", CONTRACT_COLUMNS, contracts)
    _insert(connection, "contract_suppliers", SUPPLIER_COLUMNS, suppliers)
    _insert(connection, "contract_sources", ["uid", "source", "file_id", "record_index"], sources)
    _insert(connection, "flags", ["uid", "entity", "field", "reason", "raw_value"], flags)
    return len(contracts)


# --- queries -----------------------------------------------------------------------------

STATUS_SQL = (
    "CASE WHEN t.kind = 'result' THEN 'closed' WHEN t.deadline IS NULL THEN 'unknown' "
    "WHEN CAST(t.deadline AS DATE) >= CAST(? AS DATE) THEN 'open' ELSE 'closed' END"
)
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
    """Lots with their status on `reference`, newest publication first."""
    sql = f"SELECT {LOT_SELECT}, {STATUS_SQL} AS status FROM tenders t"
    params: list = [reference]
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
    conditions, params = [], [reference]
    for word in words or []:
        conditions.append(
            "strip_accents(lower(coalesce(t.title, '') || ' ' || coalesce(t.description, '')))"
            " LIKE ?"
        )
        params.append(f"%{word}%")
    if cpv_prefixes:
        parts = []
        for prefix in cpv_prefixes:
            parts.append("(t.cpv LIKE ? OR t.cpv_additional LIKE ?)")
            params += [f"{prefix}%", f"%{prefix}%"]
        conditions.append("(" + " OR ".join(parts) + ")")
    if regions:
        conditions.append(f"t.region IN ({', '.join('?' for _ in regions)})")
        params += list(regions)
    if min_value is not None:
        conditions.append("t.estimated_value >= ?")
        params.append(min_value)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = (
        f"SELECT {LOT_SELECT}, n.title AS notice_title, {STATUS_SQL} AS status "
        f"FROM tenders t LEFT JOIN tender_notices n ON n.uid = t.notice_uid {where}"
    )
    if exclude_closed:
        sql = f"SELECT * FROM ({sql}) WHERE status <> 'closed'"
    return _dicts(connection.execute(sql + " ORDER BY uid", params))


def tender_counts(connection: duckdb.DuckDBPyConnection, reference: date) -> dict[str, int]:
    """Number of lots per status on `reference`."""
    rows = connection.execute(
        f"SELECT {STATUS_SQL} AS status, count(*) FROM tenders t GROUP BY 1", [reference]
    ).fetchall()
    return {status: count for status, count in rows}


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
