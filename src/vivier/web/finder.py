"""Trouver des start-up (for buyers): a need → ranked, explained start-ups; CSV export;
the CPV autocomplete used by the need form."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from vivier.errors import BadValueError
from vivier.match.engine import MAX_QUERY_CHARS
from vivier.reference import cpv_label, labels
from vivier.web import services
from vivier.web.cpv import suggest_cpv
from vivier.web.rendering import render, twin

router = APIRouter()
NAV = [("/trouver", "Trouver des start-up")]


def parse_cpv_list(raw: str | None) -> list[str]:
    from vivier.match.cpv import check_cpv_codes

    parts = [part for part in (raw or "").replace(",", " ").replace(";", " ").split() if part]
    if len(parts) > 20:
        raise BadValueError("Vingt codes CPV au plus, s'il vous plaît.")
    return check_cpv_codes(parts)


def check_region(region: str | None) -> str | None:
    if not region:
        return None
    if region not in labels("regions"):
        raise BadValueError(f"Région inconnue : « {region} » (code INSEE attendu, ex. 11).")
    return region


def need_results(request: Request, besoin: str, cpv: str | None, region: str | None, k: int):
    codes = parse_cpv_list(cpv)
    region = check_region(region)
    asked = bool(besoin.strip() or codes)
    results = services.need_to_startups(request.app, besoin, codes, region, k) if asked else []
    return {
        "query": {"besoin": besoin, "cpv": codes, "region": region, "nombre": k},
        "cpv_labels": {code: cpv_label(code) for code in codes},
        "asked": asked,
        "results": results,
        "regions": labels("regions"),
    }


@twin(router, "/trouver", "finder.html", summary="Start-up pour un besoin", tags=["relation"])
def find_startups(
    request: Request,
    besoin: str = Query("", max_length=MAX_QUERY_CHARS, description="Le besoin, en texte libre"),
    cpv: str | None = Query(None, max_length=400, description="Codes CPV séparés par des espaces"),
    region: str | None = Query(None, max_length=3, description="Code INSEE de la région"),
    nombre: int = Query(10, ge=1, le=50, description="Nombre de start-up proposées"),
) -> dict:
    return need_results(request, besoin, cpv, region, nombre)


@router.get("/trouver/export.csv", tags=["relation"], summary="Export CSV")
@router.get("/api/trouver/export.csv", tags=["relation"], summary="Export CSV")
def export_startups(
    request: Request,
    besoin: str = Query("", max_length=MAX_QUERY_CHARS),
    cpv: str | None = Query(None, max_length=400),
    region: str | None = Query(None, max_length=3),
    nombre: int = Query(10, ge=1, le=50),
) -> Response:
    data = need_results(request, besoin, cpv, region, nombre)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["rang", "siren", "nom", "score", "raisons"])
    for rank, item in enumerate(data["results"], start=1):
        reasons = " | ".join(item.get("reasons") or [])
        score = round(item.get("score") or 0, 4)
        writer.writerow([rank, item.get("id"), item.get("name"), score, reasons])
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="start-up-pour-le-besoin.csv"'},
    )


@router.get("/api/cpv", tags=["nomenclatures"], summary="Autocomplétion CPV")
def cpv_api(q: str = Query("", max_length=100, description="Code ou mots du libellé")) -> list:
    return suggest_cpv(q)


@router.get("/cpv/suggestions", response_class=HTMLResponse, include_in_schema=False)
def cpv_suggestions(request: Request, cpv_recherche: str = Query("", max_length=100)):
    return render(request, "partials/cpv_suggestions.html", {"items": suggest_cpv(cpv_recherche)})
