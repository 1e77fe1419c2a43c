"""Is the supplier ranker limited by its loss or by its data? A diagnostic, not a result.

    python bench/ranker_fits.py --home H [--split 2019-02-01 ...]

For each split, on the ranker queries of `vivier.match.ranker` (features from the history
before the split), prints HR@10 / MRR@10 of:
- the ranker trained the documented way on the months before the split (`ranker.train`);
- coordinate ascent on HR@10 + MRR@10 over the training months, started from it;
- the linear model fitted on the TEST contracts themselves, by the softmax loss and then by
  coordinate ascent on HR@10 + MRR@10 (in-sample: what these features could reach);
- the same two fits measured out of sample: 2 folds of the test contracts by buyer (fit
  on the contracts of half the buyers, measure on the others', then the other way).
Ranking among the candidates, ties broken by supplier row (as `vivier eval`).
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np

from vivier.config import load_settings
from vivier.match.ranker import fit, period_queries, train, training_queries
from vivier.warehouse import open_warehouse
from vivier.warehouse.match import dated_contracts

STEPS = (-1.0, -0.5, -0.25, -0.1, 0.1, 0.25, 0.5, 1.0)  # standardised units


def metrics(vector: np.ndarray, queries, k: int = 10) -> np.ndarray:
    """(HR@k, MRR@k) of a linear model over the candidates."""
    total = np.zeros(2)
    for query in queries:
        if not len(query.rows):
            continue
        order = np.lexsort((query.rows, -(query.features @ vector)))[:k]
        hits = np.isin(query.rows[order], list(query.relevant))
        if hits.any():
            total += (1.0, 1.0 / (np.argmax(hits) + 1))
    return total / max(len(queries), 1)


def ascent(vector: np.ndarray, queries, rounds: int = 8) -> np.ndarray:
    """Coordinate ascent on HR@10 + MRR@10, steps in standard deviations of each feature."""
    stacked = np.vstack([q.features for q in queries if len(q.rows)]).astype(np.float64)
    scale = np.maximum(stacked.std(axis=0), 1e-6)
    best_vector, best = vector.astype(np.float64), metrics(vector, queries).sum()
    for _ in range(rounds):
        improved = False
        for j in range(len(best_vector)):
            for step in STEPS:
                trial = best_vector.copy()
                trial[j] += step / scale[j]
                value = metrics(trial, queries).sum()
                if value > best + 1e-9:
                    best, best_vector, improved = value, trial, True
        if not improved:
            break
    return best_vector


def two_folds(queries, buyer_of: dict[str, str], seed: int = 0) -> tuple[np.ndarray, ...]:
    """Out-of-sample (softmax, coordinate ascent) fits: 2 folds of the queries by buyer."""
    buyers = sorted({buyer_of.get(q.uid, "") for q in queries})
    np.random.default_rng(seed).shuffle(buyers)
    half = set(buyers[: len(buyers) // 2])
    folds = [[q for q in queries if (buyer_of.get(q.uid, "") in half) == side] for side in (1, 0)]
    softmax, ascended = np.zeros(2), np.zeros(2)
    for fitted, measured in ((folds[0], folds[1]), (folds[1], folds[0])):
        model = fit(fitted, l2=1.0).vector
        softmax += metrics(model, measured) * len(measured)
        ascended += metrics(ascent(model, fitted), measured) * len(measured)
    return softmax / len(queries), ascended / len(queries)


def report(settings, split: str) -> None:
    date = dt.date.fromisoformat(split)
    training = training_queries(settings, date)
    _, tests, _ = period_queries(settings, split, split, None)
    with open_warehouse(settings, read_only=True) as connection:
        buyer_of = {row[0]: row[3] for row in dated_contracts(connection, split, None)}
    model = train(training).vector
    in_softmax = fit(tests, l2=1.0).vector
    rows = {
        "ranker (months before the split)": metrics(model, tests),
        "+ coordinate ascent on the training months": metrics(ascent(model, training), tests),
        "softmax fitted on the test (in-sample)": metrics(in_softmax, tests),
        "coordinate ascent on the test (in-sample)": metrics(ascent(in_softmax, tests), tests),
    }
    held_softmax, held_ascent = two_folds(tests, buyer_of)
    rows["softmax on the test, 2 folds by buyer"] = held_softmax
    rows["coordinate ascent on the test, 2 folds by buyer"] = held_ascent
    print(f"split {split}: {len(training)} training, {len(tests)} warm test contracts")
    for name, (hr, mrr) in rows.items():
        print(f"  {name:<50} HR@10 {hr:.3f}  MRR@10 {mrr:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument(
        "--split", nargs="+", default=["2018-12-01", "2019-01-01", "2019-02-01", "2019-03-01"]
    )
    args = parser.parse_args()
    settings = load_settings(home=args.home)
    for split in args.split:
        report(settings, split)


if __name__ == "__main__":
    main()
