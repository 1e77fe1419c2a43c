"""The supplier ranker's facts (`vivier.match.features.SupplierFacts`) as mergeable
aggregates, folded with the award history by `vivier index` so that an update reads only
the new files (the evaluation builds them from SQL aggregates instead:
`vivier.warehouse.ranking.supplier_aggregates`, same definitions).

Per supplier: award rows per département of the place of execution, per département
and CPV division or group, per procedure, per nature, framework agreements per buyer
organisation, the sum and number of log10 amounts, the terms of its name; per buyer
SIRET and département: contracts and the first (place code, place type) seen in sorted
order (the tie-break of the usual département).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from vivier.match.aggregate import Counts, Entities
from vivier.match.bm25 import BM25
from vivier.match.features import SupplierFacts, departement
from vivier.match.packing import pack, unpack
from vivier.match.text import analyse
from vivier.reference import cpv_label

EPOCH = 719163  # date(1970, 1, 1).toordinal()
DEPTS = 4096  # more than the départements (a key: buyer row × DEPTS + département)
_COUNT_NAMES = ("departements", "procedures", "natures", "frameworks", "local")  # Counts


class FactsAggregate:
    def __init__(self):
        self.departements = Counts()
        self.procedures = Counts()
        self.natures = Counts()
        self.frameworks = Counts()
        self.local = Counts()  # per (département, CPV division or group): '35|45', '35|452'
        self.names = Counts()
        self.amount_sum: list[float] = []
        self.amount_count: list[int] = []
        self.place_of: dict[tuple[str, str], int] = {}  # (place code, place type) → id
        self.places: list[tuple[str, str]] = []
        self.place_depts: list[str | None] = []
        # (buyer row × DEPTS + département column) → slot of its contracts and first place
        self.pair_slot: dict[int, int] = {}
        self.pair_contracts: list[int] = []
        self.pair_place: list[int] = []

    def __getstate__(self) -> dict:
        places = self.places
        return {
            "counts": self._counts(),
            "names": self.names,
            "amounts": (np.array(self.amount_sum), np.array(self.amount_count, dtype=np.int64)),
            "places": (pack([p[0] for p in places]), pack([p[1] for p in places])),
            "place_depts": pack(self.place_depts),
            "pairs": (
                np.array(list(self.pair_slot), dtype=np.int64),
                np.array(self.pair_contracts, dtype=np.int64),
                np.array(self.pair_place, dtype=np.int64),
            ),
        }

    def __setstate__(self, state: dict) -> None:
        for name, counts in zip(_COUNT_NAMES, state["counts"], strict=True):
            setattr(self, name, counts)
        self.names = state["names"]
        self.amount_sum = state["amounts"][0].tolist()
        self.amount_count = state["amounts"][1].tolist()
        codes, kinds = (unpack(packed) for packed in state["places"])
        self.places = list(zip(codes, kinds, strict=True))
        self.place_of = {place: i for i, place in enumerate(self.places)}
        self.place_depts = unpack(state["place_depts"])
        keys, contracts, places = state["pairs"]
        self.pair_slot = dict(zip(keys.tolist(), range(len(keys)), strict=True))
        self.pair_contracts = contracts.tolist()
        self.pair_place = places.tolist()

    def fold(self, batch: dict, first, suppliers: list[int], buyers: list[int], entities):
        """Add award rows (their suppliers and buyers already folded: their rows)."""
        for row in range(len(self.amount_sum), len(entities)):  # new suppliers
            name = entities.names[row] or entities.ids[row]
            for term in analyse(name):
                self.names.add(row, self.names.column(term))
            self.amount_sum.append(0.0)
            self.amount_count.append(0)
        for code, kind, procedure, nature, amount, buyer, cpv, buyer_row, is_first, row in zip(
            batch["place_code"],
            batch["place_type"],
            batch["procedure"],
            batch["nature"],
            batch["amount"],
            batch["buyer_siret"],
            batch["cpv"],
            buyers,
            first,
            suppliers,
            strict=True,
        ):
            place = self.place_of.get((code, kind))
            if place is None:
                place = self.place_of[(code, kind)] = len(self.places)
                self.places.append((code, kind))
                self.place_depts.append(departement(code, kind))
            dept = self.place_depts[place]
            if dept:
                self.departements.add(row, self.departements.column(dept))
                if cpv and len(cpv) == 8:
                    self.local.add(row, self.local.column(f"{dept}|{cpv[:2]}"))
                    self.local.add(row, self.local.column(f"{dept}|{cpv[:3]}"))
            self.procedures.add(
                row, self.procedures.column("?" if procedure is None else procedure)
            )
            self.natures.add(row, self.natures.column("?" if nature is None else nature))
            if nature is not None and "accord" in nature.lower():
                self.frameworks.add(row, self.frameworks.column(buyer[:9]))
            if amount is not None and 0 < amount < 1e15:
                self.amount_sum[row] += math.log10(amount)
                self.amount_count[row] += 1
            if is_first and buyer_row >= 0 and dept:
                self._buyer_place(buyer_row * DEPTS + self.departements.vocabulary[dept], place)
        n = len(entities)
        for counts in self._counts():
            counts.flush(n)
        self.names.flush(n)

    def _counts(self) -> tuple[Counts, ...]:
        return tuple(getattr(self, name) for name in _COUNT_NAMES)

    def _buyer_place(self, key: int, place: int) -> None:
        slot = self.pair_slot.get(key)
        if slot is None:
            self.pair_slot[key] = len(self.pair_contracts)
            self.pair_contracts.append(1)
            self.pair_place.append(place)
            return
        self.pair_contracts[slot] += 1
        if self.places[place] < self.places[self.pair_place[slot]]:
            self.pair_place[slot] = place

    def facts(self, suppliers: Entities, buyers: Entities, cpv, buyer_supplier) -> SupplierFacts:
        n = len(suppliers)
        dept_of, depts = self.departements.sorted(n)
        procedure_of, procedures = self.procedures.sorted(n)
        nature_of, natures = self.natures.sorted(n)
        frame_of, frameworks = self.frameworks.sorted(n)
        local_of, local = self.local.sorted(n)
        counts = np.array(self.amount_count, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            log_amount = np.where(counts > 0, np.array(self.amount_sum) / counts, np.nan)
        last = last_days(suppliers.last)
        name_vocabulary, name_counts = self.names.sorted(n)
        return SupplierFacts(
            departements=depts,
            dept_of=dept_of,
            procedures=procedures,
            procedure_of=procedure_of,
            natures=natures,
            nature_of=nature_of,
            frameworks=frameworks.T.tocsr(),
            frame_of=frame_of,
            log_amount=log_amount,
            last_day=last,
            n_buyers=np.bincount(buyer_supplier.indices, minlength=n).astype(np.float32),
            names=BM25.from_counts(name_vocabulary, name_counts),
            labels=label_index(cpv),
            buyer_dept=self.usual_departements(buyers),
            last_history_day=float(np.nanmax(last)) if np.isfinite(last).any() else math.nan,
            local=local.tocsc(),
            local_of=local_of,
        )

    def usual_departements(self, buyers: Entities) -> dict[str, str]:
        """Buyer → the département of most of its contracts (ties: the one whose first
        place of execution, in sorted order, comes first)."""
        if not self.pair_contracts:
            return {}
        keys = np.array(list(self.pair_slot), dtype=np.int64)  # in slot order
        contracts = np.array(self.pair_contracts, dtype=np.int64)
        places = self.places
        rank = np.empty(len(places), dtype=np.int64)
        rank[sorted(range(len(places)), key=places.__getitem__)] = np.arange(len(places))
        buyer, dept = keys // DEPTS, keys % DEPTS
        order = np.lexsort((rank[np.array(self.pair_place)], -contracts, buyer))
        best = order[np.r_[True, buyer[order][1:] != buyer[order][:-1]]]
        names = sorted(self.departements.vocabulary, key=self.departements.vocabulary.get)
        return {buyers.ids[b]: names[d] for b, d in zip(buyer[best], dept[best], strict=True)}


def last_days(dates: list[str | None]) -> np.ndarray:
    """'YYYY-MM-DD' (or None) → day ordinal (NaN)."""
    values = np.array([d or "NaT" for d in dates], dtype="datetime64[D]")
    days = values.astype(np.int64).astype(np.float64) + EPOCH
    days[np.isnat(values)] = np.nan
    return days


def label_index(cpv) -> BM25:
    """BM25 over each supplier's CPV code labels (each distinct code once): the supplier ×
    code matrix times the code × label-term counts."""
    codes = [key for key in cpv.keys if len(key) == 8]
    columns = np.array([cpv.vocabulary[key] for key in codes], dtype=np.int64)
    has = cpv.by_row[:, columns] if len(codes) else sparse.csr_matrix((cpv.by_row.shape[0], 0))
    has = sparse.csr_matrix(has, dtype=np.float32)
    has.data[:] = 1.0
    labels = [analyse(cpv_label(code) or "") for code in codes]
    vocabulary = {term: i for i, term in enumerate(sorted({t for terms in labels for t in terms}))}
    rows = [row for row, terms in enumerate(labels) for _ in terms]
    cols = [vocabulary[t] for terms in labels for t in terms]
    terms = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(len(codes), max(len(vocabulary), 1)),
    )
    counts = (has @ terms).tocsr()
    counts.sort_indices()
    return BM25.from_counts(vocabulary, counts)
