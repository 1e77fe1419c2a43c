"""Fusing signals into one score: a weighted sum of per-query normalised signal scores.

Each signal's scores are scaled to [0, 1] per query (divided by the best score; the
embedding similarities are first centred on their median, since every cosine is
positive). Weights are fitted on a validation period by coordinate ascent on MRR@10
(`fit_weights`); reciprocal rank fusion (`rrf`) is kept as the unfitted alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

# Contract → suppliers: fitted by `vivier eval --split 2019-02-01` on the 2019 DECP samples
# (validation: December 2018 and January 2019); see docs/matching.md.
SUPPLIER_WEIGHTS: dict[str, float] = {
    "bm25": 1.0,
    "cpv": 1.0,
    "buyer": 0.5,
    "region": 0.25,
    "group": 0.25,
    "knn": 0.1,
    "popularity": 0.0,
    "embedding": 0.0,
}
# Need → start-ups: fitted by `vivier eval needs` on the judged needs (docs/matching.md).
STARTUP_WEIGHTS: dict[str, float] = {"bm25": 1.0, "embedding": 1.0, "cpv": 0.5, "region": 0.1}
# Start-up → buyers: no ground truth; lexical and CPV evidence first, openness to young
# companies and recency as tie-breakers.
BUYER_WEIGHTS: dict[str, float] = {
    "bm25": 1.0,
    "cpv": 1.0,
    "embedding": 0.5,
    "openness": 0.3,
    "volume": 0.2,
    "region": 0.1,
}
DEFAULT_WEIGHTS = SUPPLIER_WEIGHTS
CENTRED = {"embedding"}
GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)


def normalise(name: str, scores: np.ndarray) -> np.ndarray:
    values = scores.astype(np.float32, copy=True)
    if name in CENTRED and len(values):
        values -= np.median(values)
        np.clip(values, 0.0, None, out=values)
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def fuse(signals: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    total = None
    for name, scores in signals.items():
        weight = weights.get(name, 0.0)
        if weight <= 0:
            continue
        part = weight * normalise(name, scores)
        total = part if total is None else total + part
    if total is None:
        size = len(next(iter(signals.values()))) if signals else 0
        return np.zeros(size, dtype=np.float32)
    return total


def rrf(signals: dict[str, np.ndarray], k: int = 60, depth: int = 200) -> np.ndarray:
    """Reciprocal rank fusion over the top `depth` of every signal."""
    size = len(next(iter(signals.values())))
    total = np.zeros(size, dtype=np.float32)
    for scores in signals.values():
        top = top_k(scores, depth)
        top = top[scores[top] > 0]
        total[top] += 1.0 / (k + 1 + np.arange(len(top)))
    return total


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first (ties broken by index)."""
    if k >= len(scores):
        return np.lexsort((np.arange(len(scores)), -scores))
    part = np.argpartition(-scores, k)[:k]
    return part[np.lexsort((part, -scores[part]))]


def fit_weights(
    names: Sequence[str],
    objective: Callable[[dict[str, float]], float],
    start: dict[str, float] | None = None,
    rounds: int = 3,
) -> tuple[dict[str, float], float]:
    """Coordinate ascent over a grid of weights, maximising `objective(weights)`."""
    weights = {name: (start or DEFAULT_WEIGHTS).get(name, 0.5) for name in names}
    best = objective(weights)
    for _ in range(rounds):
        improved = False
        for name in names:
            for value in GRID:
                trial = {**weights, name: value}
                if not any(trial.values()):
                    continue
                score = objective(trial)
                if score > best + 1e-9:
                    best, weights, improved = score, trial, True
        if not improved:
            break
    return weights, best
