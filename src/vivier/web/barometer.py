"""Baromètre: headline figures, charts and tables, filtered by year, perimeter and
start-up definition; coverage; downloads. Results are cached per filter set while the
warehouse file is unchanged (the barometer is computed over every contract)."""

from __future__ import annotations

from typing import Literal

import duckdb
from fastapi import APIRouter, Depends, Query, Request

from vivier.barometer import compute_barometer, latest_year
from vivier.barometer.definitions import load as load_definition
from vivier.barometer.labels import BREAKDOWNS, PERIMETERS
from vivier.config import Settings
from vivier.errors import BadValueError
from vivier.startups import available_definitions
from vivier.warehouse.barometer import years_with_contracts
from vivier.web.deps import get_db, get_settings
from vivier.web.rendering import twin

router = APIRouter()
NAV = [("/barometre", "Baromètre")]
Perimeter = Literal[tuple(PERIMETERS)]  # type: ignore[valid-type]
Definition = Literal[tuple(available_definitions())]  # type: ignore[valid-type]
CHARTED = ("perimeter", "ministry", "cpv_division", "region", "procedure", "amount_band")
CACHE_SIZE = 64


def get_cache(request: Request) -> dict:
    state = request.app.state
    if not hasattr(state, "barometer_cache"):
        state.barometer_cache = {}
    return state.barometer_cache


def compute_cached(db, settings: Settings, cache: dict, year: int, perimeter: str, name: str):
    path = settings.warehouse_path
    key = (path.stat().st_mtime_ns, year, perimeter, name)
    if key not in cache:
        definition = load_definition(name)
        others = [load_definition(other) for other in available_definitions()]
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[key] = compute_barometer(db, year, definition, settings, perimeter, others)
    return cache[key]


def choose_year(db, year: int | None) -> tuple[int | None, list[int]]:
    years = [found for found, _ in years_with_contracts(db)]
    if year is None:
        return latest_year(db), years
    if year not in years:
        raise BadValueError(
            f"Aucun contrat daté de {year} dans l'entrepôt (années disponibles : "
            f"{', '.join(map(str, years)) or 'aucune'})."
        )
    return year, years


@twin(router, "/barometre", "barometer.html", summary="Baromètre", tags=["baromètre"])
def barometer(
    annee: int | None = Query(None, ge=1990, le=2100, description="Année (défaut : la dernière)"),
    perimetre: Perimeter = Query("all", description="Périmètre d'acheteurs"),
    definition: Definition | None = Query(None, description="Définition de start-up"),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
    settings: Settings = Depends(get_settings),
    cache: dict = Depends(get_cache),
) -> dict:
    name = definition or settings.default_definition
    year, years = choose_year(db, annee)
    result = (
        compute_cached(db, settings, cache, year, perimetre, name) if year is not None else None
    )
    return {
        "filters": {"annee": year, "perimetre": perimetre, "definition": name},
        "choices": {
            "annees": years,
            "perimetres": PERIMETERS,
            "definitions": available_definitions(),
        },
        "breakdown_titles": {key: BREAKDOWNS[key] for key in CHARTED},
        "barometer": result,
    }


def headline(db, settings: Settings, cache: dict) -> dict | None:
    """The key figures of the latest year, for the home page."""
    year = latest_year(db)
    if year is None:
        return None
    result = compute_cached(db, settings, cache, year, "all", settings.default_definition)
    keys = ("year", "perimeter_label", "definition", "contracts", "startup_contract_share")
    return {
        **{key: result[key] for key in keys},
        "startup_amount_share": result["startup_amount_share"],
        "target": result["target"],
    }
