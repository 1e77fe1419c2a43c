"""Demo step: build the matching index and show one need with its explained start-ups."""

from __future__ import annotations

from collections.abc import Iterator

from vivier.config import Settings
from vivier.match.engine import MatchEngine

DEMO_NEED = "Repérer plus vite les fuites sur les canalisations du réseau d'eau potable"


def match_step(settings: Settings) -> Iterator[str]:
    yield "Mise en relation : construction de l'index (lexical, CPV, historique d'attribution)…"
    engine = MatchEngine.build(settings, model_name=settings.match_embeddings)
    engine.save(settings)
    yield (
        f"  index : {len(engine.startups)} start-up, {len(engine.history.suppliers)} titulaires, "
        f"{len(engine.history.buyers)} acheteurs (embeddings : {settings.match_embeddings})"
    )
    yield f"  besoin : « {DEMO_NEED} »"
    results = engine.need_to_startups(DEMO_NEED, k=3)
    if not results:
        yield "  aucun résultat pertinent (liste de start-up vide ?)"
    for rank, match in enumerate(results, 1):
        yield f"  {rank}. {match.name} ({match.id}) — score {match.score:.2f}"
        for reason in match.reasons:
            yield f"       · {reason}"
    yield "  (vivier match need|buyers|suppliers, vivier eval --split 2019-02-01, eval needs)"
