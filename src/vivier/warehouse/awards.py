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
from vivier.sources.decp_rows import Rows

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

    def add(self, record: Contract | Reject | Rows) -> None:
        if record.__class__ is Rows:
            self.read += 1
            self.contracts.append(record.contract)
            self.suppliers += record.suppliers
            self.modifications += record.modifications
            self.flags += record.flags
            return
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


_STAGED = ("b_contracts", "b_suppliers", "b_modifications", "b_flags", "b_rejects")


@dataclass
class Staged:
    """Counts of the batches appended to the staging tables (`s_*`, temporary)."""

    read: int = 0
    contracts: int = 0
    rejected: int = 0
    extra_rows: int = 0


def stage_batches(connection: duckdb.DuckDBPyConnection, batches: Iterable[ArrowBatch]) -> Staged:
    """Append every batch to temporary staging tables (no transaction needed: they are
    dropped afterwards, and DuckDB spills them to disk beyond its memory limit)."""
    staged = Staged()
    empty = _Batch().to_arrow().tables
    for name, table in empty.items():
        connection.register(name, table)
        try:
            connection.execute(f"CREATE OR REPLACE TEMP TABLE s{name[1:]} AS FROM {name}")
        finally:
            connection.unregister(name)
    for batch in batches:
        for name, table in batch.tables.items():
            connection.register(name, table)
            try:
                connection.execute(f"INSERT INTO s{name[1:]} FROM {name}")
            finally:
                connection.unregister(name)
        staged.read += batch.read
        staged.contracts += batch.contracts
        staged.rejected += batch.rejected
        staged.extra_rows += batch.extra_rows
    return staged


def drop_staged(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop the staging tables (harmless when an aborted transaction already did)."""
    for name in (*_STAGED, "b_new"):
        try:
            connection.execute(f"DROP TABLE IF EXISTS temp.s{name[1:]}")
        except duckdb.Error:
            return


def merge_staged(connection: duckdb.DuckDBPyConnection, staged: Staged, file_id: int) -> AwardLoad:
    """Insert the staged file into the warehouse (inside the caller's transaction).

    A contract whose uid is already in `contracts` (or earlier in the file: smallest
    record index) is a duplicate; its provenance still goes to `contract_sources`."""
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE s_new AS "
        "SELECT uid, min(record_index) AS record_index FROM s_contracts b "
        "WHERE NOT EXISTS (SELECT 1 FROM contracts c WHERE c.uid = b.uid) GROUP BY uid"
    )
    columns = ", ".join(CONTRACT_COLUMNS)
    connection.execute(
        f"INSERT INTO contracts ({columns}, file_id) "
        f"SELECT {', '.join('b.' + c for c in CONTRACT_COLUMNS)}, {int(file_id)} "
        "FROM s_contracts b JOIN s_new n USING (uid, record_index)"
    )
    connection.execute(
        "INSERT INTO contract_sources (uid, source, file_id, record_index) "
        f"SELECT uid, source, {int(file_id)}, record_index FROM s_contracts"
    )
    for table, target, columns in (
        ("s_suppliers", "contract_suppliers", SUPPLIER_COLUMNS),
        ("s_modifications", "modifications", MODIFICATION_COLUMNS),
        ("s_flags", "flags", FLAG_COLUMNS),
    ):
        selected = ", ".join("t." + column for column in columns)
        connection.execute(
            f"INSERT INTO {target} (uid, {', '.join(columns)}) SELECT t.uid, {selected} "
            f"FROM {table} t JOIN s_new n USING (uid, record_index)"
        )
    connection.execute(
        "INSERT INTO rejects (file_id, record_index, reason, raw) "
        f"SELECT {int(file_id)}, record_index, reason, raw FROM s_rejects"
    )
    new = connection.execute("SELECT count(*) FROM s_new").fetchall()[0][0]
    return AwardLoad(
        read=staged.read,
        loaded=new,
        rejected=staged.rejected,
        duplicates=staged.contracts - new + staged.extra_rows,
    )


def load_batches(
    connection: duckdb.DuckDBPyConnection, batches: Iterable[ArrowBatch], file_id: int
) -> AwardLoad:
    """Load Arrow batches of one file (inside the caller's transaction)."""
    try:
        return merge_staged(connection, stage_batches(connection, batches), file_id)
    finally:
        drop_staged(connection)


def load_awards(
    connection: duckdb.DuckDBPyConnection,
    records: Iterable[Contract | Reject],
    file_id: int,
    batch_size: int = BATCH_SIZE,
) -> AwardLoad:
    """Load the contracts and rejects read from one file (inside the caller's transaction)."""
    return load_batches(connection, arrow_batches(records, batch_size), file_id)
