"""The census's JSON API under /api: needs, their states, curated lists, interest, census,
import. Authenticated by API token (`Authorization: Bearer`) or session cookie
(then changes carry `X-CSRF-Token`)."""

from __future__ import annotations

from fastapi import APIRouter, Body, File, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from vivier.config import Settings
from vivier.errors import BadValueError, Forbidden
from vivier.needs import accounts, census, curation, importer, policy, proposals, workflow
from vivier.needs.workflow import need_as_dict
from vivier.web.census_auth import api_user, check_login_csrf, db, open_session, viewer

router = APIRouter(prefix="/api", tags=["recensement des besoins"])


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def list_view(session, need, entries) -> dict:
    return {
        "need": need_as_dict(session, need),
        "startups": [curation.entry_as_dict(e, rank) for rank, e in enumerate(entries, 1)],
    }


@router.post("/connexion", summary="Ouvre une session (cookie) ; renvoie le jeton CSRF")
def api_login(request: Request, response: Response, payload: dict = Body(...)) -> dict:
    check_login_csrf(request, payload.get("csrf"))
    with db(request) as session:
        email, password = str(payload.get("email", "")), str(payload.get("password", ""))
        user = accounts.authenticate(session, email, password)
        csrf = open_session(request, response, user)
        return {"email": user.email, "role": user.role, "csrf": csrf}


@router.get("/moi", summary="Le compte connecté")
def me(request: Request) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        organisation = accounts.organisation_of(session, user)
        return {
            "email": user.email,
            "role": user.role,
            "siren": user.siren,
            "organisation": organisation.siret if organisation else None,
        }


@router.get("/besoins", summary="Les besoins que ce compte peut voir")
def needs(request: Request, statut: str | None = None) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        rows = workflow.visible_needs(session, user, statut)
        return {"needs": [need_as_dict(session, need) for need in rows]}


@router.post("/besoins", status_code=201, summary="Enregistre un besoin (brouillon)")
def create(request: Request, payload: dict = Body(...)) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        need = workflow.create_need(session, user, payload)
        return need_as_dict(session, need)


@router.get("/besoins/{need_id}", summary="Un besoin")
def read(request: Request, need_id: int) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        return need_as_dict(session, workflow.get_need(session, user, need_id))


@router.patch("/besoins/{need_id}", summary="Modifie un besoin (brouillon ou soumis)")
def update(request: Request, need_id: int, payload: dict = Body(...)) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        return need_as_dict(session, workflow.update_need(session, user, need_id, payload))


@router.delete("/besoins/{need_id}", status_code=204, summary="Supprime un besoin (logique)")
def delete(request: Request, need_id: int) -> Response:
    with db(request) as session:
        workflow.delete_need(session, api_user(request, session), need_id)
    return Response(status_code=204)


@router.post("/besoins/{need_id}/etat", summary="Change l'état d'un besoin")
def change_state(request: Request, need_id: int, payload: dict = Body(...)) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        target = str(payload.get("etat", ""))
        if target == "published":
            need = curation.publish(session, user, need_id)
        else:
            need = workflow.transition(session, user, need_id, target)
        return need_as_dict(session, need)


@router.get("/besoins/{need_id}/liste", summary="La liste de start-up du besoin")
def read_list(request: Request, need_id: int) -> dict:
    with db(request) as session:
        need, entries = curation.list_for(session, api_user(request, session), need_id)
        return list_view(session, need, entries)


@router.get("/besoins/{need_id}/propositions", summary="Start-up proposées par le moteur")
def propose(request: Request, need_id: int, k: int = 10) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        need = workflow.get_need(session, user, need_id)
        if not policy.is_curator(user):
            raise Forbidden("Seule la Mission French Tech consulte les propositions.")
        found = proposals.propose_startups(_settings(request), need, k=max(1, min(k, 50)))
        return {"proposals": [vars(proposal) for proposal in found]}


@router.post("/besoins/{need_id}/liste", status_code=201, summary="Ajoute une start-up")
def add(request: Request, need_id: int, payload: dict = Body(...)) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        entry = curation.add_entry(
            session,
            user,
            need_id,
            str(payload.get("siren", "")),
            name=str(payload.get("name", "")),
            note=str(payload.get("note", "")),
            score=_score(payload.get("score")),
            reasons=[str(reason) for reason in payload.get("reasons") or []],
        )
        return curation.entry_as_dict(entry, entry.position)


def _score(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BadValueError(f"Score invalide : « {value} ».") from None


@router.patch("/besoins/{need_id}/liste/{siren}", summary="Change la note d'une start-up")
def note(request: Request, need_id: int, siren: str, payload: dict = Body(...)) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        entry = curation.set_note(session, user, need_id, siren, str(payload.get("note", "")))
        return curation.entry_as_dict(entry, entry.position)


@router.delete("/besoins/{need_id}/liste/{siren}", status_code=204, summary="Retire")
def remove(request: Request, need_id: int, siren: str) -> Response:
    with db(request) as session:
        curation.remove_entry(session, api_user(request, session), need_id, siren)
    return Response(status_code=204)


@router.put("/besoins/{need_id}/ordre", summary="Réordonne la liste (tous les SIREN)")
def reorder(request: Request, need_id: int, payload: dict = Body(...)) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        sirens = [str(siren) for siren in payload.get("sirens") or []]
        curation.reorder(session, user, need_id, sirens)
        need, entries = curation.list_for(session, user, need_id)
        return list_view(session, need, entries)


@router.post("/besoins/{need_id}/interet", status_code=201, summary="Une start-up intéressée")
def interest(request: Request, need_id: int, payload: dict = Body(default={})) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        row = curation.declare_interest(session, user, need_id, str(payload.get("message", "")))
        return curation.interest_as_dict(session, row)


@router.get("/besoins/{need_id}/interets", summary="Les start-up intéressées")
def interests(request: Request, need_id: int) -> dict:
    with db(request) as session:
        rows = curation.interests(session, api_user(request, session), need_id)
        return {"interests": [curation.interest_as_dict(session, row) for row in rows]}


@router.get("/recensement", summary="Le recensement : besoins par ministère, état, domaine")
def census_counts(request: Request) -> dict:
    with db(request) as session:
        return census.census(session, api_user(request, session))


@router.get("/start-up/besoins", summary="Les besoins publiés pour une start-up")
def startup_needs(request: Request) -> dict:
    with db(request) as session:
        user = api_user(request, session)
        views = proposals.needs_for_startup(session, _settings(request), user)
        return {
            "needs": [
                {
                    **need_as_dict(session, view.need),
                    "on_list": view.on_list,
                    "interested": view.interested,
                    "fit_score": view.score,
                    "fit_reasons": view.reasons,
                }
                for view in views
            ]
        }


@router.post("/import", summary="Importe des besoins d'un tableur (CSV ou XLSX)")
def import_sheet(request: Request, fichier: UploadFile = File(...)) -> JSONResponse:
    content = fichier.file.read()
    with db(request) as session:
        user = api_user(request, session)
        report = importer.import_needs(session, user, fichier.filename or "", content)
        return JSONResponse(report.as_dict())


__all__ = ["router", "viewer"]
