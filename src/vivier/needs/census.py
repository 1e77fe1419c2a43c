"""The census: how many needs per ministry, per status and per domain (CPV division)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from vivier.appdb.census import Need, Organisation, User
from vivier.errors import Forbidden
from vivier.needs import DRAFT, STATUS_LABELS, STATUSES, policy
from vivier.reference import cpv_label

NO_MINISTRY = "(ministère non renseigné)"
NO_DOMAIN = "(sans code CPV)"


def domain_of(need: Need) -> str:
    """The CPV division of the need's first code, with its label: '72 — Services de TI…'."""
    codes = need.cpv_codes or []
    if not codes:
        return NO_DOMAIN
    division = codes[0][:2] + "000000"
    label = cpv_label(division) or ""
    return f"{codes[0][:2]} — {label}" if label else codes[0][:2]


def census(session: Session, actor: User) -> dict:
    """Counts of the submitted needs (drafts are private), for the Mission."""
    if not policy.is_curator(actor):
        raise Forbidden("Le recensement est réservé à la Mission French Tech.")
    rows = session.execute(
        select(Need, Organisation.ministry)
        .join(Organisation, Organisation.id == Need.organisation_id)
        .where(Need.deleted_at.is_(None), Need.status != DRAFT)
    ).all()
    by_ministry: Counter = Counter()
    by_status: Counter = Counter()
    by_domain: Counter = Counter()
    cross: dict[str, Counter] = {}
    for need, ministry in rows:
        ministry = ministry or NO_MINISTRY
        by_ministry[ministry] += 1
        by_status[need.status] += 1
        by_domain[domain_of(need)] += 1
        cross.setdefault(ministry, Counter())[need.status] += 1
    statuses = [status for status in STATUSES if status != DRAFT]
    return {
        "total": len(rows),
        "statuses": [{"status": s, "label": STATUS_LABELS[s]} for s in statuses],
        "by_ministry": _ranked(by_ministry, "ministry"),
        "by_status": [
            {"status": s, "label": STATUS_LABELS[s], "count": by_status[s]} for s in statuses
        ],
        "by_domain": _ranked(by_domain, "domain"),
        "ministry_by_status": [
            {"ministry": ministry, "counts": {s: cross[ministry][s] for s in statuses}}
            for ministry in sorted(cross)
        ],
    }


def _ranked(counter: Counter, key: str) -> list[dict]:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [{key: name, "count": count} for name, count in ordered]
