"""Loading tender notices: the loader of the "tenders" readers (`vivier ingest`).

`load_tenders` writes each `TenderNotice` into `tender_notices` (one row), `tenders`
(one row per lot), `flags` and, for award notices, `contracts` / `contract_suppliers` /
`contract_sources`; each `Reject` goes to `rejects`. A notice already loaded (same uid,
e.g. the same notice from another file) counts as a duplicate and is not loaded twice.
Rows are written in bulk (Arrow tables, one INSERT per table and batch).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from vivier.models import CONTRACT_COLUMNS as MODEL_CONTRACT_COLUMNS
from vivier.models import Reject
from vivier.reference.places import region_of_departement, region_of_nuts
from vivier.sources.tender_records import RESULT, TenderNotice
from vivier.warehouse.awards import AwardLoad
from vivier.warehouse.schema import TABLES

# Columns are declared once, in the schema.
NOTICE_COLUMNS = list(TABLES["tender_notices"])
LOT_COLUMNS = list(TABLES["tenders"])
CONTRACT_COLUMNS = [*MODEL_CONTRACT_COLUMNS, "file_id"]
SUPPLIER_COLUMNS = ["uid", "position", "id_raw", "id_type", "siret", "siren", "name"]


@dataclass
class TenderLoad(AwardLoad):
    """The counts of the awards' loader, plus lots and contracts from award notices."""

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
