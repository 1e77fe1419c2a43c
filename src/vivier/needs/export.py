"""Export of a need's curated list: CSV (for spreadsheets) and PDF
("Liste de start-up pertinentes"), both deterministic for the same data."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from vivier.appdb.census import ListEntry, Need, Organisation
from vivier.needs import STATUS_LABELS
from vivier.reference import cpv_label

PDF_TITLE = "Liste de start-up pertinentes"
CSV_COLUMNS = ("rang", "siren", "nom", "note", "score", "raisons")
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


def list_csv(entries: list[ListEntry]) -> str:
    """One row per start-up, in the list's order (';' separated, UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rank, entry in enumerate(entries, start=1):
        score = "" if entry.score is None else f"{entry.score:.4f}"
        writer.writerow(
            [rank, entry.siren, entry.name, entry.note, score, " | ".join(entry.reasons or [])]
        )
    return buffer.getvalue()


def unicode_font() -> Path | None:
    """A TTF font with French and typographic characters: the one the reports ship, else
    the system's DejaVu Sans; None falls back to the PDF core font (Latin-1 only)."""
    shipped = resources.files("vivier").joinpath("report", "fonts", "DejaVuSans.ttf")
    if shipped.is_file():
        return Path(str(shipped))
    for candidate in SYSTEM_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


class _ListPdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        font = unicode_font()
        if font is not None:
            self.add_font("body", fname=str(font))
            self.family_name, self.latin1 = "body", False
        else:
            self.family_name, self.latin1 = "helvetica", True
        self.set_title(PDF_TITLE)
        self.set_author("vivier — Mission French Tech")
        self.set_auto_page_break(True, margin=15)

    def clean(self, value: object) -> str:
        text = str(value)
        return text.encode("latin-1", "replace").decode("latin-1") if self.latin1 else text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family_name, size=8)
        self.cell(0, 6, self.clean(f"{PDF_TITLE} — page {self.page_no()}"), align="C")

    def line_text(self, value: str, size: int = 10, height: float = 6) -> None:
        self.set_font(self.family_name, size=size)
        self.multi_cell(0, height, self.clean(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def list_pdf(need: Need, organisation: Organisation, entries: list[ListEntry]) -> bytes:
    pdf = _ListPdf()
    pdf.add_page()
    pdf.line_text(PDF_TITLE, size=18, height=10)
    pdf.line_text(f"Besoin n° {need.id} : {need.title}", size=13, height=8)
    for line in _need_lines(need, organisation):
        pdf.line_text(line, size=10)
    pdf.ln(4)
    if not entries:
        pdf.line_text("Aucune start-up sur la liste.")
    for rank, entry in enumerate(entries, start=1):
        pdf.line_text(f"{rank}. {entry.name or '(nom inconnu)'} — SIREN {entry.siren}", size=12)
        if entry.note:
            pdf.line_text(f"Note de la Mission : {entry.note}", size=10)
        for reason in entry.reasons or []:
            pdf.line_text(f"• {reason}", size=9, height=5)
        pdf.ln(2)
    return bytes(pdf.output())


def _need_lines(need: Need, organisation: Organisation) -> list[str]:
    buyer = organisation.name or organisation.siret
    lines = [f"Acheteur : {buyer} (SIRET {organisation.siret})"]
    if organisation.ministry:
        lines.append(f"Ministère : {organisation.ministry}")
    for code in need.cpv_codes or []:
        lines.append(f"CPV {code} : {cpv_label(code) or ''}")
    if need.place:
        lines.append(f"Lieu : {need.place}")
    if need.budget_min is not None or need.budget_max is not None:
        lines.append(f"Budget : {_euros(need.budget_min)} à {_euros(need.budget_max)}")
    if need.expected_date:
        lines.append(f"Date prévue : {need.expected_date.strftime('%d/%m/%Y')}")
    published = need.published_at.strftime("%d/%m/%Y") if need.published_at else "—"
    lines.append(f"État : {STATUS_LABELS.get(need.status, need.status)} ; publiée le {published}")
    if need.description:
        lines.append(need.description)
    return lines


def _euros(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} €".replace(",", "\u202f")
