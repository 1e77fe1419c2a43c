"""BOAMP JSON: the notices of the BOAMP API, in the three shapes found in the wild.

- one notice of the former API v1: `{"gestion": {...}, "donnees": {...}}` (lower-case keys,
  dates in milliseconds since 1970, flags as XML fragments);
- an index `{"IDWEB": [reference, object, deadline], ...}` (thin notices: flagged);
- the records of the DILA open-data export (`vivier fetch boamp`): a list (or
  `{"results": [...]}`) of flat records with `idweb`, `objet`, `dateparution`,
  `datelimitereponse`, `nomacheteur`, `code_departement`, `nature`, `donnees`...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson

from vivier.models import Reject
from vivier.sources import ReaderSpec
from vivier.sources import tender_records as tr
from vivier.sources.vocabulary import procedure_code

NAME = "boamp-json"
PARIS = ZoneInfo("Europe/Paris")
NATURES = {
    "appeloffre": tr.COMPETITION,
    "appel_offre": tr.COMPETITION,
    "attribution": tr.RESULT,
    "preinformation": tr.PLANNING,
    "periodique": tr.PLANNING,
}
PROCEDURES = {
    "ouvert": "open",
    "restreint": "restricted",
    "procedureadapte": "adapted",
    "procedure_adapte": "adapted",
    "dialoguecompetitif": "competitive_dialogue",
    "negocie": "negotiated",
    "concurrentielleavecnegociation": "negotiated",
}
_INDEX_HEAD = re.compile(rb'^\s*\{\s*"\d{2}-\d+"\s*:\s*\[')


def detect(path: Path, head: bytes) -> bool:
    start = head.lstrip()[:1]
    if start not in (b"{", b"["):
        return False
    return bool(
        (b'"gestion"' in head and b'"donnees"' in head)
        or b'"idweb"' in head
        or _INDEX_HEAD.match(head)
    )


def read(path: Path, context=None) -> Iterator[tr.TenderNotice | Reject]:
    raw = Path(path).read_bytes()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        yield tr.reject(0, f"JSON mal formé : {error}", raw)
        return
    if isinstance(data, dict) and "gestion" in data:
        yield _api_v1(data, 0)
    elif isinstance(data, dict) and "results" in data:
        yield from _records(data["results"])
    elif isinstance(data, list):
        yield from _records(data)
    elif isinstance(data, dict):
        yield from _index(data)
    else:
        yield tr.reject(0, "structure JSON BOAMP non reconnue", raw)


SPEC = ReaderSpec(
    name=NAME,
    kind="tenders",
    detect=detect,
    read=read,
    description="BOAMP JSON (API v1, index, export open data de la DILA)",
)


def _dump(value) -> str:
    return orjson.dumps(value).decode()[:2000]


def _set_key(mapping) -> str | None:
    """The first key whose value is set (the API v1 encodes choices that way)."""
    if not isinstance(mapping, dict):
        return None
    return next((key for key, value in mapping.items() if value is not None), None)


def _epoch_local(value) -> datetime | None:
    if not isinstance(value, int | float):
        return None
    moment = datetime.fromtimestamp(value / 1000, tz=UTC).astimezone(PARIS)
    return moment.replace(tzinfo=None)


def _iso_local(value) -> datetime | None:
    """'2021-03-01T11:00:00+00:00' → Paris local time; '2021-03-01 12:00:00' as is."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(PARIS).replace(tzinfo=None)
    return moment


def _deadline(notice: tr.TenderNotice, lot: tr.TenderLot, raw, parsed: datetime | None):
    if raw in (None, "", "None"):
        if notice.kind == tr.COMPETITION:
            notice.flag("deadline", "deadline_missing", None, lot.lot_id)
        return
    lot.deadline_raw = str(raw)
    if parsed is None:
        notice.flag("deadline", "deadline_invalid", raw, lot.lot_id)
    lot.deadline = parsed


def _api_v1(data: dict, index: int) -> tr.TenderNotice | Reject:
    gestion, donnees = data.get("gestion") or {}, data.get("donnees") or {}
    reference = gestion.get("reference") or {}
    idweb = reference.get("idweb")
    if not idweb:
        return tr.reject(index, "identifiant BOAMP (idweb) absent", _dump(data))
    indexation = gestion.get("indexation") or {}
    notice = _api_v1_header(idweb, reference, indexation, donnees, index)
    objects = donnees.get("objet") or []
    objects = objects if isinstance(objects, list) else [objects]
    first = objects[0] if objects else {}
    notice.title = first.get("titremarche") or indexation.get("resumeobjet")
    deps = indexation.get("deppublication") or []
    lot = tr.TenderLot(
        lot_id="1",
        title=notice.title or first.get("objetcomplet"),
        description=first.get("objetcomplet"),
        nuts=tr.place_of(notice, "1", None),
        departement=tr.departement_code(deps[0] if deps else None),
    )
    cpv = first.get("cpv") or {}
    tr.cpv_of(notice, lot, cpv.get("principal") if isinstance(cpv, dict) else None, [])
    raw_deadline = indexation.get("datelimitereponse") or (
        (donnees.get("conditiondelai") or {}).get("receptoffres")
    )
    _deadline(notice, lot, raw_deadline, _epoch_local(raw_deadline))
    notice.lots.append(lot)
    tr.check_notice(notice)
    return notice


def _api_v1_header(idweb: str, reference, indexation, donnees, index: int) -> tr.TenderNotice:
    """Notice kind and type, publication date, buyer and procedure of an API v1 notice."""
    kinds = reference.get("typeavis") or {}
    nature = _set_key(kinds.get("nature")) or ""
    notice = tr.TenderNotice(
        source="boamp",
        format=NAME,
        notice_id=idweb,
        kind=NATURES.get(nature, tr.OTHER),
        notice_type_raw="/".join(filter(None, [_set_key(kinds.get("famille")), nature])),
        language="FRA",
        country="FR",
        url=f"https://www.boamp.fr/pages/avis/?q=idweb:{idweb}",
        record_index=index,
    )
    published = _epoch_local(indexation.get("datepublication"))
    notice.publication_date = published.date() if published else None
    identity = donnees.get("identite") or {}
    notice.buyer_name = identity.get("denomination")
    notice.buyer_nuts = identity.get("adjudicateurnuts")
    tr.buyer_ids(notice, identity.get("codeidentnational"))
    notice.procedure_raw = _set_key((donnees.get("procedure") or {}).get("typeprocedure"))
    notice.procedure = PROCEDURES.get(notice.procedure_raw or "")
    return notice


def _index(data: dict) -> Iterator[tr.TenderNotice | Reject]:
    """{idweb: [reference, object, deadline]}: thin call-for-tenders notices."""
    for index, (idweb, values) in enumerate(data.items()):
        if not isinstance(values, list) or len(values) < 3:
            yield tr.reject(index, "entrée d'index BOAMP incomplète", _dump({idweb: values}))
            continue
        notice = tr.TenderNotice(
            source="boamp",
            format=NAME,
            notice_id=idweb,
            kind=tr.COMPETITION,
            language="FRA",
            country="FR",
            title=values[1] or None,
            url=f"https://www.boamp.fr/pages/avis/?q=idweb:{idweb}",
            record_index=index,
        )
        lot = tr.TenderLot(lot_id="1", title=notice.title)
        tr.cpv_of(notice, lot, None, [])
        _deadline(notice, lot, values[2], _iso_local(values[2]))
        notice.lots.append(lot)
        notice.flag("buyer_id", "buyer_id_missing")
        tr.check_notice(notice)
        yield notice


def _records(records: list) -> Iterator[tr.TenderNotice | Reject]:
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not record.get("idweb"):
            yield tr.reject(index, "enregistrement BOAMP sans idweb", _dump(record))
            continue
        yield _record(record, index)


def _record(record: dict, index: int) -> tr.TenderNotice:
    idweb = record["idweb"]
    nature = str(record.get("nature") or "").lower()
    notice = tr.TenderNotice(
        source="boamp",
        format=NAME,
        notice_id=idweb,
        kind=NATURES.get(nature, tr.OTHER),
        notice_type_raw="/".join(filter(None, [record.get("famille"), record.get("nature")])),
        procedure_raw=record.get("procedure_libelle"),
        procedure=procedure_code(record.get("procedure_libelle")),
        publication_date=tr.parse_date(record.get("dateparution")),
        buyer_name=record.get("nomacheteur"),
        language="FRA",
        country="FR",
        title=record.get("objet"),
        url=record.get("url_avis") or f"https://www.boamp.fr/pages/avis/?q=idweb:{idweb}",
        record_index=index,
    )
    notice.flag("buyer_id", "buyer_id_missing")
    deps = record.get("code_departement") or []
    deps = deps if isinstance(deps, list) else [deps]
    descriptors = record.get("descripteur_libelle") or []
    descriptors = descriptors if isinstance(descriptors, list) else [descriptors]
    lot = tr.TenderLot(
        lot_id="1",
        title=notice.title,
        description="Descripteurs : " + ", ".join(descriptors) if descriptors else None,
        departement=tr.departement_code(deps[0] if deps else None),
    )
    tr.cpv_of(notice, lot, _cpv_in(record.get("donnees")), [])
    raw_deadline = record.get("datelimitereponse")
    _deadline(notice, lot, raw_deadline, _iso_local(raw_deadline))
    notice.lots.append(lot)
    holders = record.get("titulaire") or []
    if notice.kind == tr.RESULT and holders:
        holders = holders if isinstance(holders, list) else [holders]
        award = tr.Award(contract_id=f"{idweb}-1", lot_id="1")
        award.winners = [tr.winner_of(name, None, "FR") for name in holders]
        notice.awards.append(award)
    tr.check_notice(notice)
    return notice


# "PRINCIPAL": "72000000" (BOAMP schema) or an eForms "...ItemClassificationCode" object
_CPV_KEY = re.compile(r'(?:PRINCIPAL|principal|ItemClassificationCode)"[^0-9]{0,80}?(\d{8})')


def _cpv_in(donnees) -> str | None:
    """The first main CPV code found in the `donnees` JSON text of an export record."""
    if not donnees:
        return None
    text = donnees if isinstance(donnees, str) else orjson.dumps(donnees).decode()
    match = _CPV_KEY.search(text)
    return match.group(1) if match else None
