"""How far can HR@10 and MRR@10 of `vivier eval --split` move by chance? A diagnostic.

    python bench/eval_bootstrap.py --home H [--split 2019-02-01 ...] [--resamples 5000]

For each split, ranks the warm test contracts with the supplier ranker trained the
documented way (`vivier.match.ranker.train` on the months before the split: the `fusion`
of `vivier eval`), then resamples the buyers with replacement (all the contracts of a
buyer together: its lots are not independent) and prints the 95 % interval and the
standard deviation of HR@10 and MRR@10. Ranking among the candidates, ties broken by
supplier row (as `vivier eval`).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import defaultdict

import numpy as np

from vivier.config import load_settings
from vivier.match.ranker import period_queries, train, training_queries
from vivier.warehouse import open_warehouse
from vivier.warehouse.match import dated_contracts


def hits_and_ranks(settings, split: str, k: int = 10):
    """Per warm test contract: (buyer SIRET, hit at k, reciprocal rank at k)."""
    model = train(training_queries(settings, dt.date.fromisoformat(split)))
    _, queries, _ = period_queries(settings, split, split, None)
    with open_warehouse(settings, read_only=True) as connection:
        buyer_of = {row[0]: row[3] for row in dated_contracts(connection, split, None)}
    out = []
    for query in queries:
        order = np.lexsort((query.rows, -model.score(query.features)))[:k]
        found = np.flatnonzero(np.isin(query.rows[order], list(query.relevant)))
        rank = int(found[0]) + 1 if len(found) else 0
        buyer = buyer_of.get(query.uid, query.uid)
        out.append((buyer, float(rank > 0), 1.0 / rank if rank else 0.0))
    return out


def report(settings, split: str, resamples: int) -> None:
    rows = hits_and_ranks(settings, split)
    hit = np.array([r[1] for r in rows])
    reciprocal = np.array([r[2] for r in rows])
    by_buyer: dict[str, list[int]] = defaultdict(list)
    for i, (buyer, _, _) in enumerate(rows):
        by_buyer[buyer].append(i)
    groups = list(by_buyer.values())
    rng = np.random.default_rng(0)
    samples = []
    for _ in range(resamples):
        picked = [i for g in rng.integers(0, len(groups), len(groups)) for i in groups[g]]
        samples.append((hit[picked].mean(), reciprocal[picked].mean()))
    values = np.array(samples)
    low, high = np.percentile(values, [2.5, 97.5], axis=0)
    print(
        f"{split} : {len(rows)} marchés, {len(groups)} acheteurs ; "
        f"HR@10 {hit.mean():.3f} [{low[0]:.3f} – {high[0]:.3f}] (é.-t. {values[:, 0].std():.3f}) ; "
        f"MRR@10 {reciprocal.mean():.3f} [{low[1]:.3f} – {high[1]:.3f}] "
        f"(é.-t. {values[:, 1].std():.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--split", action="append")
    parser.add_argument("--resamples", type=int, default=5000)
    args = parser.parse_args()
    settings = load_settings(home=args.home)
    for split in args.split or ["2018-12-01", "2019-01-01", "2019-02-01", "2019-03-01"]:
        report(settings, split, args.resamples)


if __name__ == "__main__":
    main()
