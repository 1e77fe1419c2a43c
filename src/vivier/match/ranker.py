"""The learned supplier ranker: a linear model over per (contract, candidate) features,
trained with a listwise (softmax) loss on contracts notified before the split only.

Candidates are the union of every signal's best suppliers (`features.candidates`); the
model re-orders them. Training folds are months before the split: each month's contracts
are ranked from the history before that month, so no test-period data is ever used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from vivier.errors import BadValueError
from vivier.match.features import (
    DEPARTEMENTS,
    FEATURES,
    QueryFacts,
    SupplierFacts,
    candidate_features,
    day_number,
    departement,
)
from vivier.match.fusion import SUPPLIER_WEIGHTS, fuse
from vivier.match.history import AwardHistory
from vivier.match.placenames import name_regions
from vivier.match.region import DEPARTEMENT_REGION, region_name, region_of_place
from vivier.match.signals import supplier_signals
from vivier.match.text import analyse
from vivier.reference import labels
from vivier.warehouse import open_warehouse
from vivier.warehouse.match import awards, dated_contracts
from vivier.warehouse.ranking import contract_facts, supplier_aggregates

L2 = 1.0  # ridge penalty on the standardised weights
PRIOR_L2 = 100.0  # towards the weighted fusion: chosen on the splits of the 2019 samples
TRAIN_DAYS = 124  # the training contracts: the four months before the split...
TRAIN_FOLDS = 4  # ...each month ranked from the history before it
MIN_TRAINING = 30  # fewer training contracts: the weighted fusion is the fusion


@dataclass
class RankerQuery:
    uid: str
    relevant: set[int]
    rows: np.ndarray  # candidate supplier rows
    features: np.ndarray  # candidates × FEATURES
    signals: dict[str, np.ndarray] = field(repr=False, default_factory=dict)


@dataclass
class LinearRanker:
    """score = Σ weight × feature over the candidates (weights in raw feature units)."""

    weights: dict[str, float]

    def __post_init__(self):
        self.vector = np.array([self.weights.get(name, 0.0) for name in FEATURES])

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ self.vector

    def ranking(self, query: RankerQuery, size: int) -> np.ndarray:
        """Scores over all `size` suppliers: candidates get a positive score (their softmax
        probability), the others 0."""
        return scores_over(query.rows, self.score(query.features), size)


def scores_over(rows: np.ndarray, logits: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.float64)
    if len(rows):
        probabilities = np.exp(logits - logits.max())
        out[rows] = probabilities / probabilities.sum() + 1e-9
    return out


def fit(
    queries: list[RankerQuery],
    l2: float = L2,
    names: tuple[str, ...] = FEATURES,
    prior: dict[str, float] | None = None,
) -> LinearRanker:
    """Listwise softmax regression on the features `names`: maximise the log probability
    of the winners among each query's candidates, with a ridge penalty (on standardised
    weights) towards `prior`."""
    columns = [FEATURES.index(name) for name in names]
    groups = [q for q in queries if len(q.rows) and np.isin(q.rows, list(q.relevant)).any()]
    if not groups:
        raise ValueError("no training query has a winner among its candidates")
    stacked = np.vstack([q.features[:, columns] for q in groups]).astype(np.float64)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale[scale < 1e-6] = 1.0
    data = [
        ((q.features[:, columns] - mean) / scale, np.isin(q.rows, list(q.relevant))) for q in groups
    ]
    centre = np.array([(prior or {}).get(name, 0.0) for name in names]) * scale

    def loss(coef):
        total, grad = 0.0, np.zeros_like(coef)
        for x, positive in data:
            logits = x @ coef
            p = np.exp(logits - logits.max())
            p /= p.sum()
            mass = p[positive].sum() + 1e-12
            total -= np.log(mass)
            grad += x.T @ (p - np.where(positive, p / mass, 0.0))
        gap = coef - centre
        return (total + l2 * gap @ gap) / len(data), (grad + 2 * l2 * gap) / len(data)

    result = minimize(loss, centre.copy(), jac=True, method="L-BFGS-B", options={"maxiter": 300})
    return LinearRanker(
        {name: float(c / s) for name, c, s in zip(names, result.x, scale, strict=True)}
    )


def train(queries: list[RankerQuery]) -> LinearRanker:
    """The weighted fusion's score alone first (its scale), then every feature with a
    ridge penalty towards that model: the ranker departs from the weighted fusion only as
    far as the training contracts support."""
    base = fit(queries, l2=0.01, names=("fused",))
    return fit(queries, l2=PRIOR_L2, prior=base.weights)


# ---- building the queries of a period -----------------------------------------------------


def period_queries(settings, cut: str, start: str, end: str | None):
    """The history before `cut` and the ranker queries of the contracts notified in
    [start, end) whose winners won before `cut`; also returns the cold count."""
    with open_warehouse(settings, read_only=True) as connection:
        rows = awards(connection, before=cut)
        if not len(rows["uid"]):
            return None, [], 0
        aggregates = supplier_aggregates(connection, DEPARTEMENTS, before=cut)
        tests = dated_contracts(connection, start, end)
        test_facts = contract_facts(connection, start, end)
    history = AwardHistory.build(rows)
    facts = SupplierFacts.build(history, aggregates)
    index = {str(u): i for i, u in enumerate(test_facts["uid"].tolist())}
    queries = []
    warm, cold = history.warm(tests)
    for (uid, text, cpv, buyer, place, _), relevant in warm:
        codes = [cpv] if cpv else []
        query = _query_facts(test_facts, index.get(uid), buyer)
        signals = supplier_signals(history, text, codes, buyer, region_of_place(place))
        candidates, features = candidate_features(history, facts, signals, query, codes, text)
        queries.append(RankerQuery(uid, relevant, candidates, features, signals))
    return history, queries, cold


def _query_facts(facts: dict, i: int | None, buyer: str) -> QueryFacts:
    if i is None:
        return QueryFacts(buyer=buyer)
    amount = facts["amount"][i]
    return QueryFacts(
        buyer=buyer,
        departement=departement(facts["place_code"][i], facts["place_type"][i]),
        amount=float(amount) if amount == amount and amount is not None else None,
        procedure=facts["procedure"][i] or "?",
        nature=facts["nature"][i] or "?",
        day=day_number(facts["notification_date"][i]),
    )


def training_queries(
    settings, split: dt.date, days: int = TRAIN_DAYS, folds: int = TRAIN_FOLDS
) -> list[RankerQuery]:
    """Queries of `folds` consecutive periods covering the `days` before the split, each
    ranked from the history before its own start."""
    bounds = [split - dt.timedelta(days=round(days * (folds - i) / folds)) for i in range(folds)]
    bounds.append(split)
    out: list[RankerQuery] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        _, queries, _ = period_queries(
            settings, start.isoformat(), start.isoformat(), end.isoformat()
        )
        out.extend(queries)
    return out


def evaluate_ranker(settings, split: dt.date, summarise) -> dict | None:
    """Train the ranker on the months before the split, then measure it on the contracts
    notified from the split on with `summarise(queries, scorer)`; None with fewer than
    MIN_TRAINING training contracts (the weighted fusion is then the fusion)."""
    training = training_queries(settings, split)
    if len(training) < MIN_TRAINING:
        return None
    try:
        model = train(training)
    except ValueError:
        return None
    history, queries, _ = period_queries(settings, split.isoformat(), split.isoformat(), None)
    size = len(history.suppliers) if history is not None else 0
    return {
        "metrics": summarise(queries, lambda q: model.ranking(q, size)),
        "training_contracts": len(training),
        "weights": {name: round(value, 4) for name, value in model.weights.items()},
    }


# Contract → suppliers in `vivier match suppliers`: the ranker trained by `train` on the
# 2019 DECP samples, training contracts of December 2018 to March 2019 (503 contracts,
# each month ranked from the history before it); `vivier eval --json` prints the weights
# trained for any split ("ranker"), see docs/matching.md.
SUPPLIER_RANKER = LinearRanker(
    {
        "bm25": -0.1893,
        "cpv": -0.6218,
        "knn": -0.6841,
        "group": -0.0935,
        "buyer": -0.2055,
        "name": 0.4752,
        "labels": 1.0941,
        "local": 0.1961,
        "regional": 0.2656,
        "rank_bm25": 0.3109,
        "rank_cpv": 0.5097,
        "rank_knn": 0.344,
        "rank_group": -0.1504,
        "rank_buyer": -0.0539,
        "rank_name": 0.4906,
        "rank_labels": 0.7019,
        "rank_local": 0.6448,
        "rank_regional": 0.3844,
        "fused": 4.7519,
        "rank_fused": -0.3711,
        "contracts": -0.0744,
        "buyers": 1.3742,
        "dept_share": 0.0192,
        "dept_any": 0.0044,
        "region_share": 0.1498,
        "buyer_dept_share": 0.1571,
        "home_dept": 0.0877,
        "elsewhere": -0.6357,
        "name_region": 0.5133,
        "name_mention": 0.3164,
        "cpv_division": 0.2218,
        "cpv_group": 0.1529,
        "cpv_class": -0.0099,
        "cpv_code": -0.3946,
        "same_buyer": -0.0543,
        "same_org": -0.0125,
        "framework_org": 0.0985,
        "procedure_share": -0.1473,
        "nature_share": 0.0444,
        "amount_gap": -0.1058,
        "amount_known": 0.7815,
        "recency": -0.0085,
    }
)


def supplier_scores(
    history: AwardHistory,
    facts: SupplierFacts | None,
    signals: dict[str, np.ndarray],
    text: str,
    cpv: list[str],
    query: QueryFacts,
) -> np.ndarray:
    """The ranker's score of every supplier for a need (the best one scores 1; suppliers
    outside the candidates 0); the weighted fusion when the index has no supplier facts."""
    if facts is None:
        return fuse(signals, SUPPLIER_WEIGHTS)
    rows, features = candidate_features(history, facts, signals, query, cpv, text)
    scores = scores_over(rows, SUPPLIER_RANKER.score(features), len(history.suppliers))
    top = scores.max(initial=0.0)
    return (scores / top).astype(np.float32) if top > 0 else scores.astype(np.float32)


def check_departement(raw: str | None) -> str | None:
    """A user-given département ('35', '2A', '974') or postcode ('35000')."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    found = departement(text, "Code postal" if len(text) >= 4 else "Code département")
    if found is None:
        raise BadValueError(
            f"Département inconnu : « {raw} ». Donnez un numéro de département (35, 2A, 974) "
            "ou un code postal."
        )
    return found


def local_reason(
    facts: SupplierFacts | None, row: int, query: QueryFacts, name: str = ""
) -> list[str]:
    """« a déjà exécuté 3 marchés dans ce département (Ille-et-Vilaine) » (the query's
    département, else the buyer's usual one); « son nom renvoie à cette région (Bretagne) »
    when the supplier's `name` names the region (`vivier.match.placenames`)."""
    if facts is None:
        return []
    dept = query.departement or facts.buyer_dept.get(query.buyer)
    if not dept:
        return []
    reasons = []
    count = int(facts.departements[row, facts.dept_of[dept]]) if dept in facts.dept_of else 0
    if count:
        where = labels("departements").get(dept, dept)
        plural = "s" if count > 1 else ""
        reasons.append(f"a déjà exécuté {count} marché{plural} dans ce département ({where})")
    region = DEPARTEMENT_REGION.get(dept)
    if region and region in name_regions(name):
        reasons.append(f"son nom renvoie à cette région ({region_name(region)})")
    return reasons


def mention_reason(cited: dict[str, np.ndarray], row: int, name: str) -> list[str]:
    """« le besoin cite son nom (ORIGIO) » when the supplier's name carries one of the
    query's rare name terms `cited` (`features.rare_name_terms`, computed once per query)."""
    terms = {term for term, rows in cited.items() if row in rows}
    shown = [word for word in name.split() if terms.intersection(analyse(word))]
    return [f"le besoin cite son nom ({', '.join(dict.fromkeys(shown))})"] if shown else []
