"""Needs: creation, changes, soft deletion and the states
draft → submitted → in review → list published → closed. Every change is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vivier.appdb.census import Need, Organisation, User, utcnow
from vivier.errors import BadValueError, Forbidden
from vivier.needs import DRAFT, PUBLISHED, STATUS_LABELS, STATUSES, SUBMITTED, policy
from vivier.needs.audit import record
from vivier.needs.fields import clean_need_fields


def create_need(
    session: Session,
    actor: User,
    raw: dict,
    organisation: Organisation | None = None,
    status: str = DRAFT,
) -> Need:
    """A buyer records a need for its organisation; a curator may record one for any
    organisation (the census import), directly as submitted."""
    fields = clean_need_fields(raw)
    if actor.role == "buyer":
        if actor.organisation_id is None:
            raise Forbidden("Ce compte acheteur n'est rattaché à aucune organisation.")
        organisation_id = actor.organisation_id
    elif policy.is_curator(actor) and organisation is not None:
        organisation_id = organisation.id
    else:
        raise Forbidden("Seul un acheteur (ou la Mission, pour un import) enregistre un besoin.")
    if status not in (DRAFT, SUBMITTED):
        raise BadValueError("Un nouveau besoin est un brouillon ou un besoin soumis.")
    need = Need(organisation_id=organisation_id, author_id=actor.id, status=status, **fields)
    session.add(need)
    session.flush()
    record(session, actor, "create", "need", need.id, title=need.title, status=status)
    return need


def get_need(session: Session, actor: User, need_id: int) -> Need:
    return policy.require_visible(actor, session.get(Need, need_id))


def update_need(session: Session, actor: User, need_id: int, raw: dict) -> Need:
    need = get_need(session, actor, need_id)
    policy.require_editable(actor, need)
    fields = clean_need_fields(raw, partial=True)
    changed = {}
    for key, value in fields.items():
        if getattr(need, key) != value:
            changed[key] = _jsonable(getattr(need, key))
            setattr(need, key, value)
    if changed:
        need.updated_at = utcnow()
        record(session, actor, "update", "need", need.id, before=changed)
    return need


def delete_need(session: Session, actor: User, need_id: int) -> Need:
    """Soft deletion: the row stays (and is dumped), hidden from every list."""
    need = get_need(session, actor, need_id)
    policy.require_deletable(actor, need)
    need.deleted_at = utcnow()
    record(session, actor, "delete", "need", need.id)
    return need


def transition(session: Session, actor: User, need_id: int, target: str) -> Need:
    if target not in STATUSES:
        raise BadValueError(f"État inconnu : « {target} » (attendu : {', '.join(STATUSES)}).")
    need = get_need(session, actor, need_id)
    policy.require_transition(actor, need, target)
    before = need.status
    need.status = target
    need.updated_at = utcnow()
    if target == PUBLISHED:
        need.published_at = need.updated_at
    record(session, actor, "transition", "need", need.id, before=before, after=target)
    return need


def visible_needs(session: Session, actor: User, status: str | None = None) -> list[Need]:
    """The needs this account may see, newest first (the rules are in `needs.policy`)."""
    query = select(Need).where(Need.deleted_at.is_(None)).order_by(Need.id.desc())
    if actor.role == "buyer":
        query = query.where(Need.organisation_id == actor.organisation_id)
    elif actor.role == "startup":
        query = query.where(Need.status == PUBLISHED, Need.confidential.is_(False))
    if status:
        query = query.where(Need.status == status)
    return [need for need in session.scalars(query) if policy.can_see(actor, need)]


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _jsonable(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def need_as_dict(session: Session, need: Need) -> dict:
    """The public view of a need (API, CLI, exports)."""
    organisation = session.get(Organisation, need.organisation_id)
    return {
        "id": need.id,
        "title": need.title,
        "description": need.description,
        "cpv_codes": list(need.cpv_codes or []),
        "place": need.place,
        "region": need.region,
        "budget_min": need.budget_min,
        "budget_max": need.budget_max,
        "expected_date": _jsonable(need.expected_date),
        "confidential": need.confidential,
        "status": need.status,
        "status_label": status_label(need.status),
        "organisation": {
            "siret": organisation.siret,
            "name": organisation.name,
            "ministry": organisation.ministry,
        },
        "created_at": _jsonable(need.created_at),
        "updated_at": _jsonable(need.updated_at),
        "published_at": _jsonable(need.published_at),
    }
