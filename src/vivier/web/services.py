"""Adapters over the features the web app shows (barometer, matching, start-ups, tenders).

Each feature is built by its own module; this file is the one place where the web app
calls them, so that a page keeps working (with a French notice) while a feature is absent.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

import duckdb

from vivier.config import Settings

log = logging.getLogger(__name__)


def notices_available(db: duckdb.DuckDBPyConnection) -> bool:
    from vivier.warehouse.web import has_table

    return has_table(db, "tender_notices") and has_table(db, "tenders")


def search_notices(db, text, year, cpv, limit, offset) -> tuple[int, list[dict]]:
    """Full-text search over notices (tenders), empty while that feature is absent."""
    if not notices_available(db):
        return 0, []
    from vivier.warehouse import web as queries

    return queries.search_notices(db, text, year, cpv, limit, offset)


def notice_sheet(db, notice_id: str) -> dict | None:
    if not notices_available(db):
        return None
    from vivier.warehouse import web as queries

    return queries.notice_sheet(db, notice_id)


def startup_status(db, settings: Settings, siren: str) -> list[dict]:
    """The company's start-up status today under each published definition."""
    try:
        from vivier.startups import available_definitions, explain, load_definition
    except ImportError:
        return []
    statuses = []
    for name in available_definitions():
        definition = load_definition(name)
        verdict = as_dict(explain(db, definition, siren, date.today()))
        statuses.append(
            {"definition": definition.title, "description": definition.description_fr, **verdict}
        )
    return statuses


def as_dict(value) -> dict:
    if isinstance(value, dict):
        return value
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    return {"explanation": str(value)}


# --- matching -------------------------------------------------------------------------

_engine_lock = threading.Lock()


def match_engine(app):
    """The matching engine over the warehouse, loaded once per application."""
    state = app.state
    if getattr(state, "match_engine", None) is None:
        with _engine_lock:
            if getattr(state, "match_engine", None) is None:
                from vivier.match import MatchEngine

                state.match_engine = MatchEngine.load(state.settings)
    return state.match_engine


def result_dicts(results) -> list[dict]:
    shaped = []
    for item in results:
        row = as_dict(item)
        reasons = row.get("reasons") or []
        row["reasons"] = [str(reason) for reason in reasons]
        shaped.append(row)
    return shaped


def need_to_startups(app, text: str, codes: list[str], region: str | None, k: int) -> list[dict]:
    engine = match_engine(app)
    return result_dicts(engine.need_to_startups(text, cpv=tuple(codes), region=region, k=k))


def startup_to_buyers(app, siren: str | None, text: str | None, k: int) -> list[dict]:
    engine = match_engine(app)
    return result_dicts(engine.startup_to_buyers(siren=siren, text=text, k=k))


def company_name(db, siren: str) -> str | None:
    from vivier.warehouse import web as queries

    identity = queries.company_identity(db, siren)
    if identity and identity.get("name"):
        return identity["name"]
    labels = queries.company_labels(db, siren)
    return labels[0]["name"] if labels else None


def default_open_on(db) -> date:
    """Today, or the day of the latest notice loaded when the data stops before today
    (so that demo and archived data still show the lots open at that time)."""
    today = date.today()
    if not notices_available(db):
        return today
    from vivier.warehouse.web import latest_notice_date

    latest = latest_notice_date(db)
    return min(today, latest) if latest else today


def open_tenders(app, db, siren: str | None, open_on: date | None, k: int) -> list[dict]:
    """Open tenders (lots) suited to the company `siren`, explained; [] when nothing is
    known of the company or no tender is loaded."""
    if siren is None or not notices_available(db):
        return []
    from vivier.errors import NotFound
    from vivier.match.tenders import rank_tenders

    try:
        ranking = rank_tenders(app.state.settings, siren, open_on, k)
    except NotFound:
        return []
    return [
        {
            "id": match.lot["uid"],
            "notice_uid": match.lot["notice_uid"],
            "title": match.lot["title"],
            "buyer_name": match.lot["buyer_name"],
            "deadline": match.lot["deadline"],
            "estimated_value": match.lot["estimated_value"],
            "score": match.score,
            "reasons": [str(reason) for reason in match.reasons],
        }
        for match in ranking.matches
    ]
