"""The need form: a buyer records a need (`/besoins/nouveau`) or changes it while it is a
draft or submitted (`/besoins/{id}/modifier`); a wrong field shows the form again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from vivier.errors import BadValueError
from vivier.needs import DRAFT, SUBMITTED, policy, workflow
from vivier.needs.fields import FIELDS
from vivier.reference import labels
from vivier.web.census_auth import check_csrf, db, to_login, viewer
from vivier.web.census_pages import page

router = APIRouter(include_in_schema=False)


def form_values(raw: dict) -> dict:
    values = {key: raw.get(key, "") for key in FIELDS}
    codes = values["cpv_codes"]
    values["cpv_codes"] = " ".join(codes) if isinstance(codes, list) else codes or ""
    values["confidential"] = bool(raw.get("confidential"))
    return {key: "" if value is None else value for key, value in values.items()}


def show_form(request, user, values: dict, need_id: int | None, error=None, status=200):
    data = {
        "values": form_values(values),
        "error": error,
        "regions": labels("regions"),
        "need_id": need_id,
        "api_path": f"/api/besoins/{need_id}" if need_id else "/api/besoins",
    }
    return page(request, "need_form.html", user, data, status)


async def submitted_fields(request: Request) -> tuple[dict, object]:
    form = await request.form()
    raw = {key: form.get(key) for key in FIELDS if key in form}
    raw["confidential"] = form.get("confidential") == "oui"
    return raw, form


@router.get("/besoins/nouveau")
def new_need_page(request: Request):
    with db(request) as session:
        user = viewer(request, session)
        return to_login(request) if user is None else show_form(request, user, {}, None)


@router.post("/besoins/nouveau")
async def create_need(request: Request):
    raw, form = await submitted_fields(request)
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        check_csrf(request, form.get("csrf"))
        try:
            need = workflow.create_need(session, user, raw)
            if form.get("action") == "soumettre":
                workflow.transition(session, user, need.id, SUBMITTED)
        except BadValueError as error:
            session.rollback()
            return show_form(request, user, raw, None, str(error), 422)
        return RedirectResponse(f"/besoins/{need.id}", status_code=303)


@router.get("/besoins/{need_id}/modifier")
def edit_need_page(request: Request, need_id: int):
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        need = workflow.get_need(session, user, need_id)
        policy.require_editable(user, need)
        return show_form(request, user, workflow.need_as_dict(session, need), need_id)


@router.post("/besoins/{need_id}/modifier")
async def edit_need(request: Request, need_id: int):
    raw, form = await submitted_fields(request)
    with db(request) as session:
        user = viewer(request, session)
        if user is None:
            return to_login(request)
        check_csrf(request, form.get("csrf"))
        try:
            need = workflow.update_need(session, user, need_id, raw)
            if form.get("action") == "soumettre" and need.status == DRAFT:
                workflow.transition(session, user, need.id, SUBMITTED)
        except BadValueError as error:
            session.rollback()
            return show_form(request, user, raw, need_id, str(error), 422)
        return RedirectResponse(f"/besoins/{need_id}", status_code=303)
