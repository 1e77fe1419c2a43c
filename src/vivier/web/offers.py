"""Pour les start-up: a SIREN or a description of the offer → the most relevant buyers
and the open tenders, each explained."""

from __future__ import annotations

import duckdb
from fastapi import APIRouter, Depends, Query, Request

from vivier.errors import BadValueError
from vivier.web import services
from vivier.web.deps import get_db
from vivier.web.records import parse_siren
from vivier.web.rendering import twin

router = APIRouter()
NAV = [("/pour-les-startups", "Pour les start-up")]


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
    offre: str = Query("", max_length=2000, description="Description de l'offre"),
    nombre: int = Query(10, ge=1, le=50, description="Nombre d'acheteurs proposés"),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
) -> dict:
    number = parse_siren(siren) if siren.strip() else None
    text = offre.strip() or None
    asked = bool(number or text)
    if asked and number is None and len(text or "") < 3:
        raise BadValueError("Décrivez votre offre en quelques mots (3 caractères au moins).")
    buyers = services.startup_to_buyers(request.app, number, text, nombre) if asked else []
    tenders = services.open_tenders(request.app, db, number, text, nombre) if asked else []
    return {
        "query": {"siren": number or siren, "offre": offre, "nombre": nombre},
        "asked": asked,
        "company_name": services.company_name(db, number) if number else None,
        "buyers": buyers,
        "tenders": tenders,
        "tenders_available": services.notices_available(db),
    }
