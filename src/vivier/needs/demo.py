"""Demo step of the needs census: demo accounts (a buyer, the Mission, a start-up) and one
sample need whose list of start-ups is curated and published."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from sqlalchemy.orm import Session

from vivier.appdb import session_scope
from vivier.appdb.census import User
from vivier.config import Settings
from vivier.needs import accounts, curation, proposals, workflow
from vivier.needs.store import ready_engine

log = logging.getLogger(__name__)

DEMO_PASSWORD = "vivier-demo-2026"
BUYER = "acheteur@demo.vivier.fr"
MISSION = "mission@demo.vivier.fr"
STARTUP = "startup@demo.vivier.fr"
BUYER_SIRET = "11000201100044"
STARTUP_SIREN = "431628619"  # ENGINEST, i-Lab laureate (sample start-up list)
STARTUP_NAME = "ENGINEST"
NEED = {
    "title": "Planification des équipes d'intervention",
    "description": (
        "Outil de planification et d'ordonnancement des interventions des équipes "
        "techniques (contraintes d'horaires, de compétences et de déplacements)."
    ),
    "cpv_codes": ["72212000"],
    "place": "Paris",
    "region": "11",
    "budget_min": 80000,
    "budget_max": 200000,
    "expected_date": "2027-04-01",
    "confidential": False,
}


def census_step(settings: Settings) -> Iterator[str]:
    """Create the demo accounts and a published list (once: re-running keeps them)."""
    engine = ready_engine(settings)
    with session_scope(engine) as session:
        if accounts.find_user(session, BUYER) is not None:
            yield "Recensement des besoins : comptes de démonstration déjà présents."
        else:
            need_id, listed = _populate(session, settings)
            yield (
                f"Recensement des besoins : besoin n° {need_id} publié avec une liste de "
                f"{listed} start-up."
            )
    yield f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :"
    yield f"  acheteur : {BUYER} ; Mission French Tech : {MISSION} ; start-up : {STARTUP}"


def _populate(session: Session, settings: Settings) -> tuple[int, int]:
    buyer = accounts.add_user(
        session, BUYER, "buyer", password=DEMO_PASSWORD, organisation=BUYER_SIRET,
        ministry="Ministère de l'Intérieur et des Outre-mer",
        organisation_name="Direction du numérique (démonstration)",
    )  # fmt: skip
    mission = accounts.add_user(session, MISSION, "mission", password=DEMO_PASSWORD)
    accounts.add_user(session, STARTUP, "startup", password=DEMO_PASSWORD, siren=STARTUP_SIREN)
    need = workflow.create_need(session, buyer, NEED)
    workflow.transition(session, buyer, need.id, "submitted")
    _curate(session, settings, mission, need.id)
    curation.publish(session, mission, need.id)
    return need.id, len(curation.entries(session, need))


def _curate(session: Session, settings: Settings, mission: User, need_id: int) -> None:
    """The engine's top three, then the demo start-up by hand if it is not among them."""
    need = workflow.get_need(session, mission, need_id)
    try:
        found = proposals.propose_startups(settings, need, k=3)
    except Exception as error:  # the demo goes on with a list made by hand
        log.info("matching engine unavailable for the demo list: %s", error)
        found = []
    for proposal in found:
        curation.add_entry(
            session, mission, need_id, proposal.siren, name=proposal.name,
            score=proposal.score, reasons=proposal.reasons,
        )  # fmt: skip
    note = "Lauréate i-Lab : planification par programmation par contraintes."
    if STARTUP_SIREN in {proposal.siren for proposal in found}:
        curation.set_note(session, mission, need_id, STARTUP_SIREN, note)
    else:
        curation.add_entry(session, mission, need_id, STARTUP_SIREN, name=STARTUP_NAME, note=note)
