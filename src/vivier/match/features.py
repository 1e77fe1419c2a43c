"""Per (contract, candidate supplier) features for the learned supplier ranker.

Built from the award history only (contracts notified before a date): where each supplier
worked (départements and regions of its contracts' places of execution), where each buyer
buys, its procedures and natures of contract, its amounts, its last contract, its
buyers. The candidates of a query are the union of the best suppliers of every signal;
each gets the signals' normalised scores and ranks plus these facts of its history.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from vivier.match.bm25 import BM25
from vivier.match.fusion import SUPPLIER_WEIGHTS, fuse, normalise, top_k
from vivier.match.history import AwardHistory
from vivier.match.placenames import named_after, regional_subsidiaries
from vivier.match.region import DEPARTEMENT_REGION
from vivier.match.text import analyse
from vivier.reference import cpv_label

DEPARTEMENTS = sorted(DEPARTEMENT_REGION)
SIGNALS = ("bm25", "cpv", "knn", "group", "buyer", "name", "labels", "local", "regional")
CANDIDATES_PER_SIGNAL = 50
WORKS_DIVISION = "45"
MIN_ABBREVIATION = 5  # letters of a name word read as an abbreviation (TELECOM, ELECTR)
RARE_NAME_WORD = 2  # a query word in at most this many supplier names names them (brands)
MIN_NAME_WORD = 4  # letters (stemmed) of such a word
# The `fused` feature, the ranker's prior: the weighted fusion plus the local and regional
# signals (weights chosen on the splits 2018-12-01 and 2019-01-01, docs/matching.md).
FUSED_WEIGHTS = {**SUPPLIER_WEIGHTS, "local": 0.25, "regional": 0.25}
FEATURES = (
    *SIGNALS,
    *(f"rank_{name}" for name in SIGNALS),
    "fused",
    "rank_fused",
    "contracts",
    "buyers",
    "dept_share",
    "dept_any",
    "region_share",
    "buyer_dept_share",
    "home_dept",
    "elsewhere",
    "name_region",
    "name_mention",
    "cpv_division",
    "cpv_group",
    "cpv_class",
    "cpv_code",
    "same_buyer",
    "same_org",
    "framework_org",
    "procedure_share",
    "nature_share",
    "amount_gap",
    "amount_known",
    "recency",
)


def departement(code: str | None, kind: str | None = None) -> str | None:
    """The département of a place of execution from its code and type (DECP
    `lieuExecution`): a département code, a postcode, an INSEE commune or arrondissement
    code. Region and country codes have none."""
    text = (code or "").strip().upper()
    kind = (kind or "").strip().lower()
    if not text or "pays" in kind or "région" in kind or "region" in kind:
        return None
    if "postal" in kind and text.isdigit() and len(text) == 4:
        text = "0" + text  # a postcode that lost its leading zero
    if text.startswith("97") and text[:3] in DEPARTEMENT_REGION:
        return text[:3]
    if text[:2] in ("2A", "2B"):
        return text[:2]
    if text[:2] == "20" and len(text) == 5:
        return "20"
    head = text[:2]
    return head if head in DEPARTEMENT_REGION else None


def day_number(value) -> float:
    if value is None:
        return math.nan
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return float(value.toordinal())
    try:
        return float(np.datetime64(value, "D").astype("int64") + dt.date(1970, 1, 1).toordinal())
    except (TypeError, ValueError):
        return math.nan


@dataclass
class QueryFacts:
    """What is known of a contract (or need) beside its text, CPV and buyer."""

    buyer: str = ""
    departement: str | None = None
    amount: float | None = None
    procedure: str = ""
    nature: str = ""
    day: float = math.nan  # notification date as an ordinal; NaN = after the history


def _matrix(rows, keys, counts, n_rows: int) -> tuple[sparse.csr_matrix, dict[str, int]]:
    """A rows × keys count matrix (rows < 0 are skipped) and the column of each key."""
    index: dict[str, int] = {}
    cols = [index.setdefault(k, len(index)) for k in keys]
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    keep = rows >= 0
    data = np.asarray(counts, dtype=np.float32)[keep]
    shape = (n_rows, max(len(index), 1))
    matrix = sparse.coo_matrix((data, (rows[keep], cols[keep])), shape=shape).tocsr()
    matrix.sum_duplicates()
    return matrix, index


@dataclass
class SupplierFacts:
    """Per supplier (rows of `history.suppliers`): places, procedures, natures, amounts,
    last contract, buyers; per buyer: its usual département."""

    departements: sparse.csr_matrix
    dept_of: dict[str, int]
    procedures: sparse.csr_matrix
    procedure_of: dict[str, int]
    natures: sparse.csr_matrix
    nature_of: dict[str, int]
    frameworks: sparse.csr_matrix  # buyer organisation × supplier: framework agreements
    frame_of: dict[str, int]
    log_amount: np.ndarray
    last_day: np.ndarray
    n_buyers: np.ndarray
    names: BM25  # supplier names
    labels: BM25  # labels of the CPV codes of each supplier's contracts
    buyer_dept: dict[str, str] = field(default_factory=dict)
    last_history_day: float = math.nan
    # contracts per (département, CPV division or group): keys '35|45', '35|452' (CSC)
    local: sparse.csc_matrix | None = None
    local_of: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, history: AwardHistory, aggregates: dict) -> SupplierFacts:
        """From `vivier.warehouse.ranking.supplier_aggregates` over the same awards as the
        history."""
        n = len(history.suppliers)

        def rows_of(table: dict) -> list[int]:
            row_of = history.suppliers.row_of
            return [row_of.get(str(siren), -1) for siren in table["siren"].tolist()]

        places = aggregates["places"]
        dept_matrix, dept_of = _matrix(rows_of(places), places["dept"].tolist(), places["n"], n)
        tables = {}
        for name in ("procedures", "natures", "frameworks", "local"):
            table = aggregates[name]
            tables[name] = _matrix(rows_of(table), table["key"].tolist(), table["n"], n)
        totals = aggregates["totals"]
        total_rows = np.array(rows_of(totals), dtype=np.int64)
        known = total_rows >= 0
        log_amount, last, buyers = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n)
        amounts = np.array([np.nan if v is None else v for v in totals["log_amount"].tolist()])
        log_amount[total_rows[known]] = amounts[known]
        days = np.array([day_number(v) for v in totals["last_date"].tolist()])
        last[total_rows[known]] = days[known]
        buyers[total_rows[known]] = totals["buyers"][known]
        return cls(
            departements=dept_matrix,
            dept_of=dept_of,
            procedures=tables["procedures"][0],
            procedure_of=tables["procedures"][1],
            natures=tables["natures"][0],
            nature_of=tables["natures"][1],
            frameworks=tables["frameworks"][0].T.tocsr(),
            frame_of=tables["frameworks"][1],
            log_amount=log_amount,
            last_day=last,
            n_buyers=buyers.astype(np.float32),
            names=BM25.build([analyse(name) for name in history.suppliers.names]),
            labels=BM25.build(_label_terms(history)),
            buyer_dept=dict(
                zip(
                    aggregates["buyer_places"]["buyer"].tolist(),
                    aggregates["buyer_places"]["dept"].tolist(),
                    strict=True,
                )
            ),
            last_history_day=float(np.nanmax(last)) if np.isfinite(last).any() else math.nan,
            local=tables["local"][0].tocsc(),
            local_of=tables["local"][1],
        )


def _label_terms(history: AwardHistory) -> list[list[str]]:
    """Per supplier: the analysed labels of the CPV classes it won contracts under."""
    profiles = history.suppliers.cpv
    keys = sorted(profiles.vocabulary, key=profiles.vocabulary.get)
    counts = profiles.counts.tocsr()
    out = []
    for row in range(counts.shape[0]):
        terms: list[str] = []
        for col in counts.indices[counts.indptr[row] : counts.indptr[row + 1]]:
            if len(keys[col]) == 8:
                terms.extend(_label(keys[col]))
        out.append(terms)
    return out


def _label(code: str) -> list[str]:
    return analyse(cpv_label(code) or "")


def _column(matrix: sparse.csr_matrix, index: dict, key: str | None, rows: np.ndarray):
    """Column `key` of the rows (a matrix with few columns: procedures, natures)."""
    return _dense_column(matrix[rows].toarray(), index, key)


def candidates(signals: dict[str, np.ndarray], depth: int = CANDIDATES_PER_SIGNAL):
    """The union of every signal's best `depth` suppliers (with a positive score), and each
    signal's ranking of them (position in its top list)."""
    positions: dict[str, dict[int, int]] = {}
    union: dict[int, None] = {}
    for name, scores in signals.items():
        top = top_k(scores, depth)
        top = top[scores[top] > 0]
        positions[name] = {int(row): rank for rank, row in enumerate(top)}
        union.update(dict.fromkeys(positions[name]))
    return np.array(list(union), dtype=np.int64), positions


def candidate_features(
    history: AwardHistory,
    facts: SupplierFacts,
    raw_signals: dict[str, np.ndarray],
    query: QueryFacts,
    cpv: list[str],
    text: str,
) -> tuple[np.ndarray, np.ndarray]:
    """(candidate supplier rows, features matrix with the columns of FEATURES)."""
    terms = analyse(text)
    raw_signals = {**raw_signals, **extra_signals(facts, query, cpv, terms)}
    region = DEPARTEMENT_REGION.get(query.departement or facts.buyer_dept.get(query.buyer) or "")
    names = history.suppliers.names
    raw_signals["regional"] = regional_subsidiaries(names, region, raw_signals["group"])
    signals = {name: normalise(name, raw_signals[name]) for name in SIGNALS}
    signals["fused"] = normalise("fused", fuse(raw_signals, FUSED_WEIGHTS))
    rows, positions = candidates(signals)
    if not len(rows):
        return rows, np.zeros((0, len(FEATURES)), dtype=np.float32)
    columns: dict[str, np.ndarray] = {}
    for name, scores in signals.items():
        columns[name] = scores[rows]
        rank = np.array([positions[name].get(int(r), -1) for r in rows], dtype=np.float64)
        columns[f"rank_{name}"] = np.where(rank >= 0, 1.0 / np.log2(np.maximum(rank, 0) + 2), 0.0)
    total = np.maximum(history.suppliers.contracts[rows], 1.0)
    columns["contracts"] = np.log1p(total)
    columns["buyers"] = np.log1p(facts.n_buyers[rows])
    columns.update(_geography(facts, query, rows, total, works=is_works(cpv)))
    columns["name_region"] = named_after(names, rows, region)
    columns["name_mention"] = name_mentions(facts.names, terms, rows)
    columns.update(_cpv_counts(history, rows, cpv))
    columns.update(_buyer_counts(history, facts, rows, query.buyer))
    columns["procedure_share"] = (
        _column(facts.procedures, facts.procedure_of, query.procedure, rows) / total
    )
    columns["nature_share"] = _column(facts.natures, facts.nature_of, query.nature, rows) / total
    own = facts.log_amount[rows]
    known = np.isfinite(own) & bool(query.amount and query.amount > 0)
    gap = np.abs(own - math.log10(query.amount)) if query.amount and query.amount > 0 else own
    columns["amount_gap"] = np.where(known, np.minimum(np.nan_to_num(gap), 3.0), 0.0)
    columns["amount_known"] = known.astype(np.float32)
    day = query.day if math.isfinite(query.day) else facts.last_history_day + 1
    since = day - facts.last_day[rows]
    columns["recency"] = np.log1p(np.clip(np.nan_to_num(since, nan=365.0), 0, None))
    matrix = np.column_stack([np.asarray(columns[name], dtype=np.float32) for name in FEATURES])
    return rows, matrix


def extra_signals(
    facts: SupplierFacts, query: QueryFacts, cpv: list[str], terms: list[str]
) -> dict[str, np.ndarray]:
    """Signals of the ranker beside those of `signals.supplier_signals`, from the query's
    `terms` (`text.analyse`): supplier names, and the labels of the CPV codes of their
    contracts (the query adds its code's label)."""
    label_terms = terms + [t for code in cpv[:1] for t in _label(code)]
    return {
        "name": facts.names.scores(terms + name_abbreviations(facts.names.vocabulary, terms)),
        "labels": facts.labels.scores(label_terms),
        "local": local_scores(facts, query, cpv),
    }


def name_abbreviations(vocabulary: dict[str, int], terms: list[str]) -> list[str]:
    """The words of supplier names that shorten a query term (« TELECOM » for
    « télécommunications », « ELECTR » for « électricité »): prefixes of at least
    MIN_ABBREVIATION letters, shorter than the term."""
    found = []
    for term in dict.fromkeys(terms):
        for size in range(len(term) - 1, MIN_ABBREVIATION - 1, -1):
            if term[:size] in vocabulary:
                found.append(term[:size])
                break
    return found


def local_scores(facts: SupplierFacts, query: QueryFacts, cpv: list[str]) -> np.ndarray:
    """Per supplier: log(1 + contracts) in the query's département (else the buyer's usual
    one) under the query's CPV division, plus the same under its group: the local firms
    of the trade, whatever their words."""
    n = facts.departements.shape[0]
    dept = query.departement or facts.buyer_dept.get(query.buyer)
    scores = np.zeros(n, dtype=np.float32)
    if not dept or not cpv or facts.local is None:
        return scores
    local = facts.local
    for level in (2, 3):
        column = facts.local_of.get(f"{dept}|{cpv[0][:level]}")
        if column is not None:  # the column's entries only (CSC)
            start, end = local.indptr[column], local.indptr[column + 1]
            np.add.at(scores, local.indices[start:end], np.log1p(local.data[start:end]))
    return scores


def rare_name_terms(names: BM25, terms: list[str]) -> dict[str, np.ndarray]:
    """The query terms (stemmed, MIN_NAME_WORD letters or more) carried by at most
    RARE_NAME_WORD supplier names, each with the rows of those names: the object names
    them (« équipements de marque ORIGIO », « pièces d'origine NOREMAT »)."""
    weights = names.weights  # CSC: a term's column lists the names that carry it
    found = {}
    for term in set(terms):
        column = names.vocabulary.get(term)
        if column is None or len(term) < MIN_NAME_WORD:
            continue
        start, end = weights.indptr[column], weights.indptr[column + 1]
        if 0 < end - start <= RARE_NAME_WORD:
            found[term] = weights.indices[start:end]
    return found


def name_mentions(names: BM25, terms: list[str], rows: np.ndarray) -> np.ndarray:
    """1 for the candidates whose name carries one of the query's rare name terms."""
    found = np.zeros(names.weights.shape[0], dtype=np.float32)
    for named in rare_name_terms(names, terms).values():
        found[named] = 1.0
    return found[rows]


def is_works(cpv: list[str]) -> bool:
    """Works (CPV division 45) are done where the site is: local firms win them."""
    return bool(cpv) and cpv[0][:2] == WORKS_DIVISION


def _geography(
    facts: SupplierFacts, query: QueryFacts, rows: np.ndarray, total: np.ndarray, works: bool
) -> dict[str, np.ndarray]:
    """Shares of the candidates' contracts in the query's département and region (the place
    of execution, else the buyer's usual département); `elsewhere`: for works, the
    candidates whose placed contracts all lie in other regions (0 without any: a newcomer
    is never marked)."""
    dept = query.departement or facts.buyer_dept.get(query.buyer)
    counts = facts.departements[rows].toarray()  # candidates × départements (about 100)
    in_dept = _dense_column(counts, facts.dept_of, dept)
    region = DEPARTEMENT_REGION.get(dept or "")
    same = [c for d, c in facts.dept_of.items() if region and DEPARTEMENT_REGION.get(d) == region]
    in_region = counts[:, same].sum(axis=1) if same else np.zeros(len(rows))
    buyer_dept = facts.buyer_dept.get(query.buyer)
    home = counts.argmax(axis=1)
    has_any = counts.sum(axis=1) > 0
    dept_col = facts.dept_of.get(dept or "", -2)
    return {
        "dept_share": in_dept / total,
        "dept_any": (in_dept > 0).astype(np.float32),
        "region_share": in_region / total,
        "buyer_dept_share": _dense_column(counts, facts.dept_of, buyer_dept) / total,
        "home_dept": (has_any & (home == dept_col)).astype(np.float32),
        "elsewhere": (has_any & (in_region == 0) & bool(region and works)).astype(np.float32),
    }


def _dense_column(counts: np.ndarray, index: dict, key: str | None) -> np.ndarray:
    col = index.get(key) if key else None
    return counts[:, col] if col is not None else np.zeros(len(counts), dtype=np.float32)


def _cpv_counts(history: AwardHistory, rows: np.ndarray, cpv: list[str]) -> dict:
    profiles = history.suppliers.cpv
    out = {}
    for level, name in ((2, "cpv_division"), (3, "cpv_group"), (4, "cpv_class"), (8, "cpv_code")):
        prefix = cpv[0][:level] if cpv else ""
        column = profiles.vocabulary.get(prefix) if prefix else None
        if column is None or (level < 8 and len(prefix) < level):
            out[name] = np.zeros(len(rows), dtype=np.float32)
        else:
            out[name] = np.log1p(profiles.counts[:, column].toarray().ravel()[rows])
    return out


def _buyer_counts(history: AwardHistory, facts: SupplierFacts, rows: np.ndarray, buyer: str):
    zeros = np.zeros(len(rows), dtype=np.float32)
    buyer_row = history.buyers.row_of.get(buyer) if buyer else None
    org = history.org_of.get(buyer[:9]) if buyer else None
    frame = facts.frame_of.get(buyer[:9]) if buyer else None
    return {
        "same_buyer": (
            np.log1p(history.buyer_supplier[buyer_row].toarray().ravel()[rows])
            if buyer_row is not None
            else zeros
        ),
        "same_org": (
            np.log1p(history.org_supplier[org].toarray().ravel()[rows])
            if org is not None
            else zeros
        ),
        "framework_org": (
            np.log1p(facts.frameworks[frame].toarray().ravel()[rows])
            if frame is not None
            else zeros
        ),
    }
