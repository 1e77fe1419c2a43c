"""Pour les start-up: a SIREN or a description of the offer → the most relevant buyers
and the open tenders, each explained."""

from __future__ import annotations

from datetime import date

import duckdb
from fastapi import APIRouter, Depends, Query, Request

from vivier.errors import BadValueError
from vivier.match.engine import MAX_QUERY_CHARS
from vivier.web import services
from vivier.web.deps import get_db
from vivier.web.records import parse_siren
from vivier.web.rendering import twin

router = APIRouter()
NAV = [("/pour-les-startups", "Pour les start-up")]


def parse_day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadValueError(f"Date impossible : « {text} » (AAAA-MM-JJ attendu).") from None


@twin(
    router,
    "/pour-les-startups",
    "offers.html",
    summary="Acheteurs et appels d'offres pour une start-up",
    tags=["relation"],
)
def for_startups(
    request: Request,
    siren: str = Query("", max_length=20, description="SIREN de la start-up"),
    offre: str = Query("", max_length=MAX_QUERY_CHARS, description="Description de l'offre"),
    nombre: int = Query(10, ge=1, le=50, description="Nombre d'acheteurs proposés"),
    ouverts_au: str = Query(
        "", pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="Date de référence (AAAA-MM-JJ)"
    ),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
) -> dict:
    number = parse_siren(siren) if siren.strip() else None
    text = offre.strip() or None
    asked = bool(number or text)
    if asked and number is None and len(text or "") < 3:
        raise BadValueError("Décrivez votre offre en quelques mots (3 caractères au moins).")
    buyers = services.startup_to_buyers(request.app, number, text, nombre) if asked else []
    open_on = parse_day(ouverts_au) or services.default_open_on(db)
    tenders = services.open_tenders(request.app, db, number, open_on, nombre) if asked else []
    return {
        "query": {
            "siren": number or siren,
            "offre": offre,
            "nombre": nombre,
            "ouverts_au": open_on.isoformat(),
        },
        "asked": asked,
        "company_name": services.company_name(db, number) if number else None,
        "buyers": buyers,
        "tenders": tenders,
        "tenders_available": services.notices_available(db),
    }
