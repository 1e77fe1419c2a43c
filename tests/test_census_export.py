"""Export of a curated list: CSV and PDF ("Liste de start-up pertinentes")."""

from __future__ import annotations

import csv
import io

import pytest
from census_support import SIREN_1, SIREN_2, build_world, make_need
from pypdf import PdfReader

from vivier.appdb import session_scope
from vivier.appdb.census import Need, Organisation
from vivier.needs import curation
from vivier.needs.export import PDF_TITLE, list_csv, list_pdf, unicode_font


@pytest.fixture
def published(settings):
    world = build_world(settings)
    need_id = make_need(world, "in_review", title="Pilotage énergétique des bâtiments — lot 2")
    with session_scope(world.engine) as session:
        mission = world.user(session, "mission")
        curation.add_entry(session, mission, need_id, SIREN_1, name="Alpha Énergie")
        curation.add_entry(
            session, mission, need_id, SIREN_2, name="Œuvre Numérique",
            note="Lauréate i-Lab ; déjà titulaire d'un marché de l'État",
            score=0.8123, reasons=["CPV 72212000 : 3 marchés", "Région : Île-de-France"],
        )  # fmt: skip
        curation.reorder(session, mission, need_id, [SIREN_2, SIREN_1])
        curation.publish(session, mission, need_id)
    return world, need_id


def test_csv_lists_the_start_ups_in_order(published):
    world, need_id = published
    with session_scope(world.engine) as session:
        need = session.get(Need, need_id)
        rows = list(
            csv.reader(io.StringIO(list_csv(curation.entries(session, need))), delimiter=";")
        )
    assert rows[0] == ["rang", "siren", "nom", "note", "score", "raisons"]
    assert rows[1][:3] == ["1", SIREN_2, "Œuvre Numérique"]
    assert rows[1][4:] == ["0.8123", "CPV 72212000 : 3 marchés | Région : Île-de-France"]
    assert rows[2][:3] == ["2", SIREN_1, "Alpha Énergie"]


def test_pdf_is_titled_and_keeps_french_characters(published):
    world, need_id = published
    with session_scope(world.engine) as session:
        need = session.get(Need, need_id)
        organisation = session.get(Organisation, need.organisation_id)
        content = list_pdf(need, organisation, curation.entries(session, need))
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert reader.metadata.title == PDF_TITLE
    assert PDF_TITLE in text
    assert "Pilotage énergétique des bâtiments" in text
    assert text.index("Œuvre Numérique") < text.index("Alpha Énergie")
    assert "Lauréate i-Lab" in text and "Ministère : Intérieur" in text
    assert unicode_font() is not None  # the fonts that the PDF needs are found


def test_export_command_writes_csv_and_pdf(published, cli, tmp_path):
    _world, need_id = published
    pdf = tmp_path / "liste.pdf"
    result = cli("needs", "export", need_id, "-o", pdf, "--as", "buyer_a@exemple.fr")
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    out = tmp_path / "liste.csv"
    assert cli("needs", "export", need_id, "-o", out, "--as", "mission@exemple.fr").exit_code == 0
    assert SIREN_2 in out.read_text(encoding="utf-8")
    refused = cli("needs", "export", need_id, "-o", out, "--as", "buyer_b@exemple.fr")
    assert refused.exit_code == 1 and "introuvable" in refused.stderr
    bad = cli("needs", "export", need_id, "-o", tmp_path / "x.doc", "--as", "mission@exemple.fr")
    assert bad.exit_code == 1


def test_list_and_census_commands(published, cli):
    _world, need_id = published
    listed = cli("needs", "list", "--as", "buyer_a@exemple.fr")
    assert listed.exit_code == 0 and f'"id": {need_id}' in listed.stdout
    assert cli("needs", "list", "--as", "buyer_b@exemple.fr").stdout.strip() == "[]"
    counts = cli("needs", "census", "--as", "mission@exemple.fr")
    assert '"total": 1' in counts.stdout
    assert cli("needs", "census", "--as", "buyer_a@exemple.fr").exit_code == 1
    log = cli("needs", "audit", "--need", need_id)
    assert '"action": "reorder"' in log.stdout and "mission@exemple.fr" in log.stdout
