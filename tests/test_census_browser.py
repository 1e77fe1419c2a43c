"""The census end to end in Debian's Chromium (Playwright) against a real server: a buyer
submits a need, the Mission curates and publishes a list, the buyer downloads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from census_support import PASSWORD, SIREN_1, SIREN_2, build_world
from web_support import LiveServer

from vivier.web.app import create_app

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Chromium de Debian absent (/usr/bin/chromium) : lancez scripts/test-setup.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


def signed_in(chromium, url: str, email: str):
    context = chromium.new_context(base_url=url, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.goto("/besoins")  # not signed in: sent to the sign-in form, then back
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Se connecter')")
    page.wait_for_url("**/besoins")
    assert page.locator("#compte").inner_text() == email
    return context, page


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"census-{name}.png"), full_page=True)


def test_buyer_submits_mission_publishes_buyer_downloads(chromium, settings, tmp_path):
    build_world(settings)
    server = LiveServer(create_app(settings)).start()
    try:
        buyer_context, buyer = signed_in(chromium, server.url, "buyer_a@exemple.fr")
        buyer.click("text=Enregistrer un besoin")
        buyer.fill("#title", "Plateforme de réservation des salles")
        buyer.fill("#description", "Réservation en ligne des salles de réunion du ministère.")
        buyer.fill("#cpv_codes", "72212000")
        buyer.fill("#budget_max", "120000")
        buyer.click("#soumettre")
        assert buyer.locator("#etat").inner_text() == "soumis"
        need_url = buyer.url
        shoot(buyer, "buyer-need")

        mission_context, mission = signed_in(chromium, server.url, "mission@exemple.fr")
        mission.click("text=Plateforme de réservation des salles")
        for siren, name in ((SIREN_1, "Alpha Salles"), (SIREN_2, "Beta Agenda")):
            mission.fill("#ajout-siren", siren)
            mission.fill("#ajout-nom", name)
            mission.fill("#ajout-note", f"Note pour {name}")
            mission.click("#ajout button[type=submit]")
        mission.click("button[aria-label='Monter Beta Agenda']")
        order = mission.locator("#liste > li").evaluate_all("els => els.map(e => e.dataset.siren)")
        assert order == [SIREN_2, SIREN_1]
        shoot(mission, "mission-curation")
        mission.click("#publier")
        assert mission.locator("#etat").inner_text() == "liste publiée"
        mission.goto("/recensement")
        assert mission.locator("#total").inner_text() == "1"

        buyer.goto(need_url)
        assert buyer.locator("#etat").inner_text() == "liste publiée"
        with buyer.expect_download() as pdf_download:
            buyer.click("#telecharger-pdf")
        pdf = tmp_path / "liste.pdf"
        pdf_download.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        with buyer.expect_download() as csv_download:
            buyer.click("#telecharger-csv")
        table = tmp_path / "liste.csv"
        csv_download.value.save_as(table)
        lines = table.read_text(encoding="utf-8").splitlines()
        assert lines[1].startswith(f"1;{SIREN_2};Beta Agenda;Note pour Beta Agenda")
        shoot(buyer, "buyer-list")
        buyer_context.close()
        mission_context.close()
    finally:
        server.stop()
