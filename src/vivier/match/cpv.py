"""CPV-tree proximity: how much an entity bought or sold near the query's CPV codes.

Each entity has a profile: the number of its contracts under every prefix of their CPV
codes (division = 2 digits, group = 3, class = 4, category = 5, code = 8). A query code
scores an entity by its deepest shared prefixes, deeper levels weighing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from vivier.codes import normalise_cpv
from vivier.errors import BadValueError
from vivier.reference import cpv_label, cpv_table

LEVELS = (2, 3, 4, 5, 8)
LEVEL_WEIGHTS = {2: 1.0, 3: 2.0, 4: 3.0, 5: 4.0, 8: 5.0}


def prefixes(code: str) -> tuple[str, ...]:
    """The significant prefixes of a CPV code ('72260000' → 72, 722, 7226, 72260, 72260000)."""
    return _prefixes(code)


@lru_cache(maxsize=50_000)
def _prefixes(code: str) -> tuple[str, ...]:
    depth = significant(code)
    return (*(code[:level] for level in LEVELS[:-1] if level <= depth), code)


def significant(code: str) -> int:
    stripped = code.rstrip("0")
    return max(len(stripped), 2)


def check_cpv_codes(raw_codes: Iterable[str]) -> list[str]:
    """Normalise user-given CPV codes; unknown ones are refused with a French message."""
    codes = []
    for raw in raw_codes:
        checked = normalise_cpv(raw)
        if not checked.ok or checked.value not in cpv_table():
            raise BadValueError(
                f"Code CPV inconnu : « {raw} ». Donnez un code de la nomenclature CPV 2008 "
                "à 8 chiffres, par exemple 72260000 (services liés aux logiciels)."
            )
        codes.append(checked.value)
    return codes


def describe(prefix: str) -> str:
    """'7226… (Services liés aux logiciels)' for a prefix."""
    label = cpv_label(prefix.ljust(8, "0"))
    shown = prefix if len(prefix) == 8 else prefix + "…"
    return f"{shown} ({label})" if label else shown


class CpvProfiles:
    def __init__(self, vocabulary: dict[str, int], counts: sparse.csc_matrix):
        self.vocabulary = vocabulary
        self.counts = counts  # entities × prefixes: number of contracts
        self.by_row = counts.tocsr()  # the same, read by entity (`codes_of`)
        self.keys = sorted(vocabulary, key=vocabulary.get)

    def codes_of(self, row: int) -> list[str]:
        """The full CPV codes of an entity's contracts, with repetitions (as counted)."""
        start, end = self.by_row.indptr[row], self.by_row.indptr[row + 1]
        codes = []
        columns = self.by_row.indices[start:end].tolist()
        for column, count in zip(columns, self.by_row.data[start:end].tolist(), strict=True):
            if len(self.keys[column]) == 8:
                codes.extend([self.keys[column]] * int(count))
        return codes

    @classmethod
    def build(cls, codes_per_entity: Sequence[Iterable[str]]) -> CpvProfiles:
        vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for row, codes in enumerate(codes_per_entity):
            for code in codes:
                if not code:
                    continue
                for prefix in prefixes(code):
                    rows.append(row)
                    cols.append(vocabulary.setdefault(prefix, len(vocabulary)))
        matrix = sparse.coo_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(codes_per_entity), max(len(vocabulary), 1)),
        ).tocsc()
        matrix.sum_duplicates()
        return cls(vocabulary, matrix)

    def scores(self, codes: Sequence[str]) -> np.ndarray:
        """Per entity: for each query code, Σ over shared levels of weight × log(1 + count);
        the best query code counts."""
        best = np.zeros(self.counts.shape[0], dtype=np.float32)
        for code in codes:
            total = np.zeros_like(best)
            for prefix in prefixes(code):
                column = self.vocabulary.get(prefix)
                if column is None:
                    continue
                values = self.counts[:, column].toarray().ravel()
                total += LEVEL_WEIGHTS[len(prefix)] * np.log1p(values)
            best = np.maximum(best, total)
        return best

    def evidence(self, row: int, codes: Sequence[str]) -> tuple[str, int] | None:
        """The deepest prefix of a query code the entity has contracts under, and how many."""
        start, end = self.by_row.indptr[row], self.by_row.indptr[row + 1]
        columns = self.by_row.indices[start:end].tolist()
        counts = dict(zip(columns, self.by_row.data[start:end].tolist(), strict=True))
        found = None
        for code in codes:
            for prefix in prefixes(code):
                column = self.vocabulary.get(prefix)
                count = int(counts.get(column, 0))
                if count and (found is None or len(prefix) > len(found[0])):
                    found = (prefix, count)
        return found

    def save(self, path: Path) -> None:
        sparse.save_npz(path.with_suffix(".npz"), self.counts)
        keys = sorted(self.vocabulary, key=self.vocabulary.get)
        np.save(path.with_suffix(".keys.npy"), np.array(keys, dtype=str))

    @classmethod
    def load(cls, path: Path) -> CpvProfiles:
        counts = sparse.load_npz(path.with_suffix(".npz")).tocsc()
        keys = np.load(path.with_suffix(".keys.npy"))
        return cls({str(k): i for i, k in enumerate(keys)}, counts)
