"""Authorisation rules, in one place. A need an account may not see is "not found" (404);
a need it sees but may not change is "forbidden" (403).

- a buyer sees its organisation's needs, except other people's drafts: drafts are private;
- the Mission (and admins) see every need once submitted, curate and publish lists;
- a start-up sees published, non-confidential needs and may say it is interested;
- the curated list is shown to the Mission, and to the buyer once published.
"""

from __future__ import annotations

from vivier.appdb.census import Need, User
from vivier.errors import Forbidden, NotFound
from vivier.needs import CLOSED, DRAFT, IN_REVIEW, PUBLISHED, SUBMITTED

CURATORS = ("mission", "admin")

# (from, to) → roles allowed; "buyer" means a buyer of the need's organisation.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (DRAFT, SUBMITTED): ("buyer",),
    (SUBMITTED, DRAFT): ("buyer",),
    (SUBMITTED, IN_REVIEW): CURATORS,
    (IN_REVIEW, PUBLISHED): CURATORS,
    (PUBLISHED, IN_REVIEW): CURATORS,
    (SUBMITTED, CLOSED): ("buyer", *CURATORS),
    (IN_REVIEW, CLOSED): ("buyer", *CURATORS),
    (PUBLISHED, CLOSED): ("buyer", *CURATORS),
}


def is_curator(actor: User) -> bool:
    return actor.role in CURATORS


def owns(actor: User, need: Need) -> bool:
    """A buyer of the need's organisation."""
    return (
        actor.role == "buyer"
        and actor.organisation_id is not None
        and actor.organisation_id == need.organisation_id
    )


def can_see(actor: User, need: Need) -> bool:
    if need.deleted_at is not None:
        return False
    if need.status == DRAFT:
        return need.author_id == actor.id
    if actor.role == "buyer":
        return owns(actor, need)
    if is_curator(actor):
        return True
    return actor.role == "startup" and need.status == PUBLISHED and not need.confidential


def require_visible(actor: User, need: Need | None) -> Need:
    if need is None or not can_see(actor, need):
        raise NotFound("Besoin introuvable.")
    return need


def require_editable(actor: User, need: Need) -> None:
    """Content changes: a buyer of the organisation, while the need is a draft or submitted."""
    require_visible(actor, need)
    if not owns(actor, need):
        raise Forbidden("Seuls les acheteurs de l'organisation peuvent modifier ce besoin.")
    if need.status not in (DRAFT, SUBMITTED):
        raise Forbidden("Ce besoin n'est plus modifiable : il est en cours d'examen ou publié.")


def require_deletable(actor: User, need: Need) -> None:
    require_visible(actor, need)
    if actor.role == "admin":
        return
    require_editable(actor, need)


def require_transition(actor: User, need: Need, target: str) -> None:
    require_visible(actor, need)
    allowed = TRANSITIONS.get((need.status, target))
    if allowed is None:
        raise Forbidden(f"Passage impossible de l'état « {need.status} » à « {target} ».")
    if actor.role in allowed and (actor.role != "buyer" or owns(actor, need)):
        return
    if target == PUBLISHED:
        raise Forbidden("Seule la Mission French Tech publie les listes.")
    raise Forbidden("Votre rôle ne permet pas ce changement d'état.")


def require_curator(actor: User, need: Need) -> None:
    require_visible(actor, need)
    if not is_curator(actor):
        raise Forbidden("Seule la Mission French Tech compose les listes de start-up.")
    if need.status not in (SUBMITTED, IN_REVIEW):
        raise Forbidden("La liste ne se modifie que pendant l'examen du besoin.")


def can_see_list(actor: User, need: Need) -> bool:
    if not can_see(actor, need):
        return False
    if is_curator(actor):
        return True
    return owns(actor, need) and need.status in (PUBLISHED, CLOSED)


def require_list_visible(actor: User, need: Need) -> None:
    require_visible(actor, need)
    if not can_see_list(actor, need):
        raise Forbidden("La liste de start-up n'est pas encore publiée pour ce besoin.")


def require_interest_allowed(actor: User, need: Need) -> None:
    require_visible(actor, need)
    if actor.role != "startup" or need.status != PUBLISHED:
        raise Forbidden("Seule une start-up peut se déclarer intéressée par un besoin publié.")
