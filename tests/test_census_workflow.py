"""The needs workflow in the library: states, curation, interest, census, audit log,
soft deletion, and the matching engine behind its seam."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from census_support import NEED, SIREN_1, SIREN_2, SIREN_3, build_world, make_need

from vivier.appdb import session_scope
from vivier.appdb.census import ListEntry, Need
from vivier.errors import BadValueError, ConfigError, Forbidden, NotFound
from vivier.needs import audit, census, curation, proposals, workflow


@pytest.fixture
def world(settings):
    return build_world(settings)


def test_a_need_goes_from_draft_to_closed_and_every_step_is_audited(world):
    with session_scope(world.engine) as session:
        buyer, mission = world.user(session, "buyer_a"), world.user(session, "mission")
        need = workflow.create_need(session, buyer, NEED)
        assert need.status == "draft" and need.cpv_codes == ["72212000"]
        workflow.transition(session, buyer, need.id, "submitted")
        curation.add_entry(session, mission, need.id, SIREN_1, name="Alpha")
        assert need.status == "in_review"  # curating starts the review
        curation.publish(session, mission, need.id)
        assert need.status == "published" and need.published_at is not None
        workflow.transition(session, buyer, need.id, "closed")
        steps = [
            (row.actor_email, row.action, row.details.get("after"))
            for row in audit.entries(session, "need", need.id)
        ]
    assert steps == [
        ("buyer_a@exemple.fr", "create", None),
        ("buyer_a@exemple.fr", "transition", "submitted"),
        ("mission@exemple.fr", "transition", "in_review"),
        ("mission@exemple.fr", "transition", "published"),
        ("buyer_a@exemple.fr", "transition", "closed"),
    ]


@pytest.mark.parametrize(
    ("state", "actor", "target", "error"),
    [
        ("draft", "buyer_a", "published", Forbidden),
        ("submitted", "buyer_a", "in_review", Forbidden),
        ("in_review", "buyer_a", "published", Forbidden),
        ("closed", "buyer_a", "submitted", Forbidden),
        ("submitted", "mission", "draft", Forbidden),
        ("submitted", "buyer_a", "envolé", BadValueError),
    ],
)
def test_transitions_outside_the_rules_are_refused(world, state, actor, target, error):
    need_id = make_need(world, state)
    with session_scope(world.engine) as session, pytest.raises(error):
        workflow.transition(session, world.user(session, actor), need_id, target)


def test_a_need_can_be_changed_only_before_review(world):
    need_id = make_need(world, "submitted")
    with session_scope(world.engine) as session:
        colleague = world.user(session, "buyer_a2")
        workflow.update_need(session, colleague, need_id, {"budget_max": "300 000,50"})
        assert session.get(Need, need_id).budget_max == 300000.5
        workflow.transition(session, world.user(session, "mission"), need_id, "in_review")
        with pytest.raises(Forbidden):
            workflow.update_need(session, colleague, need_id, {"title": "Autre"})
        changes = [row for row in audit.entries(session, "need", need_id) if row.action == "update"]
        assert changes[0].details == {"before": {"budget_max": 250000.0}}


def test_the_mission_curates_the_list(world):
    need_id = make_need(world, "submitted")
    with session_scope(world.engine) as session:
        mission = world.user(session, "mission")
        for siren, name in ((SIREN_1, "Alpha"), (SIREN_2, "Beta"), (SIREN_3, "Gamma")):
            curation.add_entry(session, mission, need_id, siren, name=name)
        with pytest.raises(BadValueError, match="déjà sur la liste"):
            curation.add_entry(session, mission, need_id, SIREN_1)
        with pytest.raises(BadValueError, match="SIREN invalide"):
            curation.add_entry(session, mission, need_id, "123456789")
        curation.reorder(session, mission, need_id, [SIREN_3, SIREN_1, SIREN_2])
        curation.move(session, mission, need_id, SIREN_2, -1)
        curation.set_note(session, mission, need_id, SIREN_1, "Déjà titulaire d'un marché")
        curation.remove_entry(session, mission, need_id, SIREN_3)
        with pytest.raises(BadValueError, match="chaque start-up"):
            curation.reorder(session, mission, need_id, [SIREN_1])
        need = session.get(Need, need_id)
        listed = [(e.position, e.siren, e.note) for e in curation.entries(session, need)]
        assert listed == [(1, SIREN_2, ""), (2, SIREN_1, "Déjà titulaire d'un marché")]
        assert session.query(ListEntry).filter_by(siren=SIREN_3).one().removed_at is not None
        curation.add_entry(session, mission, need_id, SIREN_3, name="Gamma")  # back, last
        assert [e.siren for e in curation.entries(session, need)][-1] == SIREN_3


def test_an_empty_list_is_not_published_and_published_lists_are_frozen(world):
    need_id = make_need(world, "in_review")
    with session_scope(world.engine) as session:
        mission = world.user(session, "mission")
        with pytest.raises(BadValueError, match="liste est vide"):
            curation.publish(session, mission, need_id)
        curation.add_entry(session, mission, need_id, SIREN_2)
        curation.publish(session, mission, need_id)
        with pytest.raises(Forbidden):
            curation.add_entry(session, mission, need_id, SIREN_3)
        workflow.transition(session, mission, need_id, "in_review")  # reopened to amend
        curation.add_entry(session, mission, need_id, SIREN_3)


def test_deletion_is_soft(world):
    need_id = make_need(world, "draft")
    with session_scope(world.engine) as session:
        buyer = world.user(session, "buyer_a")
        workflow.delete_need(session, buyer, need_id)
        assert session.get(Need, need_id).deleted_at is not None
        assert workflow.visible_needs(session, buyer) == []
        with pytest.raises(NotFound):
            workflow.get_need(session, buyer, need_id)


def test_census_counts_per_ministry_status_and_domain(world):
    make_need(world, "submitted")
    make_need(world, "published", cpv_codes=["30200000"])
    make_need(world, "draft")  # private: not counted
    with session_scope(world.engine) as session:
        buyer_b = world.user(session, "buyer_b")
        need = workflow.create_need(session, buyer_b, {**NEED, "cpv_codes": []})
        workflow.transition(session, buyer_b, need.id, "submitted")
        counts = census.census(session, world.user(session, "mission"))
        with pytest.raises(Forbidden):
            census.census(session, world.user(session, "buyer_a"))
    assert counts["total"] == 3
    assert counts["by_ministry"] == [
        {"ministry": "Intérieur", "count": 2},
        {"ministry": "Armées", "count": 1},
    ]
    by_status = {row["status"]: row["count"] for row in counts["by_status"]}
    assert by_status == {"submitted": 2, "in_review": 0, "published": 1, "closed": 0}
    domains = {row["domain"]: row["count"] for row in counts["by_domain"]}
    assert domains["(sans code CPV)"] == 1
    assert any(key.startswith("72 — ") for key in domains)
    assert any(key.startswith("30 — ") for key in domains)


class FakeEngine:
    def __init__(self):
        self.calls = []

    def need_to_startups(self, text, cpv=(), region=None, k=10):
        self.calls.append((text, cpv, region, k))
        reason = SimpleNamespace(text="3 marchés passés en CPV 72")
        return [SimpleNamespace(id=SIREN_2, name="Beta", score=0.8, reasons=[reason, "Île"])]


def test_the_matching_engine_proposes_start_ups(world, settings, monkeypatch):
    engine = FakeEngine()
    monkeypatch.setattr(proposals, "load_engine", lambda _settings: engine)
    need_id = make_need(world, "submitted")
    with session_scope(world.engine) as session:
        found = proposals.propose_startups(settings, session.get(Need, need_id), k=5)
    assert found == [
        proposals.Proposal(SIREN_2, "Beta", 0.8, ["3 marchés passés en CPV 72", "Île"])
    ]
    text, cpv, region, k = engine.calls[0]
    assert NEED["title"] in text and cpv == ("72212000",) and region == "11" and k == 5


def test_without_the_matching_engine_the_message_is_clear(world, settings, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_match(name, *args, **kwargs):
        if name == "vivier.match" and args and args[2] and "MatchEngine" in args[2]:
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_match)
    with pytest.raises(ConfigError, match="mise en relation"):
        proposals.load_engine(settings)


def test_demo_step_creates_accounts_and_a_published_list(settings):
    from vivier.needs import accounts
    from vivier.needs.demo import BUYER, DEMO_PASSWORD, STARTUP_SIREN, census_step
    from vivier.needs.store import ready_engine

    lines = list(census_step(settings))
    assert "publié" in lines[0] and BUYER in lines[-1] and DEMO_PASSWORD in lines[1]
    assert "déjà présents" in list(census_step(settings))[0]  # a second run keeps them
    with session_scope(ready_engine(settings)) as session:
        buyer = accounts.authenticate(session, BUYER, DEMO_PASSWORD)
        (need,) = workflow.visible_needs(session, buyer)
        assert need.status == "published"
        assert STARTUP_SIREN in [entry.siren for entry in curation.entries(session, need)]


@pytest.mark.postgres
def test_the_workflow_and_the_census_on_postgres():
    from census_support import private_postgres

    with private_postgres() as pg_settings:
        world = build_world(pg_settings)
        published = make_need(world, "published")
        make_need(world, "published", confidential=True)
        make_need(world, "submitted", cpv_codes=[])
        with session_scope(world.engine) as session:
            startup = world.user(session, "startup")
            rows = curation.needs_for_startup(session, startup)
            assert [(need.id, listed) for need, listed, _ in rows] == [(published, True)]
            counts = census.census(session, world.user(session, "mission"))
            assert counts["total"] == 3
            assert {row["domain"] for row in counts["by_domain"]} >= {"(sans code CPV)"}
        world.engine.dispose()
