"""Helpers shared by the census tests: a small world of accounts and needs, and a private
PostgreSQL database per test (other developers use the shared test database too)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from vivier.appdb import make_engine, session_scope
from vivier.config import Settings
from vivier.needs import accounts, curation, workflow
from vivier.needs.store import ready_engine

# Cheap argon2 parameters for the tests (the hash format and checks are the real ones).
accounts.use_hasher(accounts.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

PASSWORD = "motdepasse-2026"
SIRET_A = "11000201100044"
SIRET_B = "13002603200008"
SIREN_1 = "812345676"
SIREN_2 = "823456785"
SIREN_3 = "834567893"

NEED = {
    "title": "Plateforme de traitement des demandes de titres de séjour",
    "description": "Outil numérique d'instruction, avec tri automatique des pièces jointes.",
    "cpv_codes": ["72212000"],
    "place": "Paris",
    "region": "11",
    "budget_min": 100000,
    "budget_max": 250000,
    "expected_date": "2027-03-01",
    "confidential": False,
}


@dataclass
class World:
    engine: sa.engine.Engine
    ids: dict[str, int]

    def user(self, session, name: str):
        return session.get(accounts.User, self.ids[name])


def build_world(settings: Settings) -> World:
    """Buyers of two organisations, the Mission, an admin, a start-up; no need yet."""
    engine = ready_engine(settings)
    ids = {}
    with session_scope(engine) as session:
        for name, role, kwargs in (
            ("buyer_a", "buyer", {"organisation": SIRET_A, "ministry": "Intérieur"}),
            ("buyer_a2", "buyer", {"organisation": SIRET_A}),
            ("buyer_b", "buyer", {"organisation": SIRET_B, "ministry": "Armées"}),
            ("mission", "mission", {}),
            ("admin", "admin", {}),
            ("startup", "startup", {"siren": SIREN_1}),
            ("startup2", "startup", {"siren": SIREN_2}),
        ):
            user = accounts.add_user(
                session, f"{name}@exemple.fr", role, password=PASSWORD, **kwargs
            )
            ids[name] = user.id
    return World(engine, ids)


def make_need(world: World, status: str = "draft", author: str = "buyer_a", **changes) -> int:
    """A need of organisation A brought to `status` through the real workflow."""
    with session_scope(world.engine) as session:
        buyer = world.user(session, author)
        mission = world.user(session, "mission")
        need = workflow.create_need(session, buyer, {**NEED, **changes})
        steps = ["submitted", "in_review", "published", "closed"]
        for step in steps[: steps.index(status) + 1] if status != "draft" else []:
            if step == "published":
                curation.add_entry(session, mission, need.id, SIREN_1, name="Alpha")
                curation.publish(session, mission, need.id)
            else:
                actor = buyer if step in ("submitted", "closed") else mission
                workflow.transition(session, actor, need.id, step)
        return need.id


@contextmanager
def private_postgres() -> Iterator[Settings]:
    """Settings on a fresh PostgreSQL database, dropped afterwards; skips without a server."""
    url = os.environ.get("VIVIER_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("VIVIER_TEST_POSTGRES_URL non défini")
    name = f"vivier_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    settings = Settings(database_url=target)
    try:
        yield settings
    finally:
        make_engine(settings).dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
