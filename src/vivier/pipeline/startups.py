"""Start-up list imports: read a list, resolve names, replace the label's members.

Re-importing a label replaces its members (never duplicates them). Names that cannot be
resolved with confidence go to a review file (`HOME/revue/<label>-a-verifier.csv`).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from vivier.errors import BadValueError
from vivier.models import Reject
from vivier.pipeline.rejects import RejectsWriter
from vivier.sources.startup_lists import ListRead, read_list
from vivier.startups.names import NameIndex, Resolution, search_prefixes
from vivier.warehouse import startups as startup_store

STATUS_FR = {
    "ambiguous": "plusieurs entreprises possibles",
    "weak": "correspondance trop faible",
    "unknown": "aucune entreprise connue de ce nom",
}


@dataclass
class ListImportReport:
    label: str
    kind: str
    read: int = 0
    loaded: int = 0
    resolved: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    to_review: int = 0
    review_file: str | None = None
    rejects_file: str | None = None
    labels: list[str] = field(default_factory=list)


def import_list(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    label: str,
    out_dir: Path,
    kind: str = "auto",
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> ListImportReport:
    """Import one start-up list under `label` (generic CSVs may name other labels).

    Rejected lines go to `out_dir/rejets/<label>-rejets.csv`, names to check by hand to
    `out_dir/revue/<label>-a-verifier.csv`.
    """
    if not label.strip():
        raise BadValueError("Le nom de liste (--label) ne peut être vide.")
    if valid_from and valid_to and valid_from > valid_to:
        raise BadValueError("--valid-from doit précéder --valid-to.")
    path = Path(path)
    read = read_list(path, kind)
    report = ListImportReport(label=label, kind=read.kind, read=read.read)
    report.rejects, report.warnings = read.rejects, read.warnings
    writer = RejectsWriter(out_dir / "rejets" / f"{label}-rejets.csv")
    writer.write(read.rejects)
    report.rejects_file = writer.close()
    members = read.members
    if read.names:
        prefixes = search_prefixes([item.name for item in read.names])
        index = NameIndex(startup_store.known_names(connection, label, prefixes), prefixes)
        resolutions = [index.resolve(item.name) for item in read.names]
        members = members + _resolved_members(read, resolutions)
        report.resolved = sum(1 for r in resolutions if r.assigned)
        report.to_review = len(resolutions) - report.resolved
        if report.to_review:
            report.review_file = _write_review(
                out_dir / "revue" / f"{label}-a-verifier.csv", read, resolutions
            )
    by_label = _group(members, label, read.kind, valid_from, valid_to)
    for name, rows in by_label.items():
        start, end = _label_period(rows, valid_from, valid_to)
        startup_store.replace_label(connection, name, read.kind, start, end, str(path), rows)
        report.loaded += len(rows)
    report.labels = sorted(by_label)
    return report


def _resolved_members(read: ListRead, resolutions: list[Resolution]) -> list[dict]:
    return [
        {
            "siren": resolution.siren,
            "name": item.name,
            "year": item.year,
            "confidence": round(resolution.confidence, 3),
            "valid_from": date(item.year, 1, 1) if item.year else None,
            "valid_to": date(item.year, 12, 31) if item.year else None,
        }
        for item, resolution in zip(read.names, resolutions, strict=True)
        if resolution.assigned
    ]


def _group(members, label, kind, valid_from, valid_to) -> dict[str, list[dict]]:
    """Members by label, one row per SIREN (several years/rows of a SIREN are merged)."""
    grouped: dict[str, dict[str, dict]] = defaultdict(dict)
    for member in members:
        target = member.get("label") or label
        row = dict(member, label=target)
        if kind == "ilab" and row.get("year") and not row.get("valid_from"):
            row["valid_from"] = date(row["year"], 1, 1)
        row["valid_from"] = valid_from or row.get("valid_from")
        row["valid_to"] = valid_to or row.get("valid_to")
        previous = grouped[target].get(row["siren"])
        grouped[target][row["siren"]] = _merge(previous, row) if previous else row
    if not grouped:
        grouped[label] = {}
    return {name: list(rows.values()) for name, rows in grouped.items()}


def _merge(old: dict, new: dict) -> dict:
    """One SIREN listed twice: earliest start, latest end, texts joined, best confidence."""
    merged = dict(old)
    starts = [d for d in (old.get("valid_from"), new.get("valid_from")) if d]
    merged["valid_from"] = min(starts) if starts else None
    ends = [old.get("valid_to"), new.get("valid_to")]
    merged["valid_to"] = None if None in ends else max(ends)
    years = [y for y in (old.get("year"), new.get("year")) if y]
    merged["year"] = min(years) if years else None
    merged["description"] = _join(old.get("description"), new.get("description"), "\n\n")
    merged["domain"] = _join(old.get("domain"), new.get("domain"), " ; ")
    merged["name"] = old.get("name") or new.get("name")
    merged["region"] = old.get("region") or new.get("region")
    merged["confidence"] = max(old.get("confidence") or 0, new.get("confidence") or 0)
    return merged


def _join(first: str | None, second: str | None, separator: str) -> str | None:
    """Both texts, each distinct part once."""
    parts: list[str] = []
    for text in (first, second):
        parts += [part for part in (text or "").split(separator) if part and part not in parts]
    return separator.join(parts) or None


def _label_period(rows: list[dict], valid_from, valid_to) -> tuple[date | None, date | None]:
    starts = [row["valid_from"] for row in rows if row.get("valid_from")]
    ends = [row.get("valid_to") for row in rows]
    start = valid_from or (min(starts) if starts else None)
    end = valid_to or (None if not ends or None in ends else max(ends))
    return start, end


def _write_review(path: Path, read: ListRead, resolutions: list[Resolution]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ligne", "nom_lu", "motif", "siren_candidat", "nom_candidat", "score"])
        for item, resolution in zip(read.names, resolutions, strict=True):
            if resolution.assigned:
                continue
            reason = STATUS_FR[resolution.status]
            if not resolution.candidates:
                writer.writerow([item.line, item.name, reason, "", "", ""])
            for siren, name, score in resolution.candidates[:5]:
                writer.writerow([item.line, item.name, reason, siren, name, f"{score:.0f}"])
    return str(path)
