"""The census's HTML pages: sign-in, needs, a need with its curated list, census, import.
Every form carries the session's CSRF token; a visitor who is not signed in is sent to
the sign-in page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from vivier.appdb.census import User
from vivier.errors import BadValueError, Forbidden
from vivier.needs import (
    ROLE_LABELS,
    STATUS_LABELS,
    accounts,
    audit,
    census,
    curation,
    importer,
    policy,
    proposals,
    workflow,
)
from vivier.reference import cpv_label, labels
from vivier.web.census_auth import (
    check_csrf,
    check_login_csrf,
    close_session,
    csrf_token,
    db,
    login_csrf,
    open_session,
    set_login_csrf,
    to_login,
    viewer,
)
from vivier.web.rendering import render

router = APIRouter(include_in_schema=False)
HISTORY_LABELS = {
    "create": "création",
    "update": "modification",
    "delete": "suppression",
    "transition": "changement d'état",
    "add": "ajout à la liste",
    "remove": "retrait de la liste",
    "note": "note",
    "reorder": "nouvel ordre de la liste",
    "interest": "intérêt d'une start-up",
}
ACTION_LABELS = {
    "draft": "Repasser en brouillon",
    "submitted": "Soumettre à la Mission French Tech",
    "in_review": "Mettre en examen",
    "closed": "Clore le besoin",
}


def page(request: Request, template: str, user: User | None, data: dict, status: int = 200):
    context = {
        "me": user,
        "role_labels": ROLE_LABELS,
        "status_labels": STATUS_LABELS,
        "history_labels": HISTORY_LABELS,
        "csrf": csrf_token(request),
        "api_path": "/api" + request.url.path,
        **data,
    }
    return render(request, f"census/{template}", context, status_code=status)


def safe_next(target: str | None) -> str:
    target = target or "/besoins"
    return target if target.startswith("/") and not target.startswith("//") else "/besoins"


@router.get("/connexion")
def login_page(request: Request, suivant: str = "/besoins", erreur: str | None = None):
    token = login_csrf(request)
    data = {"login_csrf": token, "suivant": safe_next(suivant), "error": erreur}
    data["api_path"] = "/api/moi"
    response = page(request, "login.html", None, data, 401 if erreur else 200)
    set_login_csrf(request, response, token)
    return response


@router.post("/connexion")
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    suivant: str = Form("/besoins"),
):
    check_login_csrf(request, csrf)
    with db(request) as session:
        try:
            user = accounts.authenticate(session, email, password)
        except Forbidden as error:
            return login_page(request, suivant, str(error))
        response = RedirectResponse(safe_next(suivant), status_code=303)
        open_session(request, response, user)
        return response


@router.post("/deconnexion")
def logout(request: Request, csrf: str = Form("")):
    check_csrf(request, csrf)
    response = RedirectResponse("/connexion", status_code=303)
    close_session(response)
    return response


@router.get("/besoins")
def needs_page(request: Request, statut: str | None = None):
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        if user.role == "startup":
            views = proposals.needs_for_startup(session, request.app.state.settings, user)
            return page(request, "startup_needs.html", user, {"views": views})
        needs = workflow.visible_needs(session, user, statut or None)
        views = [workflow.need_as_dict(session, need) for need in needs]
        return page(request, "needs.html", user, {"needs": views, "statut": statut})


@router.get("/besoins/{need_id}")
def need_page(request: Request, need_id: int, propositions: bool = False):
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        need = workflow.get_need(session, user, need_id)
        data = {
            "need": workflow.need_as_dict(session, need),
            "cpv": [(code, cpv_label(code) or "") for code in need.cpv_codes or []],
            "regions": labels("regions"),
            "entries": None,
            "interests": None,
            "proposals": None,
            "can_curate": _allowed(policy.require_curator, user, need),
            "owns": policy.owns(user, need),
            "transitions": _transitions(user, need),
            "history": None,
        }
        if policy.can_see_list(user, need):
            data["entries"] = curation.entries(session, need)
        if policy.is_curator(user) or policy.owns(user, need):
            rows = curation.interests(session, user, need_id)
            data["interests"] = [curation.interest_as_dict(session, row) for row in rows]
        if policy.is_curator(user) or policy.owns(user, need):
            data["history"] = audit.need_history(session, need_id)
        if propositions and data["can_curate"]:
            data["proposals"] = proposals.propose_startups(request.app.state.settings, need)
        return page(request, "need.html", user, data)


def _allowed(rule: Callable, *args) -> bool:
    try:
        rule(*args)
    except (Forbidden, BadValueError):
        return False
    return True


def _transitions(user: User, need) -> list[tuple[str, str]]:
    targets = [t for (s, t) in policy.TRANSITIONS if s == need.status and t != "published"]
    return [
        (target, ACTION_LABELS[target])
        for target in targets
        if _allowed(policy.require_transition, user, need, target)
    ]


def _act(request: Request, need_id: int, csrf: str, action: Callable[[Session, User], object]):
    """Run one change for the signed-in account, then show the need again."""
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        check_csrf(request, csrf)
        action(session, user)
    return RedirectResponse(f"/besoins/{need_id}", status_code=303)


@router.post("/besoins/{need_id}/etat")
def change_state(request: Request, need_id: int, etat: str = Form(...), csrf: str = Form("")):
    return _act(request, need_id, csrf, lambda s, u: workflow.transition(s, u, need_id, etat))


@router.post("/besoins/{need_id}/publier")
def publish(request: Request, need_id: int, csrf: str = Form("")):
    return _act(request, need_id, csrf, lambda s, u: curation.publish(s, u, need_id))


@router.post("/besoins/{need_id}/liste/ajout")
def add_startup(
    request: Request,
    need_id: int,
    siren: str = Form(...),
    name: str = Form(""),
    note: str = Form(""),
    score: str = Form(""),
    reasons: str = Form(""),
    csrf: str = Form(""),
):
    def action(session, user):
        reason_list = [line for line in reasons.split("\n") if line.strip()]
        value = float(score) if score.strip() else None
        curation.add_entry(session, user, need_id, siren, name, note, value, reason_list)

    return _act(request, need_id, csrf, action)


@router.post("/besoins/{need_id}/liste/{siren}/note")
def note(request: Request, need_id: int, siren: str, note: str = Form(""), csrf: str = Form("")):
    return _act(request, need_id, csrf, lambda s, u: curation.set_note(s, u, need_id, siren, note))


@router.post("/besoins/{need_id}/liste/{siren}/deplacer")
def move(request: Request, need_id: int, siren: str, sens: int = Form(...), csrf: str = Form("")):
    return _act(request, need_id, csrf, lambda s, u: curation.move(s, u, need_id, siren, sens))


@router.post("/besoins/{need_id}/liste/{siren}/retrait")
def remove(request: Request, need_id: int, siren: str, csrf: str = Form("")):
    return _act(request, need_id, csrf, lambda s, u: curation.remove_entry(s, u, need_id, siren))


@router.post("/besoins/{need_id}/interet")
def interest(request: Request, need_id: int, message: str = Form(""), csrf: str = Form("")):
    return _act(
        request, need_id, csrf, lambda s, u: curation.declare_interest(s, u, need_id, message)
    )


@router.post("/besoins/{need_id}/suppression")
def delete(request: Request, need_id: int, csrf: str = Form("")):
    response = _act(request, need_id, csrf, lambda s, u: workflow.delete_need(s, u, need_id))
    if response.headers["location"].startswith("/connexion"):
        return response
    return RedirectResponse("/besoins", status_code=303)


@router.get("/recensement")
def census_page(request: Request):
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        return page(request, "census.html", user, {"census": census.census(session, user)})


@router.get("/import")
def import_page(request: Request):
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        return page(request, "import.html", user, {"report": None})


@router.post("/import")
def import_sheet(request: Request, fichier: UploadFile = File(...), csrf: str = Form("")):
    content = fichier.file.read()
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        check_csrf(request, csrf)
        report = importer.import_needs(session, user, fichier.filename or "", content)
        return page(request, "import.html", user, {"report": report.as_dict()})
