"""Fiches: one page per buyer, company, contract and notice (each with its JSON twin)."""

from __future__ import annotations

import duckdb
from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from vivier import codes
from vivier.config import Settings
from vivier.errors import BadValueError, NotFound
from vivier.reference import cpv_label, labels
from vivier.warehouse import web as queries
from vivier.warehouse.web_buyers import buyer_sheet
from vivier.web import services
from vivier.web.deps import cursor_pool, get_db, get_settings
from vivier.web.rendering import twin

router = APIRouter()
SHEET_CACHE_SIZE = 4096


def parse_siren(raw: str) -> str:
    """A SIREN from a SIREN or a SIRET typed by a user (spaces allowed)."""
    digits = raw.replace(" ", "").strip()
    if len(digits) == 14 and digits.isdigit():
        digits = digits[:9]
    checked = codes.check_siren(digits)
    if not checked.ok:
        raise BadValueError(
            f"« {raw} » n'est pas un SIREN valide : il faut 9 chiffres (ou un SIRET de 14 "
            "chiffres) qui passent la clé de contrôle."
        )
    return checked.value


def sheet_cache(request: Request) -> dict:
    """Buyer sheets already computed: the warehouse cannot change while it is served."""
    state = request.app.state
    if not hasattr(state, "buyer_sheets"):
        state.buyer_sheets = {}
    return state.buyer_sheets


def with_cpv_labels_in(sheet: dict) -> dict:
    with_cpv_labels(sheet["cpv_divisions"])
    return sheet


def with_cpv_labels(rows: list[dict], key: str = "division") -> list[dict]:
    for row in rows:
        code = (row.get(key) or "").ljust(8, "0")
        row["label"] = cpv_label(code)
    return rows


@twin(
    router,
    "/acheteurs/{siren}",
    "buyer.html",
    summary="Fiche acheteur",
    page_cache=SHEET_CACHE_SIZE,
    tags=["fiches"],
)
async def buyer(
    request: Request,
    siren: str = Path(..., max_length=20, description="SIREN (ou SIRET) de l'acheteur"),
) -> dict:
    """A coroutine: a sheet already computed is answered on the event loop, without a hop
    to the thread pool; a new one is read there."""
    number = parse_siren(siren)
    cache = sheet_cache(request)
    if number not in cache:
        sheet = await run_in_threadpool(read_buyer_sheet, request.app, number)
        if sheet is None:
            raise NotFound(f"Aucun marché publié par l'acheteur de SIREN {number}.")
        if len(cache) >= SHEET_CACHE_SIZE:
            cache.clear()
        cache[number] = with_cpv_labels_in(sheet)
    return cache[number]


def read_buyer_sheet(app, siren: str) -> dict | None:
    pool = cursor_pool(app)
    cursor = pool.take()
    try:
        return buyer_sheet(cursor, siren)
    finally:
        pool.give(cursor)


@twin(router, "/entreprises/{siren}", "company.html", summary="Fiche entreprise", tags=["fiches"])
def company(
    siren: str = Path(..., max_length=20, description="SIREN de l'entreprise"),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> dict:
    number = parse_siren(siren)
    identity = queries.company_identity(db, number)
    won = queries.company_contracts(db, number)
    found_labels = queries.company_labels(db, number)
    if identity is None and won is None and not found_labels:
        raise NotFound(f"Aucune entreprise connue sous le SIREN {number}.")
    if identity:
        identity["naf_label"] = labels("codes-NAF").get(identity.get("naf") or "")
        identity["legal_category_label"] = labels("natures-juridiques").get(
            identity.get("legal_category") or ""
        )
    name = (identity or {}).get("name") or (won or {}).get("name")
    if not name and found_labels:
        name = found_labels[0]["name"]
    return {
        "siren": number,
        "name": name,
        "identity": identity,
        "won": won,
        "labels": found_labels,
        "definitions": services.startup_status(db, settings, number),
    }


@twin(router, "/marches/{uid:path}", "contract.html", summary="Fiche marché", tags=["fiches"])
def contract(
    uid: str = Path(..., max_length=300, description="Identifiant national : SIRET|id"),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
) -> dict:
    sheet = queries.contract_sheet(db, uid)
    if sheet is None:
        raise NotFound(f"Aucun marché d'identifiant « {uid} ».")
    sheet["cpv_label"] = cpv_label(sheet.get("cpv"))
    return sheet


@twin(router, "/avis/{notice_id:path}", "notice.html", summary="Fiche avis", tags=["fiches"])
def notice(
    notice_id: str = Path(..., max_length=300, description="Identifiant de l'avis"),
    db: duckdb.DuckDBPyConnection = Depends(get_db),
) -> dict:
    sheet = services.notice_sheet(db, notice_id)
    if sheet is None:
        raise NotFound(f"Aucun avis d'identifiant « {notice_id} ».")
    return sheet
