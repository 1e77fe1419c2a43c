"""Normalised tender notices, shared by the TED and BOAMP readers.

A reader yields `TenderNotice` (one per notice, with its lots, quality flags and, for
award notices, the awarded contracts) or `vivier.models.Reject` (with its French reason).
Helpers here turn raw values into clean ones and flag every missing or wrong value.
"""

from __future__ import annotations

import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from lxml import etree

from vivier.codes import check_siren, check_siret, normalise_cpv
from vivier.models import Reject
from vivier.reference import cpv_known
from vivier.sources import ReaderSpec

# Notice kinds, one vocabulary for every source.
PLANNING, COMPETITION, RESULT, OTHER = "planning", "competition", "result", "other"

_DATE = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})")
_TIME = re.compile(r"^\s*(\d{1,2})[:h](\d{2})(?::(\d{2}))?")
_AMOUNT_JUNK = re.compile(r"[\s\u00a0\u202f€]|EUR", re.IGNORECASE)


@dataclass
class Flag:
    """A quality flag: `entity` is 'tender_notice', 'tender' (a lot) or 'supplier'."""

    entity: str
    field: str
    reason: str
    raw_value: str | None = None
    lot_id: str | None = None


@dataclass
class Winner:
    name: str | None
    id_raw: str | None
    siret: str | None = None
    siren: str | None = None
    country: str | None = None


@dataclass
class Award:
    """A contract awarded on one lot (award notices only)."""

    contract_id: str
    lot_id: str | None
    amount: float | None = None
    currency: str | None = None
    date: date | None = None
    winners: list[Winner] = field(default_factory=list)


@dataclass
class TenderLot:
    lot_id: str
    title: str | None = None
    description: str | None = None
    cpv_raw: str | None = None
    cpv: str | None = None
    cpv_additional: list[str] = field(default_factory=list)
    nuts: str | None = None
    departement: str | None = None
    estimated_value: float | None = None
    currency: str | None = None
    value_raw: str | None = None
    deadline: datetime | None = None
    deadline_raw: str | None = None


@dataclass
class TenderNotice:
    source: str  # 'ted' | 'boamp'
    format: str  # reader name
    notice_id: str
    kind: str  # PLANNING | COMPETITION | RESULT | OTHER
    notice_type_raw: str | None = None
    procedure_raw: str | None = None
    procedure: str | None = None
    publication_date: date | None = None
    issue_date: date | None = None
    buyer_name: str | None = None
    buyer_id_raw: str | None = None
    buyer_siret: str | None = None
    buyer_siren: str | None = None
    buyer_nuts: str | None = None
    country: str | None = None
    language: str | None = None
    title: str | None = None
    url: str | None = None
    record_index: int = 0
    lots: list[TenderLot] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def uid(self) -> str:
        return f"{self.source}:{self.notice_id}"

    def flag(self, field_name: str, reason: str, raw=None, lot_id: str | None = None) -> None:
        entity = "tender" if lot_id else "tender_notice"
        raw_text = None if raw is None else str(raw)
        self.flags.append(Flag(entity, field_name, reason, raw_text, lot_id))


def parse_date(raw: str | None) -> date | None:
    """'2020-02-04+02:00', '20180915', '2017-01-01T00:00:00' → date; None when impossible."""
    match = _DATE.match(raw or "")
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_time(raw: str | None) -> time | None:
    match = _TIME.match(raw or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def deadline_of(notice: TenderNotice, lot: TenderLot, day: str | None, hour: str | None):
    """Set the lot's submission deadline (local time, offset dropped) or flag it."""
    if not day:
        if notice.kind == COMPETITION:
            notice.flag("deadline", "deadline_missing", None, lot.lot_id)
        return
    lot.deadline_raw = f"{day} {hour}".strip() if hour else day
    parsed = parse_date(day)
    if parsed is None:
        notice.flag("deadline", "deadline_invalid", lot.deadline_raw, lot.lot_id)
        return
    lot.deadline = datetime.combine(parsed, parse_time(hour) or time(23, 59))


def parse_amount(raw: str | None) -> float | None:
    text = _AMOUNT_JUNK.sub("", str(raw or "")).replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def value_of(notice: TenderNotice, lot: TenderLot, raw: str | None, currency: str | None):
    """Set the lot's estimated value; flag it when unreadable, negative or absurd."""
    if raw is None or not str(raw).strip():
        return
    lot.value_raw = str(raw).strip()
    amount = parse_amount(raw)
    if amount is None or amount < 0:
        notice.flag("estimated_value", "amount_invalid", raw, lot.lot_id)
        return
    if amount >= 1_000_000_000_000:
        notice.flag("estimated_value", "amount_absurd", raw, lot.lot_id)
        return
    lot.estimated_value = amount
    lot.currency = (currency or "EUR").upper()


def cpv_of(notice: TenderNotice, lot: TenderLot, raw: str | None, extra: list[str]) -> None:
    """Main CPV (8 digits, known in CPV 2008) and additional ones; flags when wrong."""
    lot.cpv_raw = raw
    if not raw:
        notice.flag("cpv", "cpv_missing", None, lot.lot_id)
    else:
        checked = normalise_cpv(raw)
        if checked.ok and cpv_known(checked.value):
            lot.cpv = checked.value
        else:
            notice.flag("cpv", checked.problem or "cpv_unknown", raw, lot.lot_id)
    for code in extra:
        checked = normalise_cpv(code)
        if checked.ok and cpv_known(checked.value) and checked.value != lot.cpv:
            if checked.value not in lot.cpv_additional:
                lot.cpv_additional.append(checked.value)
        elif not checked.ok or not cpv_known(checked.value):
            notice.flag("cpv_additional", checked.problem or "cpv_unknown", code, lot.lot_id)


def french_ids(raw: str | None) -> tuple[str | None, str | None, str | None]:
    """(SIRET, SIREN, problem) from an identifier that may be a SIRET or a SIREN."""
    text = re.sub(r"[\s.\-]", "", raw or "")
    if not text:
        return None, None, None
    if len(text) == 14 and text.isdigit():
        checked = check_siret(text)
        return checked.value, (text[:9] if checked.ok else None), checked.problem
    if len(text) == 9 and text.isdigit():
        checked = check_siren(text)
        return None, checked.value, checked.problem
    return None, None, "id_not_siret"


def buyer_ids(notice: TenderNotice, raw: str | None) -> None:
    notice.buyer_id_raw = raw
    if not raw:
        notice.flag("buyer_id", "buyer_id_missing")
        return
    siret, siren, problem = french_ids(raw)
    notice.buyer_siret, notice.buyer_siren = siret, siren
    if problem and (notice.country in (None, "FR", "FRA")):
        notice.flag("buyer_id", problem, raw)


def winner_of(name: str | None, id_raw: str | None, country: str | None) -> Winner:
    siret, siren, _problem = french_ids(id_raw)
    return Winner(name=name, id_raw=id_raw, siret=siret, siren=siren, country=country)


def place_of(notice: TenderNotice, lot_id: str, nuts: str | None) -> str | None:
    """The lot's place of performance; without one, the buyer's NUTS code, flagged."""
    if nuts:
        return nuts
    if notice.buyer_nuts:
        notice.flag("place", "place_from_buyer", notice.buyer_nuts, lot_id)
    return notice.buyer_nuts


def check_notice(notice: TenderNotice) -> None:
    """Flags common to every source: what a reader could not find."""
    if not notice.buyer_name:
        notice.flag("buyer_name", "buyer_name_missing")
    if notice.publication_date is None and notice.issue_date is None:
        notice.flag("publication_date", "publication_date_missing")
    for lot in notice.lots:
        if not lot.title:
            notice.flag("title", "title_missing", None, lot.lot_id)
        if not lot.description and notice.kind != RESULT:
            notice.flag("description", "description_missing", None, lot.lot_id)


def reject(record_index: int, reason: str, raw: bytes | str) -> Reject:
    """A notice that cannot be loaded; `raw` keeps its first 2,000 characters."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return Reject(record_index=record_index, reason=reason, raw=text[:2000])


def departement_code(raw: object) -> str | None:
    """'5' → '05', '2A' → '2A', '974' → '974'; None when empty."""
    text = str(raw or "").strip().upper()
    if not text:
        return None
    return "0" + text if text.isdigit() and len(text) == 1 else text


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """One XML parser per thread (lxml parsers are not thread-safe; creating one per
    notice costs time): no entities, no comments, no whitespace-only text."""
    if not hasattr(_PARSERS, "parser"):
        _PARSERS.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, remove_comments=True, remove_blank_text=True
        )
    return _PARSERS.parser


def parse_xml(raw: bytes, record_index: int):
    """The XML root element, or a Reject saying why the XML cannot be read."""
    try:
        return etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as error:
        return reject(record_index, f"XML mal formé : {error}", raw)


def one_notice_per_file(
    name: str,
    description: str,
    detect: Callable[[Path, bytes], bool],
    parse: Callable[[bytes, int], TenderNotice | Reject],
) -> ReaderSpec:
    """The reader spec of a format holding one notice per file (or per member of a ZIP)."""

    def read(path: Path, context=None) -> Iterator[TenderNotice | Reject]:
        if zipfile.is_zipfile(path):  # an archive of notices: one record per XML member
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
                for index, member in enumerate(members):
                    yield parse(archive.read(member), index)
            return
        yield parse(Path(path).read_bytes(), 0)

    return ReaderSpec(name=name, kind="tenders", detect=detect, read=read, description=description)
