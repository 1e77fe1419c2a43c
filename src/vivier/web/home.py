"""Accueil: what the service is for, the key figures, the three ways in."""

from __future__ import annotations

import duckdb
from fastapi import APIRouter, Depends

from vivier.config import Settings
from vivier.warehouse import web as queries
from vivier.web.barometer import get_cache, headline
from vivier.web.deps import get_db, get_settings
from vivier.web.rendering import twin

router = APIRouter()
NAV = [("/", "Accueil")]


@twin(router, "/", "home.html", summary="Accueil : chiffres clés", tags=["accueil"])
def home(
    db: duckdb.DuckDBPyConnection = Depends(get_db),
    settings: Settings = Depends(get_settings),
    cache: dict = Depends(get_cache),
) -> dict:
    return {
        "figures": queries.home_figures(db),
        "barometer": headline(db, settings, cache),
        "target_share": settings.target_share,
        "target_year": settings.target_year,
    }
