"""Import of a ministry's needs from a spreadsheet: a report per row, bad rows refused."""

from __future__ import annotations

import pytest
from census_support import SIRET_A, SIRET_B, build_world
from census_web_support import Site
from openpyxl import Workbook

from vivier.appdb import session_scope
from vivier.appdb.census import Need, Organisation
from vivier.errors import SourceError
from vivier.needs import importer

HEADER = ["Titre", "Description", "CPV", "Lieu", "Région", "Budget min", "Budget max",
          "Date prévue", "Confidentiel", "SIRET", "Ministère"]  # fmt: skip
ROWS = [
    ["Logiciel de gestion des archives", "GED", "72212000", "Paris", "11", "10 000", "50000",
     "15/03/2027", "non", SIRET_B, "Ministère des Armées"],
    ["", "sans titre", "72212000", "", "", "", "", "", "", SIRET_B, ""],
    ["CPV inconnu", "", "12345678", "", "", "", "", "", "", SIRET_B, ""],
    ["SIRET faux", "", "", "", "", "", "", "", "", "12345678901234", ""],
    ["Budget inversé", "", "", "", "", "900", "100", "", "", SIRET_B, ""],
    ["Date impossible", "", "", "", "", "", "", "31/02/2027", "", SIRET_B, ""],
    ["", "", "", "", "", "", "", "", "", "", ""],
    ["Drones d'inspection", "", "34711200-6", "Toulon", "Provence-Alpes-Côte d'Azur", "", "",
     "2027-06", "oui", SIRET_B, "Ministère des Armées"],
]  # fmt: skip


@pytest.fixture
def world(settings):
    return build_world(settings)


def csv_bytes(rows, delimiter=";") -> bytes:
    lines = [delimiter.join(f'"{cell}"' for cell in row) for row in [HEADER, *rows]]
    return "\n".join(lines).encode("utf-8-sig")


def xlsx_bytes(rows, path) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append([cell if cell != "" else None for cell in row])
    book.save(path)
    return path.read_bytes()


def check_report(world, report):
    statuses = [(row.row, row.status) for row in report.rows]
    assert statuses == [
        (2, "imported"), (3, "refused"), (4, "refused"), (5, "refused"),
        (6, "refused"), (7, "refused"), (8, "empty"), (9, "imported"),
    ]  # fmt: skip
    reasons = [row.reason for row in report.rows if row.status == "refused"]
    assert "Titre : obligatoire" in reasons[0]
    assert "Code CPV inconnu" in reasons[1]
    assert "SIRET invalide" in reasons[2]
    assert "minimum dépasse le maximum" in reasons[3]
    assert "Date invalide" in reasons[4]
    with session_scope(world.engine) as session:
        needs = session.query(Need).order_by(Need.id).all()
        assert [need.title for need in needs] == [
            "Logiciel de gestion des archives",
            "Drones d'inspection",
        ]
        first, second = needs
        assert first.status == "submitted" and first.budget_min == 10000.0
        assert str(first.expected_date) == "2027-03-15"
        assert second.cpv_codes == ["34711200"] and second.region == "93"
        assert second.confidential is True
        organisation = session.get(Organisation, first.organisation_id)
        assert (organisation.siret, organisation.ministry) == (SIRET_B, "Ministère des Armées")
        assert session.query(Organisation).filter_by(siret="12345678901234").count() == 0


def test_csv_import_reports_every_row(world):
    with session_scope(world.engine) as session:
        report = importer.import_needs(
            session, world.user(session, "mission"), "besoins.csv", csv_bytes(ROWS)
        )
    check_report(world, report)


def test_xlsx_import_reports_every_row(world, tmp_path):
    content = xlsx_bytes(ROWS, tmp_path / "besoins.xlsx")
    with session_scope(world.engine) as session:
        report = importer.import_needs(
            session, world.user(session, "mission"), "besoins.xlsx", content
        )
    check_report(world, report)


def test_a_buyer_imports_only_for_its_own_organisation(world):
    rows = [
        ["A", "", "", "", "", "", "", "", "", "", ""],
        ["B", "", "", "", "", "", "", "", "", SIRET_A, ""],
        ["C", "", "", "", "", "", "", "", "", SIRET_B, ""],
    ]
    with session_scope(world.engine) as session:
        buyer = world.user(session, "buyer_a")
        report = importer.import_needs(session, buyer, "b.csv", csv_bytes(rows, ","))
        assert [row.status for row in report.rows] == ["imported", "imported", "refused"]
        assert "pas celui de votre organisation" in report.rows[2].reason
        with pytest.raises(Exception, match="acheteurs et la Mission"):
            importer.import_needs(session, world.user(session, "startup"), "b.csv", b"titre\nX")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("besoins.ods", b"x", "format non reconnu"),
        ("besoins.csv", b"", "fichier vide"),
        ("besoins.csv", b"nom;prix\nx;1", "titre"),
        ("besoins.xlsx", b"pas un classeur", "XLSX illisible"),
    ],
)
def test_unreadable_spreadsheets_are_refused_whole(world, name, content, message):
    with session_scope(world.engine) as session, pytest.raises(SourceError, match=message):
        importer.import_needs(session, world.user(session, "mission"), name, content)


def test_import_command_prints_the_report(world, cli, tmp_path):
    sheet = tmp_path / "besoins.csv"
    sheet.write_bytes(csv_bytes(ROWS))
    result = cli("needs", "import", sheet, "--as", "mission@exemple.fr")
    assert result.exit_code == 0, result.output
    assert "ligne 2 : importée (besoin n° 1)" in result.stdout
    assert "ligne 4 : refusée — Code CPV inconnu" in result.stdout
    assert "2 besoin(s) importé(s), 5 refusé(s), 1 ligne(s) vide(s)." in result.stdout
    missing = cli("needs", "import", tmp_path / "absent.csv", "--as", "mission@exemple.fr")
    assert missing.exit_code == 1 and "introuvable" in missing.stderr


def test_import_page_shows_the_report(settings, world):
    browser = Site(settings, world).browser("mission")
    files = {"fichier": ("besoins.csv", csv_bytes(ROWS), "text/csv")}
    page = browser.post("/import", data={"csrf": browser.csrf}, files=files)
    assert page.status_code == 200
    assert "2 besoin(s) importé(s), 5 refusé(s), 1 ligne(s) vide(s)." in page.text
    assert "Code CPV inconnu" in page.text
