"""Baromètre: headline figures, charts and tables, filtered by year, perimeter and
start-up definition; coverage; downloads. Results are cached per filter set while the
warehouse file is unchanged (the barometer is computed over every contract)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from vivier.barometer import compute_barometer, latest_year
from vivier.barometer.definitions import load as load_definition
from vivier.barometer.labels import BREAKDOWNS, PERIMETERS
from vivier.config import Settings
from vivier.errors import BadValueError, NotFound
from vivier.sources.vocabulary import PROCEDURE_LABELS
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
        result = compute_barometer(db, year, definition, settings, perimeter, others)
        for row in result["breakdowns"].get("procedure", []):
            row["label"] = PROCEDURE_LABELS.get(row["key"], row["label"])
        cache[key] = result
    return cache[key]


def choose_year(db, year: int | None) -> tuple[int | None, list[int]]:
    """The year asked for, or the latest year with at least a tenth of the busiest
    year's contracts (a year just begun is not a fair default)."""
    counts = years_with_contracts(db)
    years = [found for found, _ in counts]
    if year is None:
        busiest = max((count for _, count in counts), default=0)
        return latest_year(db, minimum_contracts=max(1, busiest // 10)), years
    if year not in years:
        raise BadValueError(
            f"Aucun contrat daté de {year} dans l'entrepôt (années disponibles : "
            f"{', '.join(map(str, years)) or 'aucune'})."
        )
    return year, years


class Filters:
    """The barometer's filters, shared by the page, its JSON twin and the downloads."""

    def __init__(
        self,
        annee: int | None = Query(None, ge=1990, le=2100, description="Année (défaut : dernière)"),
        perimetre: Perimeter = Query("all", description="Périmètre d'acheteurs"),
        definition: Definition | None = Query(None, description="Définition de start-up"),
    ):
        self.annee, self.perimetre, self.definition = annee, perimetre, definition


@twin(router, "/barometre", "barometer.html", summary="Baromètre", tags=["baromètre"])
def barometer(
    filters: Filters = Depends(),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
    settings: Settings = Depends(get_settings),
    cache: dict = Depends(get_cache),
) -> dict:
    perimetre = filters.perimetre
    name = filters.definition or settings.default_definition
    year, years = choose_year(db, filters.annee)
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
    year, _ = choose_year(db, None)
    if year is None:
        return None
    result = compute_cached(db, settings, cache, year, "all", settings.default_definition)
    keys = ("year", "perimeter_label", "definition", "contracts", "startup_contract_share")
    return {
        **{key: result[key] for key in keys},
        "startup_amount_share": result["startup_amount_share"],
        "target": result["target"],
    }


MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "application/zip",
    "json": "application/json",
}


def report_file(result: dict, kind: str, folder: Path) -> tuple[bytes, str]:
    """The report of `result` in one format, as bytes, with its file name."""
    from vivier.report.html_report import render_html
    from vivier.report.pdf import render_pdf
    from vivier.report.tables import csv_files, write_json

    stem = f"barometre-{result['year']}-{result['perimeter']}-{result['definition']}"
    if kind == "json":
        return write_json(result, folder / f"{stem}.json").read_bytes(), f"{stem}.json"
    if kind == "pdf":
        return render_pdf(result, folder / f"{stem}.pdf").read_bytes(), f"{stem}.pdf"
    if kind == "html":
        in_zip = "(dans l'archive CSV)"
        files = {
            "json": f"{stem}.json",
            "pdf": f"{stem}.pdf",
            "buyer": f"{stem}-acheteurs.csv {in_zip}",
            "silent": f"{stem}-acheteurs-silencieux.csv {in_zip}",
            "coverage": f"{stem}-couverture-acheteurs.csv {in_zip}",
        }
        return render_html(result, files).encode("utf-8"), f"{stem}.html"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in csv_files(result, folder, stem).values():
            archive.write(path, path.name)
    return buffer.getvalue(), f"{stem}-csv.zip"


@router.get("/barometre/telecharger/{kind}", include_in_schema=False)
@router.get("/api/barometre/telecharger/{kind}", summary="Rapport du baromètre", tags=["baromètre"])
def download(
    kind: Literal["html", "pdf", "csv", "json"],
    filters: Filters = Depends(),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
    settings: Settings = Depends(get_settings),
    cache: dict = Depends(get_cache),
) -> Response:
    """Le rapport du baromètre (HTML, PDF, CSV en zip, JSON) pour les filtres donnés."""
    name = filters.definition or settings.default_definition
    year, _ = choose_year(db, filters.annee)
    if year is None:
        raise NotFound("Aucun contrat daté dans l'entrepôt : pas de rapport à produire.")
    result = compute_cached(db, settings, cache, year, filters.perimetre, name)
    with tempfile.TemporaryDirectory(prefix="vivier-rapport-") as folder:
        content, filename = report_file(result, kind, Path(folder))
    disposition = "inline" if kind == "html" else "attachment"
    return Response(
        content,
        media_type=MEDIA_TYPES[kind],
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
