"""The award-history graph: suppliers and buyers with their past contracts.

Built from the `awards` column arrays of `vivier.warehouse.match` (one row per contract ×
supplier SIREN). Holds, for suppliers and for buyers, their profile texts (contract
objects), CPV profiles and regions, and the buyer × supplier count matrices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse

from vivier.match.bm25 import BM25
from vivier.match.cpv import CpvProfiles, prefixes
from vivier.match.fusion import top_k
from vivier.match.packing import pack, unpack
from vivier.match.text import analyse, fold

_NAME_WORD = re.compile(r"[a-z0-9]+")

# Words that do not tell a company group apart ("SAS COLAS EST" → group "colas").
GENERIC_NAME_WORDS = frozenset(
    [
        "sas",
        "sarl",
        "sa",
        "eurl",
        "sasu",
        "sci",
        "scop",
        "snc",
        "ste",
        "societe",
        "ets",
        "etablissements",
        "entreprise",
        "entreprises",
        "groupe",
        "group",
        "cabinet",
        "atelier",
        "ateliers",
        "agence",
        "france",
        "francaise",
        "compagnie",
        "generale",
        "laboratoire",
        "laboratoires",
        "association",
        "les",
        "des",
        "la",
        "le",
        "de",
        "du",
        "et",
    ]
)


@lru_cache(maxsize=500_000)
def group_key(name: str) -> str:
    """The first distinctive word of a supplier's name: suppliers sharing it form a group
    (regional subsidiaries of a national firm: COLAS CENTRE OUEST, COLAS EST...)."""
    for word in _NAME_WORD.findall(fold(name or "")):
        if len(word) >= 3 and word not in GENERIC_NAME_WORDS and not word.isdigit():
            return word
    return ""


PACKED_FIELDS = ("ids", "names", "texts", "regions", "last_dates")


@dataclass
class EntitySet:
    """Entities (suppliers, buyers or start-ups) with what the signals need."""

    ids: list[str]
    names: list[str]
    texts: list[str]
    regions: list[str | None]
    contracts: np.ndarray
    last_dates: list[str | None]
    bm25: BM25 = field(repr=False)
    cpv: CpvProfiles = field(repr=False)
    row_of: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.row_of = {entity: row for row, entity in enumerate(self.ids)}

    def __getstate__(self) -> dict:
        """Strings packed (fast to pickle); `row_of` is rebuilt when loaded."""
        state = {k: v for k, v in self.__dict__.items() if k != "row_of"}
        for name in PACKED_FIELDS:
            if isinstance(state[name], list):
                state[name] = ("packed", pack(state[name]))
        return state

    def __setstate__(self, state: dict) -> None:
        for name in PACKED_FIELDS:
            value = state[name]
            if isinstance(value, tuple) and value[0] == "packed":
                state[name] = unpack(value[1])
        self.__dict__.update(state)
        self.__post_init__()

    def __len__(self) -> int:
        return len(self.ids)


class ContractIndex:
    """Past contracts (one row per contract): the nearest ones to a query vote for their
    suppliers (k-nearest-neighbours over object text, CPV code and buyer)."""

    def __init__(self, bm25: BM25, buyers, buyer_row_of, by_prefix, winners):
        self.bm25 = bm25  # contracts × terms of their object
        self.buyers = buyers  # contract → its buyer's row in `buyer_row_of` (or -1)
        self.buyer_row_of = buyer_row_of
        self.by_prefix: dict[str, np.ndarray] = by_prefix  # CPV prefix → contract rows
        self.winners = winners  # suppliers × contracts

    def scores(self, text: str, cpv: list[str], buyer: str | None, k: int = 20):
        similarity = self.bm25.scores(analyse(text))
        top = similarity.max() if len(similarity) else 0.0
        if top > 0:
            similarity /= top
        for code in cpv[:1]:
            for prefix in prefixes(code):
                rows = self.by_prefix.get(prefix)
                if rows is not None:
                    similarity[rows] += len(prefix) / 8
        row = self.buyer_row_of.get(buyer) if buyer else None
        if row is not None:
            similarity += 0.25 * (self.buyers == row)
        nearest = top_k(similarity, k)
        votes = np.zeros_like(similarity)
        votes[nearest] = similarity[nearest] ** 2
        return self.winners @ votes


@dataclass
class AwardHistory:
    suppliers: EntitySet
    buyers: EntitySet
    buyer_supplier: sparse.csr_matrix  # buyer SIRET × supplier: contracts
    org_supplier: sparse.csr_matrix  # buyer SIREN × supplier
    org_of: dict[str, int]
    pair_supplier: sparse.csr_matrix  # (buyer SIRET, CPV division) × supplier
    pair_of: dict[str, int]
    contracts: ContractIndex
    groups: EntitySet
    group_rows: np.ndarray  # supplier → its row in groups (or -1)

    def warm(self, contracts) -> tuple[list[tuple[tuple, set[int]]], int]:
        """The test contracts (rows ending with their winners' SIRENs) whose winners
        won before, each with those winners' rows here; and how many were cold."""
        warm, cold = [], 0
        row_of = self.suppliers.row_of
        for contract in contracts:
            relevant = {row_of[siren] for siren in contract[-1] if siren in row_of}
            if relevant:
                warm.append((contract, relevant))
            else:
                cold += 1
        return warm, cold

    @classmethod
    def build(cls, awards: dict) -> AwardHistory:
        """From award rows given as column arrays (see `vivier.match.incremental`)."""
        from vivier.match.incremental import history_of

        return history_of(awards)

    def buyer_scores(self, buyer_siret: str | None, cpv: list[str]) -> np.ndarray:
        """Per supplier: how much this buyer (its SIRET, its organisation, and in the
        query's CPV divisions) already bought from it."""
        scores = np.zeros(len(self.suppliers), dtype=np.float32)
        if not buyer_siret:
            return scores
        row = self.buyers.row_of.get(buyer_siret)
        if row is not None:
            scores += np.log1p(self.buyer_supplier[row].toarray().ravel())
        org = self.org_of.get(buyer_siret[:9])
        if org is not None:
            scores += 0.5 * np.log1p(self.org_supplier[org].toarray().ravel())
        for division in {code[:2] for code in cpv}:
            pair = self.pair_of.get(f"{buyer_siret}|{division}")
            if pair is not None:
                scores += 2.0 * np.log1p(self.pair_supplier[pair].toarray().ravel())
        return scores

    def group_scores(self, text: str, cpv: list[str]) -> np.ndarray:
        """Per supplier: CPV proximity and lexical match of its group's whole history."""
        per_group = self.groups.cpv.scores(cpv) if cpv else np.zeros(len(self.groups))
        lexical = self.groups.bm25.scores(analyse(text))
        if lexical.max(initial=0) > 0:
            per_group = per_group / max(per_group.max(initial=0), 1e-9) + lexical / lexical.max()
        per_group = np.append(per_group, 0.0).astype(np.float32)
        return per_group[self.group_rows]

    def suppliers_of_buyer(self, buyer_siret: str, supplier_row: int) -> int:
        row = self.buyers.row_of.get(buyer_siret)
        return int(self.buyer_supplier[row, supplier_row]) if row is not None else 0
