"""`vivier eval needs`: need → start-ups measured on the judged needs (judgements/needs.json).

Each need is written in a buyer's words; its relevant i-Lab start-ups are graded 2 (answers
the need) or 1 (partly). Reported per signal and for the fusion: nDCG@10 (gain 2^grade - 1),
P@10 (grade ≥ 1 counts as relevant) and Recall@50.
"""

from __future__ import annotations

import json
from importlib import resources

import numpy as np

from vivier.errors import NotFound
from vivier.match.fusion import STARTUP_WEIGHTS, fuse, rrf, top_k


def load_judgements() -> list[dict]:
    path = resources.files("vivier.match").joinpath("judgements", "needs.json")
    return json.loads(path.read_text(encoding="utf-8"))["needs"]


def need_metrics(scores: np.ndarray, grades: dict[int, int]) -> tuple[float, float, float]:
    """nDCG@10, P@10, Recall@50 of one ranking against graded judgements (row → grade)."""
    top50 = [int(r) for r in top_k(scores, 50) if scores[r] > 0]
    gains = [2 ** grades.get(row, 0) - 1 for row in top50[:10]]
    dcg = sum(g / np.log2(i + 2) for i, g in enumerate(gains))
    ideal_gains = sorted((2**g - 1 for g in grades.values()), reverse=True)[:10]
    idcg = sum(g / np.log2(i + 2) for i, g in enumerate(ideal_gains))
    precision = sum(1 for row in top50[:10] if row in grades) / 10
    recall = sum(1 for row in top50 if row in grades) / len(grades)
    return (dcg / idcg if idcg else 0.0), precision, recall


def evaluate_needs(engine, judgements: list[dict] | None = None) -> dict:
    judgements = judgements if judgements is not None else load_judgements()
    rows_of = engine.startups.row_of
    per_method: dict[str, list] = {}
    missing = judged = 0
    used = 0
    for item in judgements:
        grades = {rows_of[s]: g for s, g in item["relevant"].items() if s in rows_of}
        missing += len(item["relevant"]) - len(grades)
        if not grades:
            continue
        used += 1
        judged += len(grades)
        signals = engine.startup_signals(item["need"], [], None)
        signals.pop("region", None)
        signals.pop("cpv", None)
        rankings = dict(signals)
        rankings["rrf"] = rrf(signals)
        rankings["fusion"] = fuse(signals, STARTUP_WEIGHTS)
        for name, scores in rankings.items():
            per_method.setdefault(name, []).append(need_metrics(scores, grades))
    if not used:
        raise NotFound(
            "Aucune des start-up jugées n'est dans l'index : importez la liste i-Lab "
            "(vivier startups import … --label ilab) puis relancez « vivier index »."
        )
    methods = {}
    for name, values in per_method.items():
        means = np.mean(values, axis=0)
        methods[name] = {
            "ndcg@10": round(float(means[0]), 4),
            "p@10": round(float(means[1]), 4),
            "recall@50": round(float(means[2]), 4),
        }
    return {"needs": used, "judged": judged, "missing": missing, "methods": methods}
