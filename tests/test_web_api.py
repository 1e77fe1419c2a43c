"""The JSON API and the HTML pages, in-process (FastAPI TestClient) over the demo data."""

from __future__ import annotations

import io
import zipfile

import duckdb
import pytest
from fastapi.testclient import TestClient

from vivier.web import create_app
from vivier.web.app import load_modules


@pytest.fixture(scope="module")
def client(demo_home):
    with TestClient(create_app(demo_home), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def db(demo_home):
    with duckdb.connect(str(demo_home.warehouse_path), read_only=True) as con:
        yield con


def scalar(db, sql, params=()):
    return db.execute(sql, list(params)).fetchone()[0]


def test_home_figures_match_the_warehouse(client, db):
    data = client.get("/api/").json()
    assert data["figures"]["contracts"] == scalar(db, "SELECT count(*) FROM contracts") > 0
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Trois portes d'entrée" in page.text


def test_every_page_has_its_json_twin():
    routes = [
        route
        for module in load_modules()
        for route in module.router.routes
        if hasattr(route, "include_in_schema")
    ]
    pages = [r.path for r in routes if r.include_in_schema is False]
    api = {r.path for r in routes if r.path.startswith("/api")}
    twins = [path for path in pages if not path.startswith("/cpv")]
    assert "/barometre" in twins and "/recherche" in twins
    for path in twins:
        assert "/api" + path in api, path


def test_search_filters_and_paginates(client, db):
    everything = client.get("/api/recherche").json()
    assert everything["total"] == scalar(db, "SELECT count(*) FROM contracts")
    word = "travaux"
    found = client.get("/api/recherche", params={"q": word}).json()
    assert 0 < found["total"] < everything["total"]
    for row in found["results"]:
        text = " ".join(str(row[key] or "") for key in ("object", "buyer_name", "contract_id"))
        assert word in text.lower()
    second = client.get("/api/recherche", params={"q": word, "page": 2}).json()
    first_ids = {row["uid"] for row in found["results"]}
    assert first_ids.isdisjoint(row["uid"] for row in second["results"])
    year = everything["years"][0]
    by_year = client.get("/api/recherche", params={"annee": year}).json()
    assert by_year["total"] == scalar(
        db, "SELECT count(*) FROM contracts WHERE year(notification_date) = ?", [year]
    )


def test_search_accents_do_not_matter(client):
    plain = client.get("/api/recherche", params={"q": "equipement"}).json()["total"]
    accented = client.get("/api/recherche", params={"q": "ÉQUIPEMENT"}).json()["total"]
    assert plain == accented


def test_search_page_works_without_javascript(client):
    page = client.get("/recherche", params={"q": "travaux", "page": 2})
    assert page.status_code == 200
    assert 'action="/recherche" method="get"' in page.text
    assert 'rel="prev"' in page.text and "/marches/" in page.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"annee": "abc"}, "annee : nombre entier attendu"),
        ({"annee": "1800"}, "annee : doit être au moins 1990"),
        ({"perimetre": "lune"}, "perimetre : valeurs possibles : 'all', 'etat'"),
    ],
)
def test_validation_details_are_french(client, params, expected):
    response = client.get("/api/barometre", params=params)
    assert response.status_code == 422
    details = response.json()["details"]
    assert any(line.startswith(expected) for line in details), details
    assert not any("Input should" in line for line in details)


def test_a_need_is_refused_over_5000_characters_as_in_the_cli(client):
    long_need = ("logiciel de gestion des marchés publics " * 200)[:4990]
    assert client.get("/api/trouver", params={"besoin": long_need}).status_code == 200
    refused = client.get("/api/trouver", params={"besoin": long_need + "x" * 20})
    assert refused.status_code == 422
    assert refused.json()["details"] == ["besoin : trop long (au plus 5000 caractères)"]


def test_bad_search_parameters_give_a_french_422(client):
    response = client.get("/api/recherche", params={"cpv": "abc"})
    assert response.status_code == 422
    assert response.json()["erreur"] == "Paramètres invalides."
    page = client.get("/recherche", params={"page": "zéro"})
    assert page.status_code == 422 and "Demande impossible" in page.text


def busiest_buyer(db) -> str:
    return scalar(
        db,
        "SELECT buyer_siren FROM contracts WHERE buyer_siren IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )


def test_buyer_sheet(client, db):
    siren = busiest_buyer(db)
    data = client.get(f"/api/acheteurs/{siren}").json()
    assert data["contracts"] == scalar(
        db, "SELECT count(*) FROM contracts WHERE buyer_siren = ?", [siren]
    )
    assert sum(row["contracts"] for row in data["by_year"]) <= data["contracts"]
    assert 0 <= data["coverage"]["with_cpv"] <= 1
    siret = scalar(db, "SELECT buyer_siret FROM contracts WHERE buyer_siren = ? LIMIT 1", [siren])
    assert client.get(f"/api/acheteurs/{siret}").json()["contracts"] == data["contracts"]
    listed = client.get("/api/recherche", params={"acheteur": siren}).json()
    assert listed["total"] == data["contracts"]
    page = client.get(f"/acheteurs/{siren}")
    assert page.status_code == 200 and "Couverture de ses publications" in page.text
    assert f"/recherche?acheteur={siren}" in page.text


def test_buyer_errors_are_french_and_have_the_right_status(client):
    bad = client.get("/api/acheteurs/123")
    assert bad.status_code == 422 and "SIREN valide" in bad.json()["erreur"]
    unknown = client.get("/api/acheteurs/552100554")  # a valid SIREN that buys nothing here
    assert unknown.status_code == 404 and "Aucun marché" in unknown.json()["erreur"]
    page = client.get("/acheteurs/552100554")
    assert page.status_code == 404 and "Traceback" not in page.text
    assert "Aucun marché" in page.text


def test_contract_and_company_sheets(client, db):
    uid, siren = db.execute(
        "SELECT c.uid, s.siren FROM contracts c JOIN contract_suppliers s USING (uid) "
        "WHERE s.siren IS NOT NULL AND c.uid LIKE '%|%' ORDER BY c.uid LIMIT 1"
    ).fetchone()
    contract = client.get(f"/api/marches/{uid}").json()
    assert contract["uid"] == uid
    assert siren in {supplier["siren"] for supplier in contract["suppliers"]}
    company = client.get(f"/api/entreprises/{siren}").json()
    recent = {row["uid"] for row in company["won"]["recent"]}
    assert uid in recent or company["won"]["contracts"] > len(recent)
    assert client.get(f"/marches/{uid}").status_code == 200
    assert client.get(f"/entreprises/{siren}").status_code == 200
    assert client.get("/api/marches/nope|nope").status_code == 404


def test_not_found_pages_are_french(client):
    api = client.get("/api/nulle-part")
    assert api.status_code == 404 and api.json()["erreur"].startswith("Page introuvable")
    page = client.get("/nulle-part")
    assert page.status_code == 404 and "Page introuvable" in page.text


def test_barometer_filters_change_the_figures(client):
    everyone = client.get("/api/barometre").json()
    result = everyone["barometer"]
    assert result["year"] in everyone["choices"]["annees"]
    assert {"startup_amount_share", "breakdowns", "coverage", "target"} <= set(result)
    by_perimeter = {row["key"]: row["contracts"] for row in result["breakdowns"]["perimeter"]}
    perimeter = max(by_perimeter, key=by_perimeter.get)
    narrowed = client.get("/api/barometre", params={"perimetre": perimeter}).json()
    assert narrowed["barometer"]["contracts"] == by_perimeter[perimeter]
    years = everyone["choices"]["annees"]
    older = client.get("/api/barometre", params={"annee": years[0]}).json()["barometer"]
    assert older["year"] == years[0]
    assert client.get("/barometre", params={"perimetre": perimeter}).status_code == 200


@pytest.mark.parametrize(
    ("kind", "media", "magic"),
    [
        ("json", "application/json", b"{"),
        ("pdf", "application/pdf", b"%PDF"),
        ("csv", "application/zip", b"PK"),
        ("html", "text/html; charset=utf-8", b"<!DOCTYPE html>"),
    ],
)
def test_barometer_downloads(client, kind, media, magic):
    year = client.get("/api/barometre").json()["barometer"]["year"]
    response = client.get(f"/barometre/telecharger/{kind}", params={"annee": year})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.content.startswith(magic)
    assert f"barometre-{year}-all-" in response.headers["content-disposition"]
    if kind == "json":
        assert response.json()["year"] == year
    if kind == "csv":
        names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
        assert any(name.endswith("-perimetres.csv") for name in names)


def test_barometer_bad_filters(client):
    assert client.get("/api/barometre", params={"perimetre": "lune"}).status_code == 422
    missing_year = client.get("/api/barometre", params={"annee": 1999})
    assert missing_year.status_code == 422 and "1999" in missing_year.json()["erreur"]


def test_cpv_autocomplete(client):
    by_word = client.get("/api/cpv", params={"q": "logiciels"}).json()
    assert "48000000" in {item["code"] for item in by_word}
    by_code = client.get("/api/cpv", params={"q": "7226"}).json()
    assert by_code and all(item["code"].startswith("7226") for item in by_code)
    fragment = client.get("/cpv/suggestions", params={"cpv_recherche": "7226"})
    assert 'data-cpv="72260000"' in fragment.text


def test_openapi_documents_the_api(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/barometre", "/api/recherche", "/api/acheteurs/{siren}"} <= set(schema["paths"])
    assert "/barometre" not in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_serve_without_a_warehouse_says_what_to_do(cli):
    result = cli("serve", "--port", "8999")
    assert result.exit_code == 1
    assert "Aucun entrepôt" in result.output and "vivier demo" in result.output
