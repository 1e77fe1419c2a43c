"""The census on the demo data directory: the demo accounts sign in and see the published
list; the real matching engine proposes start-ups when the demo built its index."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from vivier.appdb.census import Need
from vivier.needs import proposals
from vivier.needs.demo import BUYER, DEMO_PASSWORD, STARTUP, STARTUP_SIREN
from vivier.web.app import create_app


def signed_in(demo_home, email: str) -> TestClient:
    client = TestClient(create_app(demo_home))
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/connexion").text).group(1)
    form = {"email": email, "password": DEMO_PASSWORD, "csrf": token}
    assert client.post("/connexion", data=form, follow_redirects=False).status_code == 303
    return client


def test_the_demo_buyer_signs_in_and_reads_the_published_list(demo_home):
    client = signed_in(demo_home, BUYER)
    (need,) = client.get("/api/besoins").json()["needs"]
    assert need["status"] == "published"
    listed = client.get(f"/api/besoins/{need['id']}/liste").json()["startups"]
    assert STARTUP_SIREN in [row["siren"] for row in listed]
    assert client.get(f"/besoins/{need['id']}/liste.pdf").content.startswith(b"%PDF")


def test_the_matching_engine_proposes_start_ups_for_a_need(demo_home):
    if not (demo_home.index_dir / "engine.pkl").exists():
        pytest.skip("la démonstration n'a pas construit l'index de mise en relation")
    need = Need(
        title="Planification des équipes d'intervention",
        description="Ordonnancement des interventions techniques sous contraintes.",
        cpv_codes=["72212000"],
        region="11",
    )
    found = proposals.propose_startups(demo_home, need, k=5)
    assert 0 < len(found) <= 5
    assert all(len(p.siren) == 9 and p.siren.isdigit() for p in found)
    assert all(isinstance(reason, str) and reason for p in found for reason in p.reasons)
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)


def test_the_demo_start_up_sees_the_need_that_lists_it(demo_home):
    (view,) = signed_in(demo_home, STARTUP).get("/api/start-up/besoins").json()["needs"]
    assert view["on_list"] is True
    if (demo_home.index_dir / "engine.pkl").exists():
        assert view["fit_reasons"] and view["fit_score"] > 0
