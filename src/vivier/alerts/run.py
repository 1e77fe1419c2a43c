"""`vivier alerts run`: for each saved search, the notices found and not yet delivered.

A notice found for a search is recorded once (`alert_deliveries`, unique per search and
notice). The digest of a search holds its pending notices (never delivered): it is written
as HTML and text under the output directory and, when SMTP is configured, e-mailed to the
owner. A notice is marked delivered only when the e-mail left (or, without SMTP, when the
digest file was written); a failed send stays pending and is retried on the next run.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from vivier.alerts.digest import group_notices, render
from vivier.alerts.mailer import send_digest, smtp_enabled
from vivier.alerts.searches import ready_engine, view_of
from vivier.appdb import session_scope
from vivier.appdb.models import AlertDelivery, SavedSearch
from vivier.config import Settings
from vivier.reference.places import fold
from vivier.warehouse import open_warehouse
from vivier.warehouse import tenders as tender_queries

log = logging.getLogger(__name__)
SENT, WRITTEN, FAILED, NOTHING = "sent", "written", "failed", "nothing"


@dataclass
class SearchRun:
    search_id: int
    name: str
    email: str
    found: int = 0  # notices newly found by this run
    delivered: int = 0  # notices in the digest
    status: str = NOTHING
    files: list[str] = field(default_factory=list)
    error: str | None = None


def search_words(text: str) -> list[str]:
    """The words of a search text, folded; words of one or two letters are ignored."""
    return [word for word in fold(text or "").replace("'", " ").split() if len(word) > 2]


def run_alerts(settings: Settings, out_dir: Path | None = None, on: date | None = None):
    """Run every saved search; returns one `SearchRun` per search."""
    on = on or date.today()
    out_dir = out_dir or settings.home / "alerts"
    engine = ready_engine(settings)
    runs = []
    with (
        open_warehouse(settings, read_only=True) as connection,
        session_scope(engine) as session,
    ):
        searches = session.scalars(
            select(SavedSearch).where(SavedSearch.deleted_at.is_(None)).order_by(SavedSearch.id)
        ).all()
        for search in searches:
            runs.append(_run_one(settings, connection, session, search, out_dir, on))
            session.commit()  # each search's deliveries are kept even if a later one fails
    return runs


def _run_one(settings, connection, session, search: SavedSearch, out_dir: Path, on: date):
    result = SearchRun(search.id, search.name, search.owner_email)
    lots = tender_queries.search_lots(
        connection,
        on,
        cpv_prefixes=list(search.cpv_codes or []),
        regions=list(search.regions or []),
        min_value=search.min_value,
        words=search_words(search.text),
    )
    deliveries = {
        d.notice_key: d
        for d in session.scalars(select(AlertDelivery).where(AlertDelivery.search_id == search.id))
    }
    for key in dict.fromkeys(lot["notice_uid"] for lot in lots):
        if key not in deliveries:
            deliveries[key] = AlertDelivery(search_id=search.id, notice_key=key, attempts=0)
            session.add(deliveries[key])
            result.found += 1
    pending = [d for d in deliveries.values() if d.sent_at is None]
    if not pending:
        return result
    keys = {d.notice_key for d in pending}
    missing = sorted(keys - {lot["notice_uid"] for lot in lots})
    digest_lots = [lot for lot in lots if lot["notice_uid"] in keys]
    digest_lots += tender_queries.lots_of_notices(connection, on, missing)
    notices = group_notices(digest_lots)
    subject, html, text = render(view_of(search), notices, on)
    result.files = _write(out_dir, search.id, html, text)
    result.delivered = len(notices)
    _deliver(settings, search, pending, subject, html, text, result)
    return result


def _write(out_dir: Path, search_id: int, html: str, text: str) -> list[str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    paths = [out_dir / f"recherche-{search_id}-{stamp}.{ext}" for ext in ("html", "txt")]
    paths[0].write_text(html, encoding="utf-8")
    paths[1].write_text(text, encoding="utf-8")
    return [str(path) for path in paths]


def _deliver(settings, search, pending, subject, html, text, result: SearchRun) -> None:
    now = datetime.utcnow()
    for delivery in pending:
        delivery.attempts = (delivery.attempts or 0) + 1
    if not smtp_enabled(settings):
        result.status = WRITTEN
    else:
        try:
            send_digest(settings, search.owner_email, subject, html, text)
            result.status = SENT
        except (OSError, smtplib.SMTPException) as error:
            log.warning("alert e-mail to %s failed: %s", search.owner_email, error)
            result.status, result.error = FAILED, str(error) or type(error).__name__
            for delivery in pending:
                delivery.last_error = result.error
            return
    for delivery in pending:
        delivery.sent_at, delivery.last_error = now, None
