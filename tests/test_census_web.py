"""The authorisation rules through the JSON API and through the pages, sessions, CSRF
and API tokens. Another account reading or changing a need gets 403 or 404."""

from __future__ import annotations

import pytest
from census_support import NEED, SIREN_2, make_need
from census_web_support import Site
from fastapi.testclient import TestClient


@pytest.fixture
def site(settings) -> Site:
    return Site(settings)


HIDDEN_FROM = [
    # (need state, author, account that must not see it)
    ("submitted", "buyer_a", "buyer_b"),  # a buyer sees only its organisation's needs
    ("draft", "buyer_a", "buyer_a2"),  # drafts are private, even to colleagues
    ("draft", "buyer_a", "mission"),
    ("draft", "buyer_a", "admin"),
    ("in_review", "buyer_a", "startup"),  # start-ups see only published needs
    ("published", "buyer_a", "buyer_b"),
]


@pytest.mark.parametrize(("state", "author", "other"), HIDDEN_FROM)
def test_a_need_is_hidden_from_other_accounts_in_the_api(site: Site, state, author, other):
    need_id = make_need(site.world, state, author=author)
    client = site.api(other)
    assert client.get(f"/api/besoins/{need_id}").status_code == 404
    assert need_id not in [n["id"] for n in client.get("/api/besoins").json()["needs"]]
    assert client.patch(f"/api/besoins/{need_id}", json={"title": "x"}).status_code == 404
    assert client.delete(f"/api/besoins/{need_id}").status_code == 404
    assert site.api(author).get(f"/api/besoins/{need_id}").status_code == 200


@pytest.mark.parametrize(("state", "author", "other"), HIDDEN_FROM)
def test_a_need_is_hidden_from_other_accounts_in_the_pages(site: Site, state, author, other):
    need_id = make_need(site.world, state, author=author)
    browser = site.browser(other)
    assert browser.get(f"/besoins/{need_id}").status_code == 404
    assert "Erreur 404" in browser.get(f"/besoins/{need_id}").text
    assert NEED["title"] not in browser.get("/besoins").text
    response = browser.submit(f"/besoins/{need_id}/etat", etat="closed")
    assert response.status_code == 404
    assert site.browser(author).get(f"/besoins/{need_id}").status_code == 200


@pytest.mark.parametrize("who", ["buyer_a", "startup"])
def test_only_the_mission_publishes_a_list_through_the_api(site: Site, who):
    need_id = make_need(site.world, "in_review")
    mission = site.api("mission")
    added = mission.post(f"/api/besoins/{need_id}/liste", json={"siren": SIREN_2, "name": "B"})
    assert added.status_code == 201
    client = site.api(who)
    response = client.post(f"/api/besoins/{need_id}/etat", json={"etat": "published"})
    assert response.status_code == (403 if who == "buyer_a" else 404)
    response = client.post(f"/api/besoins/{need_id}/liste", json={"siren": "845678903"})
    assert response.status_code in (403, 404)
    assert (
        mission.post(f"/api/besoins/{need_id}/etat", json={"etat": "published"}).json()["status"]
        == "published"
    )


def test_only_the_mission_publishes_a_list_through_the_pages(site: Site):
    need_id = make_need(site.world, "in_review")
    buyer = site.browser("buyer_a")
    assert buyer.submit(f"/besoins/{need_id}/liste/ajout", siren=SIREN_2).status_code == 403
    assert buyer.submit(f"/besoins/{need_id}/publier").status_code == 403
    assert "Publier la liste" not in buyer.get(f"/besoins/{need_id}").text
    mission = site.browser("mission")
    assert mission.submit(f"/besoins/{need_id}/liste/ajout", siren=SIREN_2).status_code == 303
    assert mission.submit(f"/besoins/{need_id}/publier").status_code == 303
    assert "liste publiée" in buyer.get(f"/besoins/{need_id}").text


def test_the_buyer_sees_the_list_only_once_published(site: Site):
    need_id = make_need(site.world, "in_review")
    site.api("mission").post(f"/api/besoins/{need_id}/liste", json={"siren": SIREN_2})
    buyer = site.api("buyer_a")
    assert buyer.get(f"/api/besoins/{need_id}/liste").status_code == 403
    assert buyer.get(f"/api/besoins/{need_id}/liste.pdf").status_code == 403
    assert site.browser("buyer_a").get(f"/besoins/{need_id}/liste.csv").status_code == 403
    site.api("mission").post(f"/api/besoins/{need_id}/etat", json={"etat": "published"})
    listed = buyer.get(f"/api/besoins/{need_id}/liste").json()["startups"]
    assert [row["siren"] for row in listed] == [SIREN_2]
    assert site.api("buyer_b").get(f"/api/besoins/{need_id}/liste").status_code == 404


def test_other_accounts_cannot_change_a_visible_need(site: Site):
    need_id = make_need(site.world, "published")
    for name in ("mission", "startup"):
        client = site.api(name)
        assert client.patch(f"/api/besoins/{need_id}", json={"title": "x"}).status_code == 403
        assert client.delete(f"/api/besoins/{need_id}").status_code == 403
    response = site.browser("startup").submit(f"/besoins/{need_id}/etat", etat="closed")
    assert response.status_code == 403
    assert site.api("buyer_a").get(f"/api/besoins/{need_id}").json()["title"] == NEED["title"]


def test_confidential_needs_are_not_shown_to_start_ups(site: Site):
    need_id = make_need(site.world, "published", confidential=True)
    assert site.api("startup").get(f"/api/besoins/{need_id}").status_code == 404
    assert site.api("startup").get("/api/start-up/besoins").json()["needs"] == []
    assert site.api("mission").get(f"/api/besoins/{need_id}").status_code == 200


def test_the_census_is_for_the_mission_only(site: Site):
    make_need(site.world, "submitted")
    make_need(site.world, "draft")
    census = site.api("mission").get("/api/recensement").json()
    assert census["total"] == 1
    assert census["by_ministry"] == [{"ministry": "Intérieur", "count": 1}]
    assert site.api("buyer_a").get("/api/recensement").status_code == 403
    assert site.browser("buyer_a").get("/recensement").status_code == 403
    page = site.browser("mission").get("/recensement")
    assert page.status_code == 200 and 'id="total">1<' in page.text


def test_start_ups_see_the_needs_that_name_them_and_say_they_are_interested(site: Site):
    need_id = make_need(site.world, "published")  # its list names SIREN_1, the start-up's
    client = site.api("startup")
    rows = client.get("/api/start-up/besoins").json()["needs"]
    assert [(row["id"], row["on_list"]) for row in rows] == [(need_id, True)]
    response = client.post(f"/api/besoins/{need_id}/interet", json={"message": "Oui"})
    assert response.status_code == 201
    interests = site.api("buyer_a").get(f"/api/besoins/{need_id}/interets").json()["interests"]
    assert interests[0]["email"] == "startup@exemple.fr" and interests[0]["message"] == "Oui"
    assert site.api("buyer_b").get(f"/api/besoins/{need_id}/interets").status_code == 404
    browser = site.browser("startup2")
    assert "Ce besoin vous intéresse" in browser.get(f"/besoins/{need_id}").text
    assert browser.submit(f"/besoins/{need_id}/interet", message="Nous aussi").status_code == 303
    assert len(site.api("mission").get(f"/api/besoins/{need_id}/interets").json()["interests"]) == 2


def test_anonymous_visitors_are_asked_to_sign_in(site: Site):
    need_id = make_need(site.world, "published")
    client = TestClient(site.app)
    response = client.get(f"/api/besoins/{need_id}")
    assert response.status_code == 401 and "erreur" in response.json()
    response = client.get(f"/besoins/{need_id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/connexion?suivant=/besoins/")
    assert client.get(f"/api/besoins/{need_id}/liste.pdf").status_code == 401
    bad = TestClient(site.app, headers={"Authorization": "Bearer viv_faux"})
    assert bad.get("/api/besoins").status_code == 401


def test_session_cookie_is_httponly_and_samesite(site: Site):
    browser = site.browser("buyer_a")
    response = browser.sign_in("buyer_a@exemple.fr")
    cookie = response.headers["set-cookie"]
    assert response.status_code == 303
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert browser.get("/api/moi").json()["email"] == "buyer_a@exemple.fr"


def test_wrong_password_shows_the_form_again(site: Site):
    browser = site.browser("buyer_a")
    browser.cookies.clear()
    response = browser.sign_in("buyer_a@exemple.fr", password="pas-le-bon")
    assert response.status_code == 401
    assert "mot de passe incorrect" in response.text


def test_forms_and_cookie_api_calls_need_the_csrf_token(site: Site):
    need_id = make_need(site.world, "draft")
    browser = site.browser("buyer_a")
    forged = browser.post(f"/besoins/{need_id}/etat", data={"etat": "submitted"})
    assert forged.status_code == 403
    response = browser.post(f"/api/besoins/{need_id}/etat", json={"etat": "submitted"})
    assert response.status_code == 403
    headers = {"X-CSRF-Token": browser.csrf}
    ok = browser.post(f"/api/besoins/{need_id}/etat", json={"etat": "submitted"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    login = browser.post("/connexion", data={"email": "buyer_a@exemple.fr", "password": "x"})
    assert login.status_code == 403


def test_a_buyer_records_a_need_through_the_form(site: Site):
    browser = site.browser("buyer_a")
    bad = browser.submit("/besoins/nouveau", title="Achat", cpv_codes="99999999")
    assert bad.status_code == 422 and "Code CPV inconnu" in bad.text
    response = browser.submit(
        "/besoins/nouveau", title="Capteurs connectés", cpv_codes="38000000",
        budget_min="1 000", budget_max="5000", confidential="oui", action="soumettre",
    )  # fmt: skip
    assert response.status_code == 303
    need = site.api("buyer_a").get(response.headers["location"].replace("/besoins", "/api/besoins"))
    body = need.json()
    assert (body["status"], body["budget_min"], body["confidential"]) == ("submitted", 1000, True)


def test_api_validation_errors_are_422_in_french(site: Site):
    client = site.api("buyer_a")
    response = client.post("/api/besoins", json={**NEED, "expected_date": "demain"})
    assert response.status_code == 422 and "Date invalide" in response.json()["erreur"]
    response = client.post("/api/besoins", json={**NEED, "budget_min": 10, "budget_max": 1})
    assert response.status_code == 422
    response = client.post("/api/besoins", json={**NEED, "couleur": "bleu"})
    assert response.status_code == 422 and "inconnu" in response.json()["erreur"]
    assert client.post("/api/besoins", json=NEED).status_code == 201


@pytest.mark.postgres
def test_the_api_workflow_on_postgres():
    from census_support import private_postgres

    with private_postgres() as pg_settings:
        site = Site(pg_settings)
        buyer, mission = site.api("buyer_a"), site.api("mission")
        need_id = buyer.post("/api/besoins", json=NEED).json()["id"]
        assert buyer.post(f"/api/besoins/{need_id}/etat", json={"etat": "submitted"}).is_success
        assert mission.post(f"/api/besoins/{need_id}/liste", json={"siren": SIREN_2}).is_success
        published = mission.post(f"/api/besoins/{need_id}/etat", json={"etat": "published"})
        assert published.json()["status"] == "published"
        assert (
            buyer.get(f"/api/besoins/{need_id}/liste.csv")
            .text.splitlines()[1]
            .startswith(f"1;{SIREN_2}")
        )
        assert site.api("buyer_b").get(f"/api/besoins/{need_id}").status_code == 404
        site.world.engine.dispose()
        site.app.state.census_engine.dispose()


def test_a_buyer_changes_a_need_through_the_form_and_sees_its_history(site: Site):
    need_id = make_need(site.world, "draft")
    browser = site.browser("buyer_a")
    form = browser.get(f"/besoins/{need_id}/modifier")
    assert form.status_code == 200 and 'value="72212000"' in form.text
    fields = {**NEED, "cpv_codes": "72212000 48000000", "budget_max": "300000"}
    fields.pop("confidential")
    response = browser.submit(f"/besoins/{need_id}/modifier", **fields, action="soumettre")
    assert response.status_code == 303
    body = site.api("buyer_a").get(f"/api/besoins/{need_id}").json()
    assert (body["status"], body["cpv_codes"], body["budget_max"]) == (
        "submitted", ["72212000", "48000000"], 300000.0,
    )  # fmt: skip
    page = browser.get(f"/besoins/{need_id}").text
    assert "Historique du besoin" in page and "modification" in page
    assert site.browser("buyer_b").get(f"/besoins/{need_id}/modifier").status_code == 404
    assert site.browser("mission").get(f"/besoins/{need_id}/modifier").status_code == 403
    bad = browser.submit(f"/besoins/{need_id}/modifier", title="")
    assert bad.status_code == 422 and "Titre : obligatoire" in bad.text


class FakeEngine:
    def need_to_startups(self, text, cpv=(), region=None, k=10):
        from types import SimpleNamespace

        rows = [(SIREN_2, "Beta", 0.9), ("845678903", "Delta", 0.5)]
        return [SimpleNamespace(id=s, name=n, score=v, reasons=[f"raison {n}"]) for s, n, v in rows]


def test_the_mission_sees_the_engine_proposals_and_adds_one(site: Site, monkeypatch):
    from vivier.needs import proposals

    monkeypatch.setattr(proposals, "load_engine", lambda _settings: FakeEngine())
    need_id = make_need(site.world, "submitted")
    api = site.api("mission")
    found = api.get(f"/api/besoins/{need_id}/propositions?k=5").json()["proposals"]
    assert [(p["siren"], p["reasons"]) for p in found][0] == (SIREN_2, ["raison Beta"])
    assert site.api("buyer_a").get(f"/api/besoins/{need_id}/propositions").status_code == 403
    mission = site.browser("mission")
    added = mission.submit(
        f"/besoins/{need_id}/liste/ajout", siren=SIREN_2, name="Beta", score="0.9",
        reasons="raison Beta",
    )  # fmt: skip
    assert added.status_code == 303
    page = mission.get(f"/besoins/{need_id}?propositions=1").text
    assert "Delta" in page and "Déjà sur la liste" in page
    (entry,) = api.get(f"/api/besoins/{need_id}/liste").json()["startups"]
    assert (entry["score"], entry["reasons"]) == (0.9, ["raison Beta"])


def test_cookies_are_secure_when_the_setting_says_so(settings):
    from census_web_support import PageClient

    secure = Site(settings.model_copy(update={"secure_cookies": True}))
    client = PageClient(secure.app, base_url="https://testserver")
    response = client.sign_in("buyer_a@exemple.fr")
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]
    plain = Site(settings, secure.world).browser("buyer_a")
    assert "Secure" not in plain.sign_in("buyer_a@exemple.fr").headers["set-cookie"]


def test_a_buyer_deletes_its_draft_from_the_page(site: Site):
    need_id = make_need(site.world, "draft")
    browser = site.browser("buyer_a")
    response = browser.submit(f"/besoins/{need_id}/suppression")
    assert (response.status_code, response.headers["location"]) == (303, "/besoins")
    assert browser.get(f"/besoins/{need_id}").status_code == 404
    anonymous = TestClient(site.app).post(f"/besoins/{need_id}/suppression", follow_redirects=False)
    assert anonymous.headers["location"].startswith("/connexion")


class FitEngine:
    """Ranks needs for a start-up: the one about « capteurs » fits best."""

    def startup_profile(self, siren, text):
        return "capteurs connectés", ["38000000"]

    def rank_texts(self, query_text, cpv, documents, k=10):
        from types import SimpleNamespace

        ranked = sorted(documents, key=lambda d: "capteurs" not in d["text"])
        return [
            SimpleNamespace(id=str(d["id"]), name=d["name"], score=1.0 / (i + 1), reasons=["mot"])
            for i, d in enumerate(ranked)
        ]


def test_start_ups_see_first_the_needs_listing_them_then_those_that_fit(site: Site, monkeypatch):
    from vivier.needs import proposals

    fitting = make_need(site.world, "published", title="Capteurs", description="capteurs")
    other = make_need(site.world, "published", title="Ordinateurs portables")
    listed = make_need(site.world, "in_review")
    mission = site.api("mission")
    mission.post(f"/api/besoins/{listed}/liste", json={"siren": SIREN_2})
    mission.post(f"/api/besoins/{listed}/etat", json={"etat": "published"})
    client = site.api("startup2")  # SIREN_2: on the list of `listed` only
    unranked = [row["id"] for row in client.get("/api/start-up/besoins").json()["needs"]]
    assert unranked == [listed, other, fitting]  # no engine: listed first, then newest
    monkeypatch.setattr(proposals, "load_engine", lambda _settings: FitEngine())
    rows = client.get("/api/start-up/besoins").json()["needs"]
    assert [row["id"] for row in rows] == [listed, fitting, other]
    assert rows[1]["fit_reasons"] == ["mot"] and rows[1]["fit_score"] == 1.0
    assert rows[0]["on_list"] and not rows[1]["on_list"]
    assert "Pourquoi ce besoin vous correspond" in site.browser("startup2").get("/besoins").text
