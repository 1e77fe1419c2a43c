"""Mergeable aggregates of the award history, from which `AwardHistory` is computed.

The index folds batches of award rows (in the warehouse's ingest order) into these
aggregates, then computes the searchable structures from them. Every aggregate only grows
(counts add up, a profile keeps its first distinct contract objects, a name its first
value, the last date its maximum), so folding the rows in one go or in several batches —
e.g. the rows of the files ingested since the last build — gives the same aggregates, and
vocabularies are put in sorted order when computing: the same index, bit for bit.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse

from vivier.match.cpv import prefixes
from vivier.match.packing import pack, pack_keys, pack_nested, unpack, unpack_keys, unpack_nested

MAX_PROFILE_OBJECTS = 40  # distinct contract objects kept in a profile text


class Counts:
    """A growing sparse count matrix: rows × columns, columns named by a vocabulary (or
    plain integers when `named` is false). Pairs are buffered, then added by `flush`."""

    def __init__(self, named: bool = True):
        self.vocabulary: dict[str, int] | None = {} if named else None
        self.matrix = sparse.csr_matrix((0, 0), dtype=np.float32)
        self._rows, self._cols = array("q"), array("q")  # 8 bytes a pair, not 72

    def __getstate__(self) -> dict:
        vocabulary = None if self.vocabulary is None else pack_keys(self.vocabulary)
        return {"vocabulary": vocabulary, "matrix": self.matrix}

    def __setstate__(self, state: dict) -> None:
        packed = state["vocabulary"]
        self.vocabulary = None if packed is None else unpack_keys(packed)
        self.matrix = state["matrix"]
        self._rows, self._cols = array("q"), array("q")

    def column(self, key: str) -> int:
        return self.vocabulary.setdefault(key, len(self.vocabulary))

    def add(self, row: int, column: int) -> None:
        self._rows.append(row)
        self._cols.append(column)

    def flush(self, n_rows: int, n_cols: int | None = None) -> None:
        if n_cols is None:
            n_cols = len(self.vocabulary)
        shape = (max(n_rows, self.matrix.shape[0]), max(n_cols, self.matrix.shape[1], 1))
        delta = sparse.csr_matrix(
            (
                np.ones(len(self._rows), dtype=np.float32),
                (np.frombuffer(self._rows, dtype=np.int64), np.frombuffer(self._cols, np.int64)),
            ),
            shape=shape,
        )
        self._rows, self._cols = array("q"), array("q")
        matrix = self.matrix
        matrix.resize(shape)
        self.matrix = (matrix + delta).tocsr() if matrix.nnz else delta
        self.matrix.sum_duplicates()

    def sorted(self, n_rows: int) -> tuple[dict[str, int], sparse.csr_matrix]:
        """The vocabulary in sorted order and a copy of the matrix with its columns so."""
        keys = sorted(self.vocabulary)
        new_of_old = np.zeros(max(len(keys), 1), dtype=np.int32)
        for new, key in enumerate(keys):
            new_of_old[self.vocabulary[key]] = new
        matrix = self.matrix
        indptr = matrix.indptr.astype(np.int64)
        if matrix.shape[0] < n_rows:
            indptr = np.concatenate([indptr, np.full(n_rows - matrix.shape[0], indptr[-1])])
        out = sparse.csr_matrix(  # rows keep their entries' order: no sort needed to go CSC
            (matrix.data.copy(), new_of_old[matrix.indices], indptr),
            shape=(n_rows, max(len(keys), 1)),
        )
        return {key: i for i, key in enumerate(keys)}, out


class Entities:
    """Suppliers, buyers or supplier groups: the aggregates of their award rows."""

    def __init__(self):
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.names: list[str] = []
        self.objects: list[list[str]] = []
        self.contracts: list[int] = []
        self.last: list[str | None] = []
        self.terms = Counts()
        self.cpv = Counts()
        self.places = Counts()

    def __len__(self) -> int:
        return len(self.ids)

    def __getstate__(self) -> dict:
        return {
            "ids": pack(self.ids),
            "names": pack(self.names),
            "objects": pack_nested(self.objects),
            "contracts": np.asarray(self.contracts, dtype=np.int64),
            "last": pack(self.last),
            "counts": (self.terms, self.cpv, self.places),
        }

    def __setstate__(self, state: dict) -> None:
        self.ids = unpack(state["ids"])
        self.row_of = {key: row for row, key in enumerate(self.ids)}
        self.names = unpack(state["names"])
        self.objects = unpack_nested(state["objects"])
        self.contracts = state["contracts"].tolist()
        self.last = unpack(state["last"])
        self.terms, self.cpv, self.places = state["counts"]

    def row(self, key: str, name: str) -> int:
        row = self.row_of.get(key)
        if row is None:
            row = self.row_of[key] = len(self.ids)
            self.ids.append(key)
            self.names.append(name)
            self.objects.append([])
            self.contracts.append(0)
            self.last.append(None)
        return row

    def fold(self, keys, names, objects, cpvs, regions, dates, terms_of: Callable) -> list[int]:
        """Add award rows; returns each row's entity (-1 for an empty key)."""
        rows = []
        for key, name, text, cpv, region, date in zip(
            keys, names, objects, cpvs, regions, dates, strict=True
        ):
            if not key:
                rows.append(-1)
                continue
            row = self.row(key, name)
            rows.append(row)
            self.contracts[row] += 1
            kept = self.objects[row]
            if text and len(kept) < MAX_PROFILE_OBJECTS and text not in kept:
                kept.append(text)
                for term in terms_of(text):
                    self.terms.add(row, self.terms.column(term))
            if cpv:
                for prefix in prefixes(cpv):
                    self.cpv.add(row, self.cpv.column(prefix))
            if region:
                self.places.add(row, self.places.column(region))
            if date is not None and (self.last[row] is None or date > self.last[row]):
                self.last[row] = date
        for counts in (self.terms, self.cpv, self.places):
            counts.flush(len(self))
        return rows

    def top_regions(self) -> list[str | None]:
        """Each entity's most frequent region (ties: the smallest code)."""
        vocabulary, matrix = self.places.sorted(len(self))
        codes = sorted(vocabulary, key=vocabulary.get)
        counts = matrix.toarray()  # a few dozen regions
        best = counts.argmax(axis=1).tolist()
        present = (counts.max(axis=1, initial=0) > 0).tolist()
        return [codes[col] if has else None for col, has in zip(best, present, strict=True)]


class JoinedTexts(Sequence):
    """An entity's profile text, its kept contract objects joined by " ; " (built when
    read: the objects are stored once)."""

    def __init__(self, objects: list[list[str]]):
        self.objects = objects

    def __len__(self) -> int:
        return len(self.objects)

    def __getstate__(self) -> dict:
        return {"objects": pack_nested(self.objects)}

    def __setstate__(self, state: dict) -> None:
        self.objects = unpack_nested(state["objects"])

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [" ; ".join(kept) for kept in self.objects[row]]
        return " ; ".join(self.objects[row])


class Pairs:
    """Counts between rows and suppliers; rows are given as numbers, or named by keys kept
    in first-seen order (an organisation, a buyer × CPV division)."""

    def __init__(self):
        self.counts = Counts(named=False)
        self.row_of: dict[str, int] = {}

    def __getstate__(self) -> dict:
        return {"counts": self.counts, "row_of": pack_keys(self.row_of)}

    def __setstate__(self, state: dict) -> None:
        self.counts = state["counts"]
        self.row_of = unpack_keys(state["row_of"])

    def fold(self, keys: Sequence, suppliers: Sequence[int], n_rows: int, n_suppliers: int):
        for key, supplier in zip(keys, suppliers, strict=True):
            if isinstance(key, str):
                key = self.row_of.setdefault(key, len(self.row_of))
            if key >= 0:
                self.counts.add(key, supplier)
        self.counts.flush(max(n_rows, len(self.row_of)), n_suppliers)

    def matrix(self, n_rows: int, n_suppliers: int) -> sparse.csr_matrix:
        matrix = self.counts.matrix.copy()
        matrix.resize((n_rows, n_suppliers))
        return matrix


class ContractRows:
    """Past contracts, one row each (the first award row of its uid): their object's
    terms, buyer, CPV prefixes and winners."""

    def __init__(self):
        self.count = 0
        self.terms = Counts()
        self.buyers = np.zeros(0, dtype=np.int32)
        self.by_prefix: dict[str, np.ndarray] = {}
        self.winners = Counts(named=False)

    def fold(self, first, objects, cpvs, buyer_rows, supplier_rows, n_suppliers, terms_of):
        buyers: list[int] = []
        groups: dict[str, list[int]] = {}
        for is_first, text, cpv, buyer, supplier in zip(
            first, objects, cpvs, buyer_rows, supplier_rows, strict=True
        ):
            if is_first:
                row = self.count
                self.count += 1
                for term in terms_of(text):
                    self.terms.add(row, self.terms.column(term))
                buyers.append(buyer)
                for prefix in prefixes(cpv) if cpv else ():
                    groups.setdefault(prefix, []).append(row)
            self.winners.add(self.count - 1, supplier)
        self.terms.flush(self.count)
        self.winners.flush(self.count, n_suppliers)
        self.buyers = np.concatenate([self.buyers, np.asarray(buyers, dtype=np.int32)])
        for prefix, rows in groups.items():
            new = np.asarray(rows, dtype=np.int32)
            old = self.by_prefix.get(prefix)
            self.by_prefix[prefix] = new if old is None else np.concatenate([old, new])
