"""The evaluation harness on award data: a time-based split of the warehouse.

Test contracts are those notified on or after the split date; for each one whose winners
were seen before the split ("warm"), the suppliers seen before the split are ranked from
the contract's object, CPV and buyer, and the hit rate, MRR and nDCG at k are computed
for every signal alone, for baselines and for the fusion. The fusion's weights are fitted
on a validation period that ends at the split (the `validation_days` before it), with a
history that ends where the validation starts: the test period is never looked at.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vivier.config import Settings
from vivier.errors import BadValueError, NotFound
from vivier.match.embed import EmbeddingCache, encoder
from vivier.match.fusion import fit_weights, fuse, normalise, rrf, top_k
from vivier.match.history import AwardHistory
from vivier.match.ranker import evaluate_ranker
from vivier.match.region import region_of_place
from vivier.match.signals import supplier_signals
from vivier.warehouse import open_warehouse
from vivier.warehouse.match import awards, dated_contracts

log = logging.getLogger(__name__)
BASELINES = {
    "popularity": "popularity",
    "cpv_tree": "cpv",
    "buyer_history": "buyer",
    "bm25": "bm25",
    "knn": "knn",
    "group": "group",
    "embedding": "embedding",
    "region": "region",
}


@dataclass
class Query:
    uid: str
    text: str
    cpv: list[str]
    buyer: str
    region: str | None
    relevant: set[int]
    signals: dict[str, np.ndarray]


def parse_split(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise BadValueError(
            f"Date de découpage invalide : « {raw} » (attendu AAAA-MM-JJ, ex. 2019-02-01)."
        ) from None


def rank_metrics(scores: np.ndarray, relevant: set[int], k: int) -> tuple[float, float, float]:
    """HR@k, MRR@k, nDCG@k (binary relevance) of one ranking."""
    top = top_k(scores, k)
    hits = [i for i, row in enumerate(top) if row in relevant and scores[row] > 0]
    if not hits:
        return 0.0, 0.0, 0.0
    dcg = sum(1.0 / np.log2(i + 2) for i in hits)
    ideal = sum(1.0 / np.log2(i + 2) for i in range(min(len(relevant), k)))
    return 1.0, 1.0 / (hits[0] + 1), dcg / ideal


def summarise(queries: list[Query], scorer: Callable[[Query], np.ndarray], k: int) -> dict:
    if not queries:
        return {f"hr@{k}": 0.0, f"mrr@{k}": 0.0, f"ndcg@{k}": 0.0}
    values = np.array([rank_metrics(scorer(q), q.relevant, k) for q in queries])
    means = values.mean(axis=0)
    return {
        f"hr@{k}": round(float(means[0]), 4),
        f"mrr@{k}": round(float(means[1]), 4),
        f"ndcg@{k}": round(float(means[2]), 4),
    }


def build_queries(settings, history, start, end, model, cache) -> tuple[list[Query], int]:
    """Queries for the contracts notified in [start, end); also returns the cold count."""
    with open_warehouse(settings, read_only=True) as connection:
        rows = dated_contracts(connection, start, end)
    vectors = cache.embed(history.suppliers.texts) if model else None
    queries = []
    warm, cold = history.warm(rows)
    for (uid, text, cpv, buyer, place, _), relevant in warm:
        codes = [cpv] if cpv else []
        region = region_of_place(place)
        query_vector = model.query(text) if model else None
        signals = supplier_signals(history, text, codes, buyer, region, vectors, query_vector)
        signals = {name: normalise(name, values) for name, values in signals.items()}
        queries.append(Query(uid, text, codes, buyer, region, relevant, signals))
    return queries, cold


def history_before(settings: Settings, date: str) -> AwardHistory:
    with open_warehouse(settings, read_only=True) as connection:
        rows = awards(connection, before=date)
    if not len(rows["uid"]):
        raise NotFound(f"Aucun marché attribué avant le {date} dans l'entrepôt : rien à évaluer.")
    return AwardHistory.build(rows)


def _validation_weights(settings, valid_start: str, split_date: dt.date, k, model, cache):
    """The weighted fusion's weights, fitted on the contracts of [valid_start, split) ranked
    from the history before valid_start; also returns those validation queries."""
    valid_history = history_before(settings, valid_start)
    valid_queries, _ = build_queries(
        settings, valid_history, valid_start, split_date.isoformat(), model, cache
    )
    names = sorted({name for q in valid_queries for name in q.signals}) or ["bm25"]

    def objective(weights):
        metrics = summarise(valid_queries, lambda q: fuse(q.signals, weights), k)
        return metrics[f"mrr@{k}"] + metrics[f"hr@{k}"]

    weights, _ = fit_weights(names, objective) if valid_queries else ({}, 0.0)
    return weights, valid_queries


def evaluate_split(
    settings: Settings,
    split: str,
    k: int = 10,
    validation_days: int = 62,
    model_name: str | None = None,
) -> dict:
    split_date = parse_split(split)
    valid_start = (split_date - dt.timedelta(days=validation_days)).isoformat()
    model = encoder(model_name) if model_name else None
    cache = EmbeddingCache(settings.index_dir if model else None, model) if model else None

    history = history_before(settings, split_date.isoformat())
    queries, cold = build_queries(settings, history, split_date.isoformat(), None, model, cache)
    if not queries:
        raise NotFound(
            f"Aucun marché notifié à partir du {split_date.isoformat()} dont un titulaire "
            f"avait déjà remporté un marché avant cette date ({cold} marché(s) de test, tous "
            "en démarrage à froid) : rien à évaluer, choisissez une date plus ancienne."
        )
    weights, valid_queries = _validation_weights(settings, valid_start, split_date, k, model, cache)
    if cache:
        cache.save()
    methods = {
        name: summarise(queries, lambda q, s=signal: q.signals.get(s, np.zeros(1)), k)
        for name, signal in BASELINES.items()
        if any(signal in q.signals for q in queries)
    }
    methods["rrf"] = summarise(queries, lambda q: rrf(q.signals), k)
    methods["weighted"] = summarise(queries, lambda q: fuse(q.signals, weights), k)
    ranker = evaluate_ranker(settings, split_date, lambda qs, scorer: summarise(qs, scorer, k))
    methods["fusion"] = ranker.pop("metrics") if ranker else methods["weighted"]
    total = len(queries) + cold
    return {
        "split": split_date.isoformat(),
        "k": k,
        "test_contracts": total,
        "warm_test_contracts": len(queries),
        "cold_share": round(cold / total, 4) if total else 0.0,
        "validation": {"from": valid_start, "contracts": len(valid_queries)},
        "weights": weights,
        "ranker": ranker,
        "embedding_model": model_name,
        "methods": methods,
    }
