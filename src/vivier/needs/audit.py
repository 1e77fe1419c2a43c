"""The audit log: one row per change (who, when, what), written in the same transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vivier.appdb.census import AuditEntry, User


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    **details: object,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            actor_email=actor.email if actor else "",
            action=action,
            entity=entity,
            entity_id=entity_id,
            details={key: value for key, value in details.items() if value is not None},
        )
    )


def entries(
    session: Session, entity: str | None = None, entity_id: int | None = None
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(query))


def need_history(session: Session, need_id: int) -> list[AuditEntry]:
    """Everything that happened to a need and its list, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity.in_(("need", "list_entry")), AuditEntry.entity_id == need_id)
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(query))
