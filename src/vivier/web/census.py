"""The needs census on the web: the JSON API (`/api/besoins`, `/api/recensement`, ...),
the HTML pages (`/connexion`, `/besoins`, `/recensement`, `/import`) and the list
downloads (CSV, PDF) served to both."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vivier.appdb.census import Organisation
from vivier.needs import curation
from vivier.needs.export import list_csv, list_pdf
from vivier.web import census_api, census_forms, census_pages
from vivier.web.census_auth import LoginRequired, db, viewer

router = APIRouter()
router.include_router(census_api.router)
router.include_router(census_forms.router)  # before /besoins/{need_id}
router.include_router(census_pages.router)
NAV = [("/besoins", "Besoins"), ("/recensement", "Recensement")]


def _download(request: Request, need_id: int, kind: str) -> Response:
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            raise LoginRequired()
        need, entries = curation.list_for(session, user, need_id)
        name = f"liste-start-up-besoin-{need.id}.{kind}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if kind == "csv":
            media = "text/csv; charset=utf-8"
            return Response(list_csv(entries), media_type=media, headers=headers)
        organisation = session.get(Organisation, need.organisation_id)
        pdf = list_pdf(need, organisation, entries)
        return Response(pdf, media_type="application/pdf", headers=headers)


def list_csv_file(request: Request, need_id: int) -> Response:
    return _download(request, need_id, "csv")


def list_pdf_file(request: Request, need_id: int) -> Response:
    return _download(request, need_id, "pdf")


for prefix in ("", "/api"):
    for kind, endpoint in (("csv", list_csv_file), ("pdf", list_pdf_file)):
        router.add_api_route(
            f"{prefix}/besoins/{{need_id}}/liste.{kind}",
            endpoint,
            methods=["GET"],
            summary=f"La liste de start-up pertinentes ({kind.upper()})",
            include_in_schema=prefix == "/api",
            tags=["recensement des besoins"],
        )
