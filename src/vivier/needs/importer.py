"""Import of a ministry's needs from a spreadsheet (CSV or XLSX) in one go, with a report
per row: imported (and the new need's number), refused (and why), or empty."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from vivier.appdb.census import Organisation, User
from vivier.codes import check_siret
from vivier.errors import BadValueError, Forbidden, SourceError
from vivier.needs import SUBMITTED, policy
from vivier.needs.accounts import ensure_organisation
from vivier.needs.fields import clean_need_fields
from vivier.needs.workflow import create_need

# Spreadsheet header (accents, case and spaces ignored) → need field.
HEADERS = {
    "titre": "title",
    "title": "title",
    "description": "description",
    "cpv": "cpv_codes",
    "codescpv": "cpv_codes",
    "cpvcodes": "cpv_codes",
    "lieu": "place",
    "place": "place",
    "region": "region",
    "budgetmin": "budget_min",
    "budgetmax": "budget_max",
    "dateprevue": "expected_date",
    "date": "expected_date",
    "expecteddate": "expected_date",
    "confidentiel": "confidential",
    "confidential": "confidential",
    "siret": "siret",
    "ministere": "ministry",
    "ministry": "ministry",
    "organisation": "organisation_name",
    "acheteur": "organisation_name",
}


@dataclass
class RowReport:
    row: int
    status: str  # "imported", "refused" or "empty"
    need_id: int | None = None
    reason: str = ""


@dataclass
class ImportReport:
    rows: list[RowReport] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def as_dict(self) -> dict:
        return {
            "imported": self.count("imported"),
            "refused": self.count("refused"),
            "empty": self.count("empty"),
            "rows": [vars(row) for row in self.rows],
        }


def _key(header: object) -> str:
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode()
    return "".join(char for char in text.lower() if char.isalnum())


def read_rows(name: str, content: bytes) -> list[dict]:
    """The spreadsheet's rows as {field: cell}, keyed by the known headers."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        table = _xlsx_table(name, content)
    elif suffix in (".csv", ".txt"):
        table = _csv_table(content)
    else:
        raise SourceError("format non reconnu (attendu : .csv ou .xlsx)", path=name)
    if not table:
        raise SourceError("fichier vide", path=name)
    header = [HEADERS.get(_key(cell)) for cell in table[0]]
    if "title" not in header:
        raise SourceError("colonne « titre » absente de la première ligne", path=name)
    return [{key: cell for key, cell in zip(header, row, strict=False) if key} for row in table[1:]]


def _csv_table(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_table(name: str, content: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise SourceError(f"classeur XLSX illisible ({type(error).__name__})", path=name) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    return [["" if cell is None else cell for cell in row] for row in rows]


def import_needs(session: Session, actor: User, name: str, content: bytes) -> ImportReport:
    """Record every valid row as a submitted need; refuse the others with their reason."""
    if not (actor.role == "buyer" or policy.is_curator(actor)):
        raise Forbidden("Seuls les acheteurs et la Mission importent des besoins.")
    report = ImportReport()
    organisations: dict[str, Organisation] = {}
    for number, row in enumerate(read_rows(name, content), start=2):
        if not any(str(value).strip() for value in row.values()):
            report.rows.append(RowReport(number, "empty", reason="ligne vide"))
            continue
        try:
            need_id = _import_row(session, actor, row, organisations)
        except (BadValueError, Forbidden) as error:
            report.rows.append(RowReport(number, "refused", reason=str(error)))
        else:
            report.rows.append(RowReport(number, "imported", need_id=need_id))
    return report


def _import_row(session: Session, actor: User, row: dict, organisations: dict) -> int:
    raw = {key: value for key, value in row.items() if key in _NEED_FIELDS}
    clean_need_fields(raw)  # refuse before anything is written
    organisation = _row_organisation(session, actor, row, organisations)
    need = create_need(session, actor, raw, organisation=organisation, status=SUBMITTED)
    return need.id


_NEED_FIELDS = set(HEADERS.values()) - {"siret", "ministry", "organisation_name"}


def _row_organisation(
    session: Session, actor: User, row: dict, organisations: dict
) -> Organisation | None:
    """The row's organisation (the buyer's own, or the SIRET column's for the Mission);
    `organisations` caches them by SIRET during one import."""
    siret = str(row.get("siret") or "").strip()
    if actor.role == "buyer":
        own = session.get(Organisation, actor.organisation_id)
        if siret and own is not None and check_siret(siret).value != own.siret:
            raise Forbidden(f"SIRET {siret} : pas celui de votre organisation.")
        return None
    if not siret:
        raise BadValueError("SIRET de l'acheteur manquant.")
    name = str(row.get("organisation_name") or "").strip()
    ministry = str(row.get("ministry") or "").strip()
    known = organisations.get(siret)
    if known is None:
        known = organisations[siret] = ensure_organisation(session, siret, name, ministry)
    known.name, known.ministry = name or known.name, ministry or known.ministry
    return known
