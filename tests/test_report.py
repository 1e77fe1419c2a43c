"""The barometer report: the same numbers in the HTML, the PDF text and the JSON."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from barometer_fixture import ListDefinition, fill
from pypdf import PdfReader

from vivier.barometer import compute_barometer
from vivier.report import fmt, pdf, write_report
from vivier.warehouse import connect

HEADLINE_FORMATS = {
    "contracts": fmt.count,
    "startup_contracts": fmt.fraction,
    "startup_contract_share": fmt.percent,
    "amount_total": fmt.euros,
    "amount_startup": fmt.euros,
    "startup_amount_share": fmt.percent,
}


@pytest.fixture
def report(settings, tmp_path):
    connection = connect(settings)
    fill(connection)
    result = compute_barometer(connection, 2024, ListDefinition(), settings)
    connection.close()
    return result, write_report(result, tmp_path / "rapport")


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def html_text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_same_numbers_in_html_pdf_and_json(report):
    result, files = report
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["amount_startup"] == 150000.0 and data["contracts"] == 7
    html, text = html_text(files["html"]), pdf_text(files["pdf"])
    for key, formatter in HEADLINE_FORMATS.items():
        shown = formatter(data[key])
        assert shown in html, (key, shown)
        assert shown in text, (key, shown)
    assert "48,39 %" in html and "150 000 €" in text  # worked out by hand: 150 000 / 310 000
    gap = fmt.euros(data["target"]["gap_amount"])
    assert gap in html and gap in text


def test_html_is_self_contained_and_french(report):
    _, files = report
    page = files["html"].read_text(encoding="utf-8")
    assert page.count("<svg") == 5  # trend, perimeters, ministries, top buyers, CPV
    links = re.findall(r"""(?:src|href)\s*=\s*["']?([^"' >]+)""", page)
    assert not [link for link in links if "//" in link]
    assert "<script" not in page and "<link" not in page
    for title in ("Chiffres clés", "Objectif de l'État", "Couverture des données", "Méthode"):
        assert title in page
    assert "Ancienne commune" in page  # the silent buyer of the coverage section


def test_one_csv_per_breakdown(report):
    result, files = report
    for name, rows in result["breakdowns"].items():
        with files[name].open(encoding="utf-8") as handle:
            table = list(csv.DictReader(handle))
        assert len(table) == len(rows), name
        assert sum(int(row["contrats"]) for row in table) == sum(r["contracts"] for r in rows)
    with files["perimeter"].open(encoding="utf-8") as handle:
        perimeters = {row["cle"]: row for row in csv.DictReader(handle)}
    assert float(perimeters["etat"]["montant_startup"]) == 130000.0


def test_pdf_font_falls_back_to_the_shipped_copy(settings, tmp_path, monkeypatch, report):
    result, _ = report
    monkeypatch.setattr(pdf, "SYSTEM_FONTS", tmp_path / "no-fonts")
    assert "vivier" in str(pdf.font_file("DejaVuSans.ttf"))
    path = pdf.render_pdf(result, tmp_path / "b.pdf")
    assert "Baromètre 2024" in pdf_text(path)


def test_cli_writes_the_report(settings, cli, tmp_path):
    connection = connect(settings)
    fill(connection)
    connection.close()
    out = tmp_path / "sortie"
    result = cli("barometer", "--year", "2024", "--definition", "registry", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Rapport écrit" in result.stdout
    names = {path.name for path in out.iterdir()}
    assert {"barometre-2024.html", "barometre-2024.pdf", "barometre-2024.json"} <= names
    assert "barometre-2024-divisions-cpv.csv" in names


def test_report_of_a_year_without_contracts(settings, tmp_path):
    connection = connect(settings)
    fill(connection)
    result = compute_barometer(connection, 2030, ListDefinition(), settings)
    connection.close()
    assert result["contracts"] == 0 and result["startup_amount_share"] is None
    files = write_report(result, tmp_path / "vide")
    assert "Aucun contrat daté" in html_text(files["html"])
    assert "Aucun contrat daté" in pdf_text(files["pdf"])


def test_french_formats():
    assert fmt.euros(1234567.5) == "1 234 568 €"
    assert fmt.euros(999) == "999 €"
    assert fmt.percent(0.483871) == "48,39 %"
    assert fmt.percent(None) == "–"
    assert fmt.fraction(2.8333) == "2,83"
    assert fmt.points(-61.0) == "-61,00 pt"
    assert fmt.number(-0.004, 2) == "0,00"  # no "-0,00"
    assert fmt.count(1000000) == "1 000 000"
