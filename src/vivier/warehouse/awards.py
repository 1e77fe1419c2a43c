"""Awarded contracts (DECP) in the warehouse: the bulk loader of the "awards" readers.

Records are gathered in large batches, turned into Arrow tables and inserted with a few
set-based statements per batch. Deduplication happens inside DuckDB: a contract whose
national key (uid) is already in `contracts` (or earlier in the batch) is a duplicate;
its provenance still goes to `contract_sources`. Suppliers, modifications and flags are
loaded only for the contracts actually inserted.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

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
from vivier.warehouse import spool

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


def arrow_batch(records: Iterable[Contract | Reject | Rows]) -> ArrowBatch:
    """All the records as one Arrow batch."""
    batch = _Batch()
    for record in records:
        batch.add(record)
    return batch.to_arrow()


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


SEQ_SHIFT = 32  # a staged record_index is a seq: chunk << SEQ_SHIFT | index in the chunk


@dataclass
class Staged:
    """Counts of the batches written to the spool, and the items of each chunk."""

    read: int = 0
    contracts: int = 0
    rejected: int = 0
    extra_rows: int = 0
    chunks: dict[int, int] = field(default_factory=dict)  # chunk → items (seq's high part)

    def add(self, batch: ArrowBatch, chunk: int = 0, items: int | None = None) -> None:
        self.read += batch.read
        self.contracts += batch.contracts
        self.rejected += batch.rejected
        self.extra_rows += batch.extra_rows
        self.chunks[chunk] = self.chunks.get(chunk, 0) + (batch.read if items is None else items)

    def first_indices(self) -> pa.Table:
        """chunk → record index of its first item (the chunks follow one another)."""
        chunks = sorted(self.chunks)
        firsts, total = [], 0
        for chunk in chunks:
            firsts.append(total)
            total += self.chunks[chunk]
        return pa.table(
            {"chunk": pa.array(chunks, pa.int64()), "first": pa.array(firsts, pa.int64())}
        )


def empty_batch() -> dict[str, pa.Table]:
    """The staging tables, empty (their schemas)."""
    return _Batch().to_arrow().tables


def _record_index(alias: str) -> str:
    """SQL: the record index in the file of a staged seq (joined with s_chunks k)."""
    return f"k.first + ({alias}.record_index & {(1 << SEQ_SHIFT) - 1})"


def _chunk_join(alias: str) -> str:
    return f"JOIN s_chunks k ON k.chunk = {alias}.record_index >> {SEQ_SHIFT}"


def merge_staged(connection: duckdb.DuckDBPyConnection, staged: Staged, file_id: int) -> AwardLoad:
    """Insert the staged file (tables `s_*`) into the warehouse (inside the caller's
    transaction).

    A contract whose uid is already in `contracts` (or earlier in the file: smallest
    seq) is a duplicate; its provenance still goes to `contract_sources`. A seq names
    one record of the file: the rows to keep are joined on it alone (an integer)."""
    connection.register("s_chunks", staged.first_indices())
    try:
        new = _merge(connection, int(file_id))
    finally:
        connection.unregister("s_chunks")
        connection.execute("DROP TABLE IF EXISTS temp.s_new")
    return AwardLoad(
        read=staged.read,
        loaded=new,
        rejected=staged.rejected,
        duplicates=staged.contracts - new + staged.extra_rows,
    )


def _merge(connection: duckdb.DuckDBPyConnection, file_id: int) -> int:
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE s_new AS "
        f"SELECT n.record_index, {file_id << 32} | {_record_index('n')} AS cid FROM ("
        "SELECT min(record_index) AS record_index FROM s_contracts b "
        "WHERE NOT EXISTS (SELECT 1 FROM contracts c WHERE c.uid = b.uid) GROUP BY uid) n "
        + _chunk_join("n")
    )
    columns = ", ".join(CONTRACT_COLUMNS)
    connection.execute(
        f"INSERT INTO contracts ({columns}, file_id, cid) "
        f"SELECT {', '.join('b.' + c for c in CONTRACT_COLUMNS)}, {file_id}, n.cid "
        "FROM s_contracts b JOIN s_new n USING (record_index)"
    )
    connection.execute(
        "INSERT INTO contract_sources (uid, source, file_id, record_index) "
        f"SELECT b.uid, b.source, {file_id}, {_record_index('b')} FROM s_contracts b "
        + _chunk_join("b")
    )
    for table, target, columns in (
        ("s_suppliers", "contract_suppliers", (*SUPPLIER_COLUMNS, "cid")),
        ("s_modifications", "modifications", MODIFICATION_COLUMNS),
        ("s_flags", "flags", FLAG_COLUMNS),
    ):
        selected = ", ".join(("n." if column == "cid" else "t.") + column for column in columns)
        connection.execute(
            f"INSERT INTO {target} (uid, {', '.join(columns)}) SELECT t.uid, {selected} "
            f"FROM {table} t JOIN s_new n USING (record_index)"
        )
    connection.execute(
        "INSERT INTO rejects (file_id, record_index, reason, raw) "
        f"SELECT {file_id}, {_record_index('r')}, r.reason, r.raw FROM s_rejects r "
        + _chunk_join("r")
    )
    return connection.execute("SELECT count(*) FROM s_new").fetchall()[0][0]


def load_batches(
    connection: duckdb.DuckDBPyConnection, batches: Iterable[ArrowBatch], file_id: int
) -> AwardLoad:
    """Load Arrow batches of one file (inside the caller's transaction), through a spool."""
    with tempfile.TemporaryDirectory(prefix=spool.SPOOL_PREFIX) as folder:
        staged = Staged()
        writer = spool.SpoolWriter(Path(folder), "main")
        for batch in batches:
            writer.write(batch.tables)
            staged.add(batch)
        writer.close()
        names = spool.register(connection, Path(folder), empty_batch())
        try:
            return merge_staged(connection, staged, file_id)
        finally:
            spool.unregister(connection, names)


def load_awards(
    connection: duckdb.DuckDBPyConnection,
    records: Iterable[Contract | Reject],
    file_id: int,
    batch_size: int = BATCH_SIZE,
) -> AwardLoad:
    """Load the contracts and rejects read from one file (inside the caller's transaction)."""
    return load_batches(connection, arrow_batches(records, batch_size), file_id)
