"""The signals, each an array of scores over one EntitySet (higher is better).

- bm25: lexical retrieval over the entity's texts (folded, stemmed French);
- embedding: cosine between the query and the entity's text embedding;
- cpv: CPV-tree proximity to the query's codes;
- buyer: award history between the query's buyer and each supplier;
- region: 1 for entities of the query's region;
- popularity: number of past contracts (a baseline, never used against young companies:
  it only exists for suppliers, which all have a history).
"""

from __future__ import annotations

import numpy as np

from vivier.match.history import AwardHistory, EntitySet
from vivier.match.text import analyse

SIGNALS = ("bm25", "knn", "group", "embedding", "cpv", "buyer", "region", "popularity")


def lexical(entities: EntitySet, text: str) -> np.ndarray:
    return entities.bm25.scores(analyse(text))


def semantic(vectors: np.ndarray | None, query: np.ndarray | None) -> np.ndarray | None:
    if vectors is None or query is None or not len(vectors):
        return None
    return (vectors @ query.astype(vectors.dtype)).astype(np.float32)


def same_region(entities: EntitySet, region: str | None) -> np.ndarray:
    if not region:
        return np.zeros(len(entities), dtype=np.float32)
    return np.fromiter((r == region for r in entities.regions), np.float32, len(entities))


def supplier_signals(
    history: AwardHistory,
    text: str,
    cpv: list[str],
    buyer_siret: str | None,
    region: str | None,
    vectors: np.ndarray | None = None,
    query_vector: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    suppliers = history.suppliers
    signals = {
        "bm25": lexical(suppliers, text),
        "cpv": suppliers.cpv.scores(cpv),
        "knn": history.contracts.scores(text, cpv, buyer_siret),
        "group": history.group_scores(text, cpv),
        "buyer": history.buyer_scores(buyer_siret, cpv),
        "region": same_region(suppliers, region),
        "popularity": np.log1p(suppliers.contracts),
    }
    embedding = semantic(vectors, query_vector)
    if embedding is not None:
        signals["embedding"] = embedding
    return signals
