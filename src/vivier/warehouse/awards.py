"""Awarded contracts (DECP) in the warehouse: the bulk loader of the "awards" readers.

Records are gathered in large batches, turned into Arrow tables and inserted with a few
set-based statements per batch. Deduplication happens inside DuckDB: a contract whose
national key (uid) is already in `contracts` (or earlier in the batch) is a duplicate;
its provenance still goes to `contract_sources`. Suppliers, modifications and flags are
loaded only for the contracts actually inserted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

import duckdb
import pyarrow as pa

from vivier.models import (
    CONTRACT_COLUMNS,
    FLAG_COLUMNS,
    MODIFICATION_COLUMNS,
    SUPPLIER_COLUMNS,
    Contract,
    Reject,
)

BATCH_SIZE = 100_000

_ARROW_TYPES = {
    "amount": pa.float64(),
    "duration_months": pa.float64(),
    "notification_date": pa.date32(),
    "publication_date": pa.date32(),
    "innovative": pa.bool_(),
    "offers_received": pa.int32(),
    "position": pa.int32(),
    "record_index": pa.int64(),
}
_contract_values = attrgetter(*CONTRACT_COLUMNS)
_supplier_values = attrgetter(*SUPPLIER_COLUMNS)
_modification_values = attrgetter(*MODIFICATION_COLUMNS)
_flag_values = attrgetter(*FLAG_COLUMNS)


@dataclass
class AwardLoad:
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0


def _table(columns: tuple[str, ...], rows: list[tuple]) -> pa.Table:
    """Rows → an Arrow table, each column with its warehouse type."""
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    arrays = [
        pa.array(column, type=_ARROW_TYPES.get(name, pa.string()))
        for name, column in zip(columns, values, strict=True)
    ]
    return pa.Table.from_arrays(arrays, names=list(columns))


class _Batch:
    """Contracts of one batch, column-ready."""

    def __init__(self) -> None:
        self.contracts: list[tuple] = []
        self.suppliers: list[tuple] = []
        self.modifications: list[tuple] = []
        self.flags: list[tuple] = []

    def add(self, contract: Contract) -> None:
        key = (contract.uid, contract.record_index)
        self.contracts.append((*_contract_values(contract), contract.record_index))
        for supplier in contract.suppliers:
            self.suppliers.append((*key, *_supplier_values(supplier)))
        for modification in contract.modifications:
            self.modifications.append((*key, *_modification_values(modification)))
        for flag in contract.flags:
            self.flags.append((*key, *_flag_values(flag)))

    def __len__(self) -> int:
        return len(self.contracts)


_KEY = ("uid", "record_index")


def _arrow(batch: _Batch) -> dict[str, pa.Table]:
    return {
        "b_contracts": _table((*CONTRACT_COLUMNS, "record_index"), batch.contracts),
        "b_suppliers": _table((*_KEY, *SUPPLIER_COLUMNS), batch.suppliers),
        "b_modifications": _table((*_KEY, *MODIFICATION_COLUMNS), batch.modifications),
        "b_flags": _table((*_KEY, *FLAG_COLUMNS), batch.flags),
    }


def _insert_batch(connection: duckdb.DuckDBPyConnection, batch: _Batch, file_id: int) -> int:
    """Insert one batch; returns how many contracts were new."""
    tables = _arrow(batch)
    for name, table in tables.items():
        connection.register(name, table)
    try:
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE b_new AS "
            "SELECT uid, min(record_index) AS record_index FROM b_contracts b "
            "WHERE NOT EXISTS (SELECT 1 FROM contracts c WHERE c.uid = b.uid) GROUP BY uid"
        )
        columns = ", ".join(CONTRACT_COLUMNS)
        connection.execute(
            f"INSERT INTO contracts ({columns}, file_id) "
            f"SELECT {', '.join('b.' + c for c in CONTRACT_COLUMNS)}, {int(file_id)} "
            "FROM b_contracts b JOIN b_new n USING (uid, record_index)"
        )
        connection.execute(
            "INSERT INTO contract_sources (uid, source, file_id, record_index) "
            f"SELECT uid, source, {int(file_id)}, record_index FROM b_contracts"
        )
        for table, target, columns in (
            ("b_suppliers", "contract_suppliers", SUPPLIER_COLUMNS),
            ("b_modifications", "modifications", MODIFICATION_COLUMNS),
            ("b_flags", "flags", FLAG_COLUMNS),
        ):
            selected = ", ".join("t." + column for column in columns)
            connection.execute(
                f"INSERT INTO {target} (uid, {', '.join(columns)}) SELECT t.uid, {selected} "
                f"FROM {table} t JOIN b_new n USING (uid, record_index)"
            )
        return connection.execute("SELECT count(*) FROM b_new").fetchall()[0][0]
    finally:
        for name in tables:
            connection.unregister(name)


def insert_rejects(
    connection: duckdb.DuckDBPyConnection, rejects: list[Reject], file_id: int
) -> None:
    if not rejects:
        return
    table = pa.table(
        {
            "file_id": pa.array([file_id] * len(rejects), pa.int32()),
            "record_index": pa.array([r.record_index for r in rejects], pa.int64()),
            "reason": pa.array([r.reason for r in rejects], pa.string()),
            "raw": pa.array([r.raw for r in rejects], pa.string()),
        }
    )
    connection.register("b_rejects", table)
    try:
        connection.execute(
            "INSERT INTO rejects (file_id, record_index, reason, raw) "
            "SELECT file_id, record_index, reason, raw FROM b_rejects"
        )
    finally:
        connection.unregister("b_rejects")


def load_awards(
    connection: duckdb.DuckDBPyConnection,
    records: Iterable[Contract | Reject],
    file_id: int,
    batch_size: int = BATCH_SIZE,
) -> AwardLoad:
    """Load the contracts and rejects read from one file (inside the caller's transaction)."""
    summary = AwardLoad()
    batch = _Batch()
    rejects: list[Reject] = []
    for record in records:
        if isinstance(record, Reject):
            summary.read += 1
            summary.rejected += 1
            rejects.append(record)
            if len(rejects) >= batch_size:
                insert_rejects(connection, rejects, file_id)
                rejects = []
            continue
        summary.read += record.source_rows
        summary.duplicates += record.source_rows - 1
        batch.add(record)
        if len(batch) >= batch_size:
            summary.loaded += _flush(connection, batch, file_id, summary)
            batch = _Batch()
    summary.loaded += _flush(connection, batch, file_id, summary)
    insert_rejects(connection, rejects, file_id)
    return summary


def _flush(connection, batch: _Batch, file_id: int, summary: AwardLoad) -> int:
    if not len(batch):
        return 0
    new = _insert_batch(connection, batch, file_id)
    summary.duplicates += len(batch) - new
    return new
