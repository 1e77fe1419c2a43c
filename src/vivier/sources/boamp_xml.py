"""BOAMP XML (schema Boamp_v230): calls for tenders and award notices from the DILA.

One `<ANNONCE>` per file. Lots come from `OBJET/LOTS/LOT` (or the notice itself when it
is not divided); award notices give one contract per `ATTRIBUTION/DECISION`.
"""

from __future__ import annotations

from pathlib import Path

from vivier.models import Reject
from vivier.sources import tender_records as tr

NAME = "boamp-xml"
NATURES = {
    "APPEL_OFFRE": tr.COMPETITION,
    "ATTRIBUTION": tr.RESULT,
    "PREINFORMATION": tr.PLANNING,
    "PERIODIQUE": tr.PLANNING,
}
PROCEDURES = {
    "OUVERT": "open",
    "RESTREINT": "restricted",
    "PROCEDURE_ADAPTE": "adapted",
    "DIALOGUE_COMPETITIF": "competitive_dialogue",
    "NEGOCIE": "negotiated",
    "CONCURRENTIELLE_AVEC_NEGOCIATION": "negotiated",
    "PROCEDURE_AVEC_NEGOCIATION": "negotiated",
    "CONCOURS_OUVERT": "design_contest",
    "CONCOURS_RESTREINT": "design_contest",
}


def detect(path: Path, head: bytes) -> bool:
    return b"<ANNONCE" in head and (b"Boamp_v" in head or b"<GESTION>" in head)


def _text(element, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None:
        return None
    value = "".join(found.itertext()).strip()
    return value or None


def _first_child_tag(element, path: str) -> str | None:
    found = element.find(path)
    if found is None or len(found) == 0:
        return None
    return found[0].tag


def departement_of_postcode(postcode: str | None) -> str | None:
    code = (postcode or "").strip().replace(" ", "")
    if len(code) != 5 or not code.isdigit():
        return None
    return code[:3] if code.startswith("97") else code[:2]


def parse_notice(raw: bytes, record_index: int) -> tr.TenderNotice | Reject:
    root = tr.parse_xml(raw, record_index)
    if isinstance(root, Reject):
        return root
    idweb = _text(root, "GESTION/REFERENCE/IDWEB")
    if not idweb:
        return tr.reject(record_index, "identifiant BOAMP (IDWEB) absent", raw)
    data = root.find("DONNEES")
    notice = _header(root, idweb, record_index)
    _buyer(notice, data)
    procedure = _first_child_tag(data, "PROCEDURE/TYPE_PROCEDURE") if data is not None else None
    notice.procedure_raw = procedure
    notice.procedure = PROCEDURES.get(procedure or "")
    if procedure and not notice.procedure:
        notice.flag("procedure", "procedure_unknown", procedure)
    notice.title = (
        _text(data, "OBJET/TITRE_MARCHE")
        or _text(root, "GESTION/INDEXATION/RESUME_OBJET")
        or _text(data, "OBJET/OBJET_COMPLET")
    )
    departement = tr.departement_code(_text(root, "GESTION/INDEXATION/DEP_PUBLICATION"))
    deadline = _text(data, "CONDITION_DELAI/RECEPT_OFFRES") or _text(
        root, "GESTION/INDEXATION/DATE_LIMITE_REPONSE"
    )
    _lots(notice, data, departement, deadline)
    if notice.kind == tr.RESULT:
        notice.awards = _awards(notice, data)
    tr.check_notice(notice)
    return notice


def _header(root, idweb: str, record_index: int) -> tr.TenderNotice:
    """Kind (a cancelled notice is 'other'), family/nature and publication date."""
    nature = _first_child_tag(root, "GESTION/REFERENCE/TYPE_AVIS/NATURE") or ""
    family = _first_child_tag(root, "GESTION/REFERENCE/TYPE_AVIS/FAMILLE")
    cancelled = _first_child_tag(root, "GESTION/REFERENCE/TYPE_AVIS/STATUT") == "ANNULATION"
    return tr.TenderNotice(
        source="boamp",
        format=NAME,
        notice_id=idweb,
        kind=tr.OTHER if cancelled else NATURES.get(nature, tr.OTHER),
        notice_type_raw="/".join(filter(None, [family, nature])),
        publication_date=tr.parse_date(_text(root, "GESTION/INDEXATION/DATE_PUBLICATION")),
        language="FRA",
        country="FR",
        url=f"https://www.boamp.fr/pages/avis/?q=idweb:{idweb}",
        record_index=record_index,
    )


def _buyer(notice: tr.TenderNotice, data) -> None:
    identity = data.find("IDENTITE") if data is not None else None
    notice.buyer_name = _text(identity, "DENOMINATION")
    notice.buyer_nuts = _text(identity, "ADJUDICATEUR_NUTS")
    tr.buyer_ids(notice, _text(identity, "CODE_IDENT_NATIONAL"))


def split_datetime(raw: str | None) -> tuple[str | None, str | None]:
    """'2017-01-30T16:00:00+01:00' → ('2017-01-30', '16:00:00+01:00')."""
    if not raw:
        return None, None
    day, _, hour = raw.partition("T")
    return day, hour or None


def _lots(notice: tr.TenderNotice, data, departement: str | None, deadline: str | None):
    objet = data.find("OBJET") if data is not None else None
    elements = objet.findall("LOTS/LOT") if objet is not None else []
    buyer_dep = departement or departement_of_postcode(_text(data, "IDENTITE/CP"))
    for index, element in enumerate(elements or [objet], start=1):
        lot_id = _text(element, "NUM") or str(index)
        lot = tr.TenderLot(
            lot_id=lot_id,
            title=_text(element, "INTITULE") or (notice.title if len(elements) <= 1 else None),
            description=_text(element, "DESCRIPTION") or _text(element, "OBJET_COMPLET"),
            nuts=tr.place_of(notice, lot_id, _text(element, "CODE_NUTS")),
            departement=buyer_dep,
        )
        cpv = (_text(element, "CPV/PRINCIPAL") if element is not None else None) or _text(
            objet, "CPV/PRINCIPAL"
        )
        extra = [e.text.strip() for e in _iter(element, "CPV/*") if e.tag != "PRINCIPAL" and e.text]
        tr.cpv_of(notice, lot, cpv, extra)
        value = element.find("VALEUR") if element is not None else None
        if value is None and not elements and objet is not None:
            value = objet.find("CARACTERISTIQUES/VALEUR")
        if value is not None:
            tr.value_of(notice, lot, value.text, value.get("DEVISE"))
        day, hour = split_datetime(deadline)
        tr.deadline_of(notice, lot, day, hour)
        notice.lots.append(lot)


def _iter(element, path: str) -> list:
    return element.findall(path) if element is not None else []


def _awards(notice: tr.TenderNotice, data) -> list[tr.Award]:
    awards = []
    attribution = data.find("ATTRIBUTION") if data is not None else None
    decisions = _iter(attribution, "DECISION")
    for index, decision in enumerate(decisions, start=1):
        if decision.find("INFRUCTUEUX") is not None or decision.find("SANS_SUITE") is not None:
            continue
        lot_id = _text(decision, "NUM_LOT")
        if lot_id and lot_id not in {lot.lot_id for lot in notice.lots}:
            lot = tr.TenderLot(lot_id=lot_id, title=_text(decision, "INTITULE"))
            lot.description = _text(decision, "DESCRIPTION")
            lot.title = lot.title or (lot.description or "")[:200] or None
            notice.lots.append(lot)
        award = tr.Award(
            contract_id=f"{notice.notice_id}-{lot_id or index}",
            lot_id=lot_id or (notice.lots[0].lot_id if len(notice.lots) == 1 else None),
            date=tr.parse_date(
                _text(decision, "RENSEIGNEMENT/DATE_ATTRIBUTION")
                or _text(attribution, "DATE_DECISION")
            ),
        )
        amount = _text(decision, "RENSEIGNEMENT/MONTANT")
        if amount is None and len(decisions) == 1:
            amount = _text(attribution, "VALEUR_TOTALE")
        award.amount = tr.parse_amount(amount)
        award.currency = "EUR" if award.amount is not None else None
        for holder in decision.findall("TITULAIRE"):
            award.winners.append(
                tr.winner_of(
                    _text(holder, "DENOMINATION"), _text(holder, "CODE_IDENT_NATIONAL"), "FR"
                )
            )
        awards.append(award)
    return awards


SPEC = tr.one_notice_per_file(
    NAME, "BOAMP XML (schéma v230) : avis de marché et d'attribution", detect, parse_notice
)
read = SPEC.read
