"""The app database as the census uses it: an engine whose schema is up to date."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from vivier.appdb import make_engine, upgrade
from vivier.config import Settings


def ready_engine(settings: Settings) -> Engine:
    """An engine on the app database, migrated to the latest revision (idempotent)."""
    engine = make_engine(settings)
    upgrade(engine)
    return engine
