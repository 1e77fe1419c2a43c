"""The award-history graph: suppliers and buyers with their past contracts.

Built from the `awards` column arrays of `vivier.warehouse.match` (one row per contract ×
supplier SIREN). Holds, for suppliers and for buyers, their profile texts (contract
objects), CPV profiles and regions, and the buyer × supplier count matrices.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse

from vivier.match.bm25 import BM25
from vivier.match.cpv import CpvProfiles, prefixes
from vivier.match.fusion import top_k
from vivier.match.region import region_of_place
from vivier.match.text import analyse, fold

_NAME_WORD = re.compile(r"[a-z0-9]+")

MAX_PROFILE_OBJECTS = 40  # distinct contract objects kept in a profile text
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

    def __len__(self) -> int:
        return len(self.ids)


class TermCache:
    """Terms of each distinct text, analysed once however many profiles contain it."""

    def __init__(self):
        self.terms: dict[str, list[str]] = {}

    def of(self, text: str) -> list[str]:
        found = self.terms.get(text)
        if found is None:
            found = self.terms[text] = analyse(text)
        return found

    def of_many(self, texts) -> list[str]:
        out: list[str] = []
        for text in texts:
            out.extend(self.of(text))
        return out


def build_entities(
    keys, names, objects, cpvs, places, dates, terms: TermCache | None = None
) -> EntitySet:
    """Group award rows by key (supplier SIREN or buyer SIRET) into an EntitySet."""
    grouped: dict[str, dict] = {}
    for i, key in enumerate(keys):
        if not key:
            continue
        entry = grouped.get(key)
        if entry is None:
            entry = grouped[key] = {
                "name": names[i],
                "objects": {},
                "cpv": [],
                "places": Counter(),
                "n": 0,
                "last": None,
                "uids": set(),
            }
        entry["n"] += 1
        if objects[i] and len(entry["objects"]) < MAX_PROFILE_OBJECTS:
            entry["objects"][objects[i]] = None
        if cpvs[i]:
            entry["cpv"].append(cpvs[i])
        region = region_of_place(places[i])
        if region:
            entry["places"][region] += 1
        if dates[i] is not None:
            entry["last"] = dates[i]
    ids = list(grouped)
    terms = terms or TermCache()
    texts = [" ; ".join(grouped[k]["objects"]) for k in ids]
    return EntitySet(
        ids=ids,
        names=[grouped[k]["name"] or k for k in ids],
        texts=texts,
        regions=[_top(grouped[k]["places"]) for k in ids],
        contracts=np.array([grouped[k]["n"] for k in ids], dtype=np.float32),
        last_dates=[str(grouped[k]["last"])[:10] if grouped[k]["last"] else None for k in ids],
        bm25=BM25.build([terms.of_many(grouped[k]["objects"]) for k in ids]),
        cpv=CpvProfiles.build([grouped[k]["cpv"] for k in ids]),
    )


def _top(counter: Counter) -> str | None:
    return counter.most_common(1)[0][0] if counter else None


class ContractIndex:
    """Past contracts (one row per contract): the nearest ones to a query vote for their
    suppliers (k-nearest-neighbours over object text, CPV code and buyer)."""

    def __init__(self, uids, objects, cpvs, buyers, supplier_rows, n_suppliers, terms=None):
        first = {}
        for i, uid in enumerate(uids):
            first.setdefault(uid, i)
        keep = list(first.values())
        row_of = {uid: row for row, uid in enumerate(first)}
        terms = terms or TermCache()
        self.bm25 = BM25.build([terms.of(objects[i]) for i in keep])
        self.buyers = np.array([buyers[i] for i in keep], dtype=object)
        self.by_prefix: dict[str, np.ndarray] = {}
        groups: dict[str, list[int]] = defaultdict(list)
        for row, i in enumerate(keep):
            for prefix in prefixes(cpvs[i]) if cpvs[i] else ():
                groups[prefix].append(row)
        self.by_prefix = {p: np.array(rows, dtype=np.int32) for p, rows in groups.items()}
        self.winners = _counts([row_of[u] for u in uids], supplier_rows, len(keep), n_suppliers)
        self.winners.data[:] = 1.0
        self.winners = self.winners.T.tocsr()  # suppliers × contracts

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
        if buyer:
            similarity += 0.25 * (self.buyers == buyer)
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

    @classmethod
    def build(cls, awards: dict) -> AwardHistory:
        awards = {name: values.tolist() for name, values in awards.items()}
        sirens = [str(s) for s in awards["siren"]]
        buyers_col = [str(b) for b in awards["buyer_siret"]]
        cpvs = [str(c) for c in awards["cpv"]]
        objects, places = awards["object"], awards["place_code"]
        dates = awards["notification_date"]
        terms = TermCache()
        suppliers = build_entities(
            sirens, awards["supplier_name"], objects, cpvs, places, dates, terms
        )
        # a contract with several suppliers counts once for its buyer
        first = _first_of_contract(awards["uid"])
        buyers = build_entities(
            [b if keep else "" for b, keep in zip(buyers_col, first, strict=False)],
            awards["buyer_name"],
            objects,
            cpvs,
            places,
            dates,
            terms,
        )
        rows = [suppliers.row_of[s] for s in sirens]
        org_keys = [b[:9] for b in buyers_col]
        org_of = _index(org_keys)
        pair_keys = [f"{b}|{c[:2]}" for b, c in zip(buyers_col, cpvs, strict=False)]
        pair_of = _index(pair_keys)
        return cls(
            suppliers=suppliers,
            buyers=buyers,
            buyer_supplier=_counts(
                [buyers.row_of.get(b, -1) for b in buyers_col], rows, len(buyers), len(suppliers)
            ),
            org_supplier=_counts([org_of[k] for k in org_keys], rows, len(org_of), len(suppliers)),
            org_of=org_of,
            pair_supplier=_counts(
                [pair_of[k] for k in pair_keys], rows, len(pair_of), len(suppliers)
            ),
            pair_of=pair_of,
            groups=(
                groups := build_entities(
                    [group_key(n) for n in awards["supplier_name"]],
                    awards["supplier_name"],
                    objects,
                    cpvs,
                    places,
                    dates,
                    terms,
                )
            ),
            group_rows=np.array(
                [groups.row_of.get(group_key(n), -1) for n in suppliers.names], dtype=np.int64
            ),
            contracts=ContractIndex(
                awards["uid"], objects, cpvs, buyers_col, rows, len(suppliers), terms
            ),
        )

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


def _first_of_contract(uids: list[str]) -> list[bool]:
    seen: set[str] = set()
    out = []
    for uid in uids:
        out.append(uid not in seen)
        seen.add(uid)
    return out


def _index(keys: list[str]) -> dict[str, int]:
    index: dict[str, int] = defaultdict(lambda: len(index))
    for key in keys:
        index[key]  # noqa: B018  (assigns the next id)
    return dict(index)


def _counts(rows: list[int], cols: list[int], n_rows: int, n_cols: int) -> sparse.csr_matrix:
    pairs = [(r, c) for r, c in zip(rows, cols, strict=False) if r >= 0]
    data = np.ones(len(pairs), dtype=np.float32)
    matrix = sparse.coo_matrix(
        (data, ([p[0] for p in pairs], [p[1] for p in pairs])), shape=(n_rows, n_cols)
    ).tocsr()
    matrix.sum_duplicates()
    return matrix
