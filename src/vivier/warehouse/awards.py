"""Awarded contracts (DECP) in the warehouse: the bulk loader of the "awards" readers.

Records are gathered in large batches, turned into Arrow tables and inserted with a few
set-based statements per batch. Deduplication happens inside DuckDB: a contract whose
national key (uid) is already in `contracts` (or earlier in the batch) is a duplicate;
its provenance still goes to `contract_sources`. Suppliers, modifications and flags are
loaded only for the contracts actually inserted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
BATCH_SIZE = 50_000
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


@dataclass
class ArrowBatch:
    """One batch as Arrow tables (picklable: worker processes send these), with counts."""

    tables: dict[str, pa.Table]
    read: int  # records (or tabular rows) read
    contracts: int  # contracts in the batch (before deduplication)
    rejected: int
    extra_rows: int  # tabular rows folded into a contract (counted as duplicates)


class _Batch:
    """Contracts and rejects of one batch, column-ready."""

    def __init__(self) -> None:
        self.contracts: list[tuple] = []
        self.suppliers: list[tuple] = []
        self.modifications: list[tuple] = []
        self.flags: list[tuple] = []
        self.rejects: list[tuple] = []
        self.read = 0
        self.extra_rows = 0

    def add(self, record: Contract | Reject) -> None:
        if record.__class__ is Reject:
            self.read += 1
            self.rejects.append((record.record_index, record.reason, record.raw))
            return
        self.read += record.source_rows
        self.extra_rows += record.source_rows - 1
        key = (record.uid, record.record_index)
        self.contracts.append((*_contract_values(record), record.record_index))
        for supplier in record.suppliers:
            self.suppliers.append((*key, *_supplier_values(supplier)))
        for modification in record.modifications:
            self.modifications.append((*key, *_modification_values(modification)))
        for flag in record.flags:
            self.flags.append((*key, *_flag_values(flag)))

    def __len__(self) -> int:
        return len(self.contracts) + len(self.rejects)

    def to_arrow(self) -> ArrowBatch:
        tables = {
            "b_contracts": _table((*CONTRACT_COLUMNS, "record_index"), self.contracts),
            "b_suppliers": _table((*_KEY, *SUPPLIER_COLUMNS), self.suppliers),
            "b_modifications": _table((*_KEY, *MODIFICATION_COLUMNS), self.modifications),
            "b_flags": _table((*_KEY, *FLAG_COLUMNS), self.flags),
            "b_rejects": _table(("record_index", "reason", "raw"), self.rejects),
        }
        return ArrowBatch(
            tables, self.read, len(self.contracts), len(self.rejects), self.extra_rows
        )


_KEY = ("uid", "record_index")


def arrow_batches(
    records: Iterable[Contract | Reject], batch_size: int = BATCH_SIZE
) -> Iterator[ArrowBatch]:
    """Group records into Arrow batches (runs in the reading process)."""
    batch = _Batch()
    for record in records:
        batch.add(record)
        if len(batch) >= batch_size:
            yield batch.to_arrow()
            batch = _Batch()
    if len(batch):
        yield batch.to_arrow()


def _insert_batch(connection: duckdb.DuckDBPyConnection, tables: dict, file_id: int) -> int:
    """Insert one batch; returns how many contracts were new."""
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
        connection.execute(
            "INSERT INTO rejects (file_id, record_index, reason, raw) "
            f"SELECT {int(file_id)}, record_index, reason, raw FROM b_rejects"
        )
        return connection.execute("SELECT count(*) FROM b_new").fetchall()[0][0]
    finally:
        for name in tables:
            connection.unregister(name)


def load_batches(
    connection: duckdb.DuckDBPyConnection, batches: Iterable[ArrowBatch], file_id: int
) -> AwardLoad:
    """Load Arrow batches of one file (inside the caller's transaction)."""
    summary = AwardLoad()
    for batch in batches:
        new = _insert_batch(connection, batch.tables, file_id)
        summary.read += batch.read
        summary.rejected += batch.rejected
        summary.loaded += new
        summary.duplicates += batch.contracts - new + batch.extra_rows
    return summary


def load_awards(
    connection: duckdb.DuckDBPyConnection,
    records: Iterable[Contract | Reject],
    file_id: int,
    batch_size: int = BATCH_SIZE,
) -> AwardLoad:
    """Load the contracts and rejects read from one file (inside the caller's transaction)."""
    return load_batches(connection, arrow_batches(records, batch_size), file_id)
