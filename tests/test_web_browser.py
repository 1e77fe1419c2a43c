"""End-to-end tests in Debian's Chromium driven by Playwright, against a real uvicorn
server on a free loopback port. Screenshots of every page go to tests/artifacts/."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import httpx
import pytest

from vivier.web import create_app

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def server(demo_home):
    from web_support import LiveServer

    live = LiveServer(create_app(demo_home)).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium de Debian absent (/usr/bin/chromium) : lancez scripts/test-setup.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def new_page(browser, server, javascript: bool = True):
    context = browser.new_context(
        base_url=server.url,
        locale="fr-FR",
        accept_downloads=True,
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
    )
    return context, context.new_page()


@pytest.fixture
def page(browser, server):
    context, tab = new_page(browser, server)
    yield tab
    context.close()


def shoot(tab, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def api(server, path: str, **params) -> dict:
    return httpx.get(server.url + path, params=params, timeout=60).json()


def test_the_barometer_filters_change_the_figures(page, server):
    data = api(server, "/api/barometre")
    latest = data["barometer"]
    other = next(row for row in latest["trend"] if row["contracts"] != latest["contracts"])
    page.goto("/barometre")
    figure = page.locator('[data-figure="contracts"]')
    assert re.sub(r"\D", "", figure.inner_text()) == str(latest["contracts"])
    shoot(page, "barometre")
    page.get_by_label("Année", exact=True).select_option(str(other["year"]))
    page.wait_for_url(re.compile(f"annee={other['year']}"))
    page.wait_for_function(
        "n => document.querySelector('[data-figure=contracts]').innerText.replace(/\\D/g, '') == n",
        arg=str(other["contracts"]),
    )
    assert re.sub(r"\D", "", figure.inner_text()) == str(other["contracts"])
    assert page.get_by_label("Année", exact=True).input_value() == str(other["year"])
    shoot(page, "barometre-filtre-annee")


def test_a_buyer_describes_a_need_and_gets_an_explained_list_and_a_csv(page):
    page.goto("/trouver")
    page.get_by_label("Votre besoin").fill(
        "Plateforme logicielle de gestion des données et intelligence artificielle"
    )
    page.get_by_label("Chercher un code CPV").press_sequentially("logiciel", delay=20)
    suggestion = page.locator("#cpv-suggestions [data-cpv='48000000']")
    suggestion.click()
    assert "48000000" in page.get_by_label("Codes CPV retenus").input_value()
    page.get_by_role("button", name="Trouver des start-up").click()
    results = page.locator("ol.results > li")
    results.first.wait_for()
    count = results.count()
    assert count > 0
    assert page.locator("ol.results ul.reasons li").count() >= count
    shoot(page, "trouver-des-startups")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter la liste (CSV)").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert len(rows) == count
    first_name = results.first.locator("h3").inner_text()
    assert rows[0]["nom"] == first_name and rows[0]["raisons"]


def startup_siren(demo_home) -> str:
    with duckdb.connect(str(demo_home.warehouse_path), read_only=True) as con:
        row = con.execute(
            "SELECT siren FROM startup_members WHERE siren IS NOT NULL "
            "AND length(description) BETWEEN 200 AND 2000 ORDER BY siren LIMIT 1"
        ).fetchone()
    return row[0]


def test_a_startup_enters_its_siren_and_gets_buyers(page, demo_home):
    siren = startup_siren(demo_home)
    page.goto("/pour-les-startups")
    page.get_by_label("Votre SIREN").fill(siren)
    page.get_by_role("button", name="Trouver des acheteurs").click()
    buyers = page.locator("#acheteurs ol.results > li")
    buyers.first.wait_for()
    assert buyers.count() > 0
    assert buyers.first.locator("ul.reasons li").count() > 0
    shoot(page, "pour-les-startups-resultats")


def test_search_works_without_javascript(browser, server):
    context, tab = new_page(browser, server, javascript=False)
    try:
        tab.goto("/recherche")
        tab.get_by_label("Mots recherchés").fill("travaux")
        tab.get_by_role("button", name="Rechercher", exact=True).last.click()
        tab.wait_for_url(re.compile(r"q=travaux"))
        assert tab.locator("#resultats tbody tr").count() > 0
        tab.get_by_role("link", name="Page suivante →").click()
        tab.wait_for_url(re.compile(r"page=2"))
        assert tab.locator("#resultats tbody tr").count() > 0
        shoot(tab, "recherche-sans-javascript")
    finally:
        context.close()


def test_keyboard_users_can_skip_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Aller au contenu"
    assert page.locator("h1").count() == 1


def sheet_urls(server, demo_home) -> dict[str, str]:
    with duckdb.connect(str(demo_home.warehouse_path), read_only=True) as con:
        buyer = con.execute(
            "SELECT buyer_siren FROM contracts WHERE buyer_siren IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        uid, company = con.execute(
            "SELECT uid, siren FROM contract_suppliers WHERE siren IS NOT NULL ORDER BY uid LIMIT 1"
        ).fetchone()
        notice = con.execute("SELECT uid FROM tender_notices ORDER BY uid LIMIT 1").fetchone()
    urls = {
        "accueil": "/",
        "barometre": "/barometre",
        "trouver": "/trouver",
        "pour-les-startups": "/pour-les-startups",
        "recherche": "/recherche?q=travaux",
        "fiche-acheteur": f"/acheteurs/{buyer}",
        "fiche-entreprise": f"/entreprises/{company}",
        "fiche-marche": f"/marches/{uid}",
        "page-introuvable": "/nulle-part",
    }
    if notice:
        urls["fiche-avis"] = f"/avis/{notice[0]}"
    return urls


def test_screenshots_of_every_page(page, server, demo_home):
    for name, url in sheet_urls(server, demo_home).items():
        response = page.goto(url)
        expected = 404 if name == "page-introuvable" else 200
        assert response.status == expected, url
        assert page.locator("h1").count() == 1, url
        assert "Traceback" not in page.content()
        assert shoot(page, name).stat().st_size > 10_000
