"""Start-up lists: i-Lab laureates CSV, French Tech Next40/120 lists, generic SIREN CSV.

Readers return a `ListRead`: member records (keys of `startup_members`), names still to
resolve to a SIREN (Next40/120 lists carry names only), rejects naming their line, and
warnings (encoding fallback...). Nothing read is dropped without being reported.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from vivier.errors import NotFound, SourceError
from vivier.models import Reject
from vivier.reference import labels
from vivier.sources.siren_check import siren_or_reason

FORMATS = ("auto", "ilab", "next40", "csv")
ILAB_SIREN = "N° SIREN"
ILAB_MARKERS = ("Année de concours", "Moto")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


@dataclass
class NameToResolve:
    line: int
    name: str
    year: int | None


@dataclass
class ListRead:
    kind: str
    members: list[dict] = field(default_factory=list)
    names: list[NameToResolve] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    read: int = 0


def decode_lines(path: Path) -> tuple[list[str], list[str]]:
    """Lines of a text file; UTF-8, else Windows-1252/latin-1 (with a warning per file)."""
    if not path.is_file():
        raise NotFound(f"Fichier introuvable : {path}")
    data = path.read_bytes()
    warnings = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        warnings.append(
            f"ligne {line} : caractères non UTF-8 ; le fichier est lu en latin-1 (Windows-1252)"
        )
        text = data.decode("cp1252", errors="replace")
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines, warnings


def _sniff_delimiter(header: str, wanted: tuple[str, ...]) -> str | None:
    """The delimiter for which the header contains one of the wanted columns."""
    for delimiter in (";", ",", "\t", "|"):
        names = [name.strip().strip('"').lower() for name in header.split(delimiter)]
        if any(column.lower() in names for column in wanted):
            return delimiter
    return None


def detect_kind(path: Path, lines: list[str]) -> str:
    header = lines[0] if lines else ""
    if all(marker in header for marker in ILAB_MARKERS):
        return "ilab"
    if _sniff_delimiter(header, ("siren",)):
        return "csv"
    if _looks_like_names(path, lines):
        return "next40"
    raise SourceError(
        f"ligne 1 : colonne SIREN introuvable (en-tête lu : « {header[:120]} »). "
        "Formats acceptés : lauréats i-Lab (séparateur « ; »), CSV « siren,label,… », "
        "ou liste de noms French Tech Next40/120 (--format next40).",
        path=str(path),
    )


def _looks_like_names(path: Path, lines: list[str]) -> bool:
    name = path.name.lower()
    if "40_120" in name or "next40" in name or "french tech" in name:
        return True
    first = next(csv.reader([lines[0]])) if lines else []
    return bool(first) and (first[0].lower() in ("company", "name", "nom") or _is_row_a(first))


def _is_row_a(row: list[str]) -> bool:
    return len(row) >= 3 and bool(re.fullmatch(r"(19|20)\d\d", row[0].strip()))


def read_list(path: Path, kind: str = "auto") -> ListRead:
    """Read a start-up list of the given kind (or detected)."""
    if kind not in FORMATS:
        raise SourceError(f"format de liste inconnu : {kind} (possibles : {', '.join(FORMATS)})")
    lines, warnings = decode_lines(path)
    if not lines:
        raise SourceError("fichier vide", path=str(path))
    kind = detect_kind(path, lines) if kind == "auto" else kind
    reader = {"ilab": _read_ilab, "csv": _read_generic, "next40": _read_next40}[kind]
    result = reader(path, lines)
    result.warnings[:0] = warnings
    return result


def _table(path: Path, lines: list[str], wanted: tuple[str, ...], expected: str):
    """(header, rows with their line numbers) of a delimited file; checks the header."""
    delimiter = _sniff_delimiter(lines[0], wanted)
    if delimiter is None:
        raise SourceError(
            f"ligne 1 : colonne « {wanted[0]} » introuvable ; vérifiez le séparateur "
            f"(attendu : « {expected} ») et l'en-tête (lu : « {lines[0][:120]} »)",
            path=str(path),
        )
    records = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = [name.strip() for name in next(records)]
    rows = []
    for row in records:
        rows.append((records.line_num, row))
    return header, rows, delimiter


def _width_reject(line: int, row: list[str], header: list[str], delimiter: str) -> Reject:
    return Reject(
        line,
        f"ligne {line} : {len(row)} champ(s) au lieu de {len(header)} "
        f"(séparateur « {delimiter} » attendu ?)",
        delimiter.join(row)[:500],
    )


def _records(result: ListRead, header: list[str], rows, delimiter: str, keys: list[str]):
    """(line, row, record) of the non-empty rows; rows of the wrong width are rejected."""
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        result.read += 1
        if len(row) != len(header):
            result.rejects.append(_width_reject(line, row, header, delimiter))
            continue
        yield line, row, dict(zip(keys, (cell.strip() for cell in row), strict=True))


def _read_ilab(path: Path, lines: list[str]) -> ListRead:
    header, rows, delimiter = _table(path, lines, (ILAB_SIREN,), ";")
    result = ListRead(kind="ilab")
    for line, row, record in _records(result, header, rows, delimiter, header):
        siren, problem = siren_or_reason(record.get(ILAB_SIREN))
        if problem and record.get("N° SIRET"):
            siren, _ = siren_or_reason(record["N° SIRET"][:9])
        if siren is None:
            result.rejects.append(Reject(line, f"ligne {line} : {problem}", ";".join(row)[:500]))
            continue
        result.members.append(_ilab_member(siren, record))
    return result


def _ilab_member(siren: str, record: dict) -> dict:
    year = record.get("Année de concours", "")
    title, summary = record.get("Moto") or "", record.get("Résumé") or ""
    return {
        "siren": siren,
        "name": record.get("Libellé entreprise") or record.get("Projet") or None,
        "description": "\n".join(part for part in (title, summary) if part) or None,
        "domain": record.get("Domaine technologique") or None,
        "region": _region_code(record.get("Id région"), record.get("Région")),
        "year": int(year) if year.isdigit() else None,
        "confidence": 1.0,
    }


def _region_code(region_id: str | None, name: str | None) -> str | None:
    """The INSEE region code ('84') from i-Lab's 'R84' or the region's name."""
    codes = labels("regions")
    code = (region_id or "").strip().removeprefix("R")
    if code in codes:
        return code
    by_name = {label.lower(): key for key, label in codes.items()}
    return by_name.get((name or "").strip().lower(), name or None)


def _read_generic(path: Path, lines: list[str]) -> ListRead:
    header, rows, delimiter = _table(path, lines, ("siren",), ",")
    columns = [name.lower() for name in header]
    result = ListRead(kind="csv")
    for line, row, record in _records(result, header, rows, delimiter, columns):
        member, problem = _generic_member(record)
        if problem:
            raw = delimiter.join(row)[:500]
            result.rejects.append(Reject(line, f"ligne {line} : {problem}", raw))
        else:
            result.members.append(member)
    return result


def _generic_member(record: dict) -> tuple[dict | None, str | None]:
    siren, problem = siren_or_reason(record.get("siren"))
    if problem:
        return None, problem
    try:
        valid_from = parse_day(record.get("valid_from"))
        valid_to = parse_day(record.get("valid_to"))
    except ValueError as error:
        return None, str(error)
    member = {
        "siren": siren,
        "label": record.get("label") or None,
        "name": record.get("name") or record.get("nom") or None,
        "description": record.get("description") or None,
        "domain": record.get("domain") or None,
        "region": record.get("region") or None,
        "year": valid_from.year if valid_from else None,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "confidence": 1.0,
    }
    return member, None


def parse_day(text: str | None) -> date | None:
    """ISO (2024-03-01) or French (01/03/2024) dates; ValueError with a French message."""
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(f"date illisible « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def _read_next40(path: Path, lines: list[str]) -> ListRead:
    """Three layouts: `year,programme,name`; header `Company,...`; `name,website`."""
    result = ListRead(kind="next40")
    file_year = _YEAR.search(path.name)
    default_year = int(file_year.group(1)) if file_year else None
    for line, row in enumerate(csv.reader(lines), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if line == 1 and row[0].strip().lower() in ("company", "name", "nom", "entreprise"):
            continue
        result.read += 1
        year, name = default_year, row[0].strip()
        if _is_row_a(row):
            year, name = int(row[0].strip()), row[2].strip()
        if not name:
            result.rejects.append(Reject(line, f"ligne {line} : nom absent", ",".join(row)))
            continue
        result.names.append(NameToResolve(line, name, year))
    if default_year is None and not any(item.year for item in result.names):
        result.warnings.append(
            "aucune année dans le fichier ni dans son nom : indiquez --valid-from/--valid-to"
        )
    return result
