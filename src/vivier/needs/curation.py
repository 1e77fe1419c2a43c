"""The Mission's curated list for a need: add, remove, reorder start-ups, a note for each;
start-ups' interest in published needs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vivier.appdb.census import Interest, ListEntry, Need, User, utcnow
from vivier.codes import check_siren
from vivier.errors import BadValueError, Forbidden, NotFound
from vivier.needs import IN_REVIEW, PUBLISHED, SUBMITTED, policy
from vivier.needs.audit import record
from vivier.needs.workflow import get_need, transition


def entries(session: Session, need: Need) -> list[ListEntry]:
    query = (
        select(ListEntry)
        .where(ListEntry.need_id == need.id, ListEntry.removed_at.is_(None))
        .order_by(ListEntry.position, ListEntry.id)
    )
    return list(session.scalars(query))


def list_for(session: Session, actor: User, need_id: int) -> tuple[Need, list[ListEntry]]:
    need = get_need(session, actor, need_id)
    policy.require_list_visible(actor, need)
    return need, entries(session, need)


def _curated_need(session: Session, actor: User, need_id: int) -> Need:
    need = get_need(session, actor, need_id)
    policy.require_curator(actor, need)
    if need.status == SUBMITTED:
        transition(session, actor, need.id, IN_REVIEW)
    return need


def add_entry(
    session: Session,
    actor: User,
    need_id: int,
    siren: str,
    name: str = "",
    note: str = "",
    score: float | None = None,
    reasons: list[str] | None = None,
) -> ListEntry:
    need = _curated_need(session, actor, need_id)
    checked = check_siren(siren)
    if not checked.ok:
        raise BadValueError(f"SIREN invalide : « {siren} » ({checked.problem}).")
    current = entries(session, need)
    existing = session.scalar(
        select(ListEntry).where(ListEntry.need_id == need.id, ListEntry.siren == checked.value)
    )
    if existing is not None and existing.removed_at is None:
        raise BadValueError(f"La start-up {checked.value} est déjà sur la liste.")
    entry = existing or ListEntry(need_id=need.id, siren=checked.value)
    entry.removed_at = None
    entry.name, entry.note, entry.score = name.strip(), note.strip(), score
    entry.reasons = list(reasons or [])
    entry.position = len(current) + 1
    entry.added_by = actor.id
    session.add(entry)
    session.flush()
    record(session, actor, "add", "list_entry", need.id, siren=entry.siren, name=entry.name)
    return entry


def _entry(session: Session, need: Need, siren: str) -> ListEntry:
    for entry in entries(session, need):
        if entry.siren == siren:
            return entry
    raise NotFound(f"La start-up {siren} n'est pas sur la liste de ce besoin.")


def remove_entry(session: Session, actor: User, need_id: int, siren: str) -> None:
    need = _curated_need(session, actor, need_id)
    entry = _entry(session, need, siren)
    entry.removed_at = utcnow()
    _renumber(session, need)
    record(session, actor, "remove", "list_entry", need.id, siren=siren)


def set_note(session: Session, actor: User, need_id: int, siren: str, note: str) -> ListEntry:
    need = _curated_need(session, actor, need_id)
    entry = _entry(session, need, siren)
    record(session, actor, "note", "list_entry", need.id, siren=siren, before=entry.note)
    entry.note = note.strip()
    return entry


def reorder(session: Session, actor: User, need_id: int, sirens: list[str]) -> list[ListEntry]:
    """Put the list in the order of `sirens`, which must name every start-up on it once."""
    need = _curated_need(session, actor, need_id)
    current = {entry.siren: entry for entry in entries(session, need)}
    if sorted(sirens) != sorted(current):
        raise BadValueError("Le nouvel ordre doit citer chaque start-up de la liste une fois.")
    for position, siren in enumerate(sirens, start=1):
        current[siren].position = position
    record(session, actor, "reorder", "list_entry", need.id, order=list(sirens))
    return [current[siren] for siren in sirens]


def move(session: Session, actor: User, need_id: int, siren: str, offset: int) -> None:
    """Move one start-up up (offset -1) or down (+1) the list."""
    order = [entry.siren for entry in entries(session, get_need(session, actor, need_id))]
    if siren not in order:
        raise NotFound(f"La start-up {siren} n'est pas sur la liste de ce besoin.")
    index = order.index(siren)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    reorder(session, actor, need_id, order)


def _renumber(session: Session, need: Need) -> None:
    for position, entry in enumerate(entries(session, need), start=1):
        entry.position = position


def publish(session: Session, actor: User, need_id: int) -> Need:
    need = get_need(session, actor, need_id)
    if not policy.is_curator(actor):
        raise Forbidden("Seule la Mission French Tech publie les listes.")
    if need.status == SUBMITTED:
        transition(session, actor, need.id, IN_REVIEW)
    if need.status == IN_REVIEW and not entries(session, need):
        raise BadValueError("La liste est vide : ajoutez au moins une start-up avant de publier.")
    return transition(session, actor, need.id, PUBLISHED)


def declare_interest(session: Session, actor: User, need_id: int, message: str = "") -> Interest:
    need = get_need(session, actor, need_id)
    policy.require_interest_allowed(actor, need)
    interest = session.scalar(
        select(Interest).where(Interest.need_id == need.id, Interest.user_id == actor.id)
    )
    if interest is None:
        interest = Interest(need_id=need.id, user_id=actor.id, siren=actor.siren)
        session.add(interest)
    interest.message, interest.withdrawn_at = message.strip(), None
    session.flush()
    record(session, actor, "interest", "need", need.id, siren=actor.siren)
    return interest


def interests(session: Session, actor: User, need_id: int) -> list[Interest]:
    """Start-ups interested in a need: seen by the Mission and the need's buyers."""
    need = get_need(session, actor, need_id)
    if not (policy.is_curator(actor) or policy.owns(actor, need)):
        raise Forbidden("Seuls la Mission et les acheteurs du besoin voient les marques d'intérêt.")
    query = select(Interest).where(Interest.need_id == need.id, Interest.withdrawn_at.is_(None))
    return list(session.scalars(query.order_by(Interest.id)))


def needs_for_startup(session: Session, actor: User) -> list[tuple[Need, bool, bool]]:
    """Published needs a start-up sees: (need, on its list, already interested), the needs
    whose list names it first."""
    if actor.role != "startup":
        raise Forbidden("Réservé aux comptes start-up.")
    needs = session.scalars(
        select(Need)
        .where(Need.status == PUBLISHED, Need.deleted_at.is_(None), Need.confidential.is_(False))
        .order_by(Need.id.desc())
    ).all()
    listed = set(
        session.scalars(
            select(ListEntry.need_id).where(
                ListEntry.siren == (actor.siren or ""), ListEntry.removed_at.is_(None)
            )
        )
    )
    interested = set(
        session.scalars(
            select(Interest.need_id).where(
                Interest.user_id == actor.id, Interest.withdrawn_at.is_(None)
            )
        )
    )
    rows = [(need, need.id in listed, need.id in interested) for need in needs]
    return sorted(rows, key=lambda row: not row[1])


def entry_as_dict(entry: ListEntry, rank: int) -> dict:
    return {
        "rank": rank,
        "siren": entry.siren,
        "name": entry.name,
        "note": entry.note,
        "score": entry.score,
        "reasons": list(entry.reasons or []),
    }


def interest_as_dict(session: Session, interest: Interest) -> dict:
    user = session.get(User, interest.user_id)
    return {
        "email": user.email if user else "",
        "siren": interest.siren,
        "message": interest.message,
        "created_at": interest.created_at.isoformat(),
    }
