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
import pyarrow as pa

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


FLAG_COLUMNS = ["uid", "entity", "field", "reason", "raw_value"]
REJECT_COLUMNS = ["file_id", "record_index", "reason", "raw"]
SOURCE_COLUMNS = ["uid", "source", "file_id", "record_index"]
COLUMNS = {
    "tender_notices": NOTICE_COLUMNS,
    "tenders": LOT_COLUMNS,
    "flags": FLAG_COLUMNS,
    "rejects": REJECT_COLUMNS,
    "contracts": CONTRACT_COLUMNS,
    "contract_suppliers": SUPPLIER_COLUMNS,
    "contract_sources": SOURCE_COLUMNS,
}
BATCH_NOTICES = 2_000


class _Batch:
    """Rows waiting to be written, table by table, in bulk (Arrow tables, one INSERT each)."""

    def __init__(self):
        self.rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
        self.contract_uids: set[str] = set()  # staged since the start of the load

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def flush(self, connection) -> int:
        """Write everything; returns the number of contracts actually added."""
        contracts = self._new_contracts(connection)
        for table, rows in self.rows.items():
            _bulk_insert(connection, table, COLUMNS[table], rows)
            rows.clear()
        return contracts

    def _new_contracts(self, connection) -> int:
        """Drop the contracts (and their suppliers, sources) already in the warehouse."""
        staged = self.rows["contracts"]
        if not staged:
            return 0
        uids = pa.table({"uid": [row[0] for row in staged]})
        connection.register("_staged_uids", uids)
        known = connection.execute(
            "SELECT uid FROM contracts WHERE uid IN (SELECT uid FROM _staged_uids)"
        ).fetchall()
        connection.unregister("_staged_uids")
        existing = {row[0] for row in known}
        for table in ("contracts", "contract_suppliers", "contract_sources"):
            self.rows[table] = [row for row in self.rows[table] if row[0] not in existing]
        return len(self.rows["contracts"])


def _bulk_insert(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    staged = pa.table({column: [row[i] for row in rows] for i, column in enumerate(columns)})
    connection.register("_staged_rows", staged)
    names = ", ".join(columns)
    connection.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _staged_rows")
    connection.unregister("_staged_rows")


def load_tenders(
    connection: duckdb.DuckDBPyConnection,
    records: Iterable[TenderNotice | Reject],
    file_id: int,
    absurd_amount: float = 1_000_000_000.0,
) -> TenderLoad:
    """Load notices and rejects read from one file; returns the counts."""
    summary = TenderLoad()
    seen = _known_uids(connection)
    batch = _Batch()
    pending = 0
    for record in records:
        summary.read += 1
        if isinstance(record, Reject):
            summary.rejected += 1
            batch.add("rejects", (file_id, record.record_index, record.reason, record.raw))
            continue
        if record.uid in seen:
            summary.duplicates += 1
            continue
        seen.add(record.uid)
        _stage_notice(batch, record, file_id, absurd_amount)
        summary.loaded += 1
        summary.lots += len(record.lots)
        pending += 1
        if pending >= BATCH_NOTICES:
            summary.contracts += batch.flush(connection)
            pending = 0
    summary.contracts += batch.flush(connection)
    return summary


def _known_uids(connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT uid FROM tender_notices").fetchall()}


def _stage_notice(batch: _Batch, notice: TenderNotice, file_id, absurd_amount) -> None:
    values = {**vars(notice), "uid": notice.uid, "lots": len(notice.lots), "file_id": file_id}
    batch.add("tender_notices", _row(values, NOTICE_COLUMNS))
    for lot in notice.lots:
        batch.add("tenders", _lot_row(notice, lot, file_id))
    for flag in notice.flags:
        uid = f"{notice.uid}|{flag.lot_id}" if flag.lot_id else notice.uid
        batch.add("flags", (uid, flag.entity, flag.field, flag.reason, flag.raw_value))
    if notice.kind == RESULT:
        _stage_awards(batch, notice, file_id, absurd_amount)


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


def _stage_awards(batch: _Batch, notice: TenderNotice, file_id: int, absurd_amount: float):
    """Award notices feed the awards: one contract per settled contract, with its winners
    (contracts already in the warehouse under the same uid are left as they are)."""
    lots = {lot.lot_id: lot for lot in notice.lots}
    buyer_key = notice.buyer_siret or notice.buyer_id_raw or notice.uid
    mine: set[str] = set()
    for index, award in enumerate(notice.awards):
        contract_id = award.contract_id or f"{notice.notice_id}-{index + 1}"
        if f"{buyer_key}|{contract_id}" in mine:  # two contracts share a reference
            contract_id = f"{contract_id}#{index + 1}"
        uid = f"{buyer_key}|{contract_id}"
        mine.add(uid)
        if uid in batch.contract_uids:  # already given by another notice of this load
            continue
        batch.contract_uids.add(uid)
        lot = lots.get(award.lot_id or "") or (notice.lots[0] if len(notice.lots) == 1 else None)
        amount = award.amount
        if amount is not None and amount >= absurd_amount:
            batch.add("flags", (uid, "contract", "amount", "amount_absurd", str(amount)))
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
        batch.add("contracts", _row(values, CONTRACT_COLUMNS))
        batch.add("contract_sources", (uid, notice.source, file_id, notice.record_index))
        for position, winner in enumerate(award.winners, start=1):
            id_type = "SIRET" if winner.siret else ("SIREN" if winner.siren else None)
            batch.add(
                "contract_suppliers",
                (uid, position, winner.id_raw, id_type, winner.siret, winner.siren, winner.name),
            )


# --- queries -----------------------------------------------------------------------------

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
