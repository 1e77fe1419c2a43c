"""Recherche: full-text search over contracts and notices, with filters and pagination.

A plain GET form: it works without JavaScript; htmx only swaps the results in place."""

from __future__ import annotations

from typing import Literal

import duckdb
from fastapi import APIRouter, Depends, Query

from vivier.warehouse import web as queries
from vivier.web import services
from vivier.web.deps import get_db
from vivier.web.rendering import twin

router = APIRouter()
NAV = [("/recherche", "Recherche")]
PAGE_SIZE = 20


@twin(router, "/recherche", "search.html", summary="Recherche plein texte", tags=["recherche"])
def search(
    q: str = Query("", max_length=200, description="Mots recherchés (objet, acheteur…)"),
    type: Literal["marches", "avis"] = Query("marches", description="Marchés ou avis"),
    annee: str = Query("", pattern=r"^(\d{4})?$", description="Année de notification"),
    cpv: str = Query("", pattern=r"^(\d{2,8})?$", description="Début de code CPV"),
    procedure: str | None = Query(None, max_length=100),
    acheteur: str = Query("", pattern=r"^(\d{9})?$", description="SIREN de l'acheteur"),
    page: int = Query(1, ge=1, le=10_000),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
) -> dict:
    offset = (page - 1) * PAGE_SIZE
    year = int(annee) if annee else None
    if type == "avis":
        total, results = services.search_notices(db, q, year, cpv or None, PAGE_SIZE, offset)
    else:
        total, results = queries.search_contracts(
            db, q, year, cpv or None, procedure or None, PAGE_SIZE, offset, acheteur or None
        )
    return {
        "query": {
            "q": q,
            "type": type,
            "annee": year,
            "cpv": cpv,
            "procedure": procedure,
            "acheteur": acheteur,
        },
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "page_size": PAGE_SIZE,
        "results": results,
        "years": queries.years(db),
        "procedures": queries.procedures(db),
        "notices_available": services.notices_available(db),
    }
