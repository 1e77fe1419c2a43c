"""TED eForms UBL XML: prior information, contract and contract award notices.

One file holds one notice. Each lot (`cac:ProcurementProjectLot`, 'LOT-' or 'PAR-') becomes
a `TenderLot`; award notices also give the contracts and their winners, resolved through
the eForms extension (LotResult → LotTender → TenderingParty → Organization).
"""

from __future__ import annotations

import logging
from pathlib import Path

from lxml import etree

from vivier.models import Reject
from vivier.sources import tender_records as tr

log = logging.getLogger(__name__)

NAME = "ted-eforms"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}
ROOTS = {
    "PriorInformationNotice": tr.PLANNING,
    "ContractNotice": tr.COMPETITION,
    "ContractAwardNotice": tr.RESULT,
}
KIND_OF_LIST = {
    "planning": tr.PLANNING,
    "competition": tr.COMPETITION,
    "change": tr.COMPETITION,
    "result": tr.RESULT,
    "dir-awa-pre": tr.RESULT,
    "cont-modif": tr.RESULT,
}
# eForms procedure codes → the vocabulary of `vivier.sources.vocabulary` (None: 'other').
PROCEDURES = {
    "open": "open",
    "restricted": "restricted",
    "neg-w-call": "negotiated",
    "neg-wo-call": "without_competition",
    "comp-dial": "competitive_dialogue",
    "innovation": "negotiated",
    "comp-tend": None,
    "oth-single": None,
    "oth-mult": None,
}
EXTENSION = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
PREFERRED_LANGUAGES = ("FRA", "ENG")
INTEREST_PERIOD = EXTENSION + "/efac:InterestExpressionReceptionPeriod"


def detect(path: Path, head: bytes) -> bool:
    return b"data.europa.eu/p27/eforms" in head or (
        b"urn:oasis:names:specification:ubl:schema:xsd:" in head
        and any(root.encode() in head for root in ROOTS)
    )


def parse_notice(raw: bytes, record_index: int) -> tr.TenderNotice | Reject:
    """One eForms notice (bytes) → a normalised notice or a reject with its reason."""
    root = tr.parse_xml(raw, record_index)
    if isinstance(root, Reject):
        return root
    name = etree.QName(root).localname
    if name not in ROOTS:
        return tr.reject(record_index, f"pas un avis de marché ({name})", raw)
    organizations = _organizations(root)
    notice = _notice_header(root, name, record_index, organizations)
    if not notice.notice_id:
        return tr.reject(record_index, "identifiant de l'avis absent", raw)
    lots = [  # groups of lots ('GLO-', schemeName LotsGroup) describe lots given elsewhere
        element
        for element in root.findall("cac:ProcurementProjectLot", NS)
        if element.find("cbc:ID", NS) is None
        or element.find("cbc:ID", NS).get("schemeName") != "LotsGroup"
    ]
    for element in lots:
        lot = _lot(notice, element, root, single=len(lots) == 1)
        if lot is not None:
            notice.lots.append(lot)
    if not notice.lots:
        return tr.reject(record_index, "aucun lot dans l'avis", raw)
    if notice.kind == tr.RESULT:
        notice.awards = _awards(root, organizations)
    tr.check_notice(notice)
    return notice


def _text(element, path: str) -> str | None:
    found = element.find(path, NS) if element is not None else None
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _all(element, path: str) -> list:
    return element.findall(path, NS) if element is not None else []


def _lang_text(element, path: str, language: str | None) -> str | None:
    """The text in French, else the notice language, else English, else the first one."""
    if element is None:
        return None
    found = [e for e in element.findall(path, NS) if e.text and e.text.strip()]
    if not found:
        return None
    by_language = {e.get("languageID"): e.text.strip() for e in found}
    for wanted in (*PREFERRED_LANGUAGES[:1], language, *PREFERRED_LANGUAGES[1:]):
        if wanted in by_language:
            return by_language[wanted]
    return found[0].text.strip()


def _notice_header(root, name: str, record_index: int, organizations) -> tr.TenderNotice:
    extension = root.find(EXTENSION, NS)
    publication_id = _text(extension, "efac:Publication/efbc:NoticePublicationID")
    type_element = root.find("cbc:NoticeTypeCode", NS)
    list_name = type_element.get("listName") if type_element is not None else None
    notice = tr.TenderNotice(
        source="ted",
        format=NAME,
        notice_id=(publication_id or "").lstrip("0") or _text(root, "cbc:ID") or "",
        kind=KIND_OF_LIST.get(list_name or "", ROOTS[name]),
        notice_type_raw=_text(root, "cbc:NoticeTypeCode"),
        procedure_raw=_text(root, "cac:TenderingProcess/cbc:ProcedureCode"),
        publication_date=tr.parse_date(_text(extension, "efac:Publication/efbc:PublicationDate")),
        issue_date=tr.parse_date(_text(root, "cbc:IssueDate")),
        language=_text(root, "cbc:NoticeLanguageCode"),
        record_index=record_index,
    )
    notice.procedure = PROCEDURES.get(notice.procedure_raw or "")
    if notice.procedure_raw and notice.procedure_raw not in PROCEDURES:
        notice.flag("procedure", "procedure_unknown", notice.procedure_raw)
    if publication_id:
        notice.url = f"https://ted.europa.eu/fr/notice/-/detail/{notice.notice_id}"
    notice.title = _lang_text(root, "cac:ProcurementProject/cbc:Name", notice.language)
    _buyer(notice, root, organizations)
    return notice


def _organizations(root) -> dict[str, dict]:
    """ORG-xxxx → name, identifier, NUTS and country of every organisation of the notice."""
    found = {}
    path = f"{EXTENSION}/efac:Organizations/efac:Organization/efac:Company"
    for company in root.findall(path, NS):
        org_id = _text(company, "cac:PartyIdentification/cbc:ID")
        if not org_id:
            continue
        found[org_id] = {
            "name": _lang_text(company, "cac:PartyName/cbc:Name", None),
            "id": _text(company, "cac:PartyLegalEntity/cbc:CompanyID"),
            "nuts": _text(company, "cac:PostalAddress/cbc:CountrySubentityCode"),
            "country": _text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        }
    return found


def _buyer(notice: tr.TenderNotice, root, organizations: dict[str, dict]) -> None:
    org_id = _text(root, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID")
    buyer = organizations.get(org_id or "")
    if buyer is None:
        notice.flag("buyer", "buyer_missing", org_id)
        return
    notice.buyer_name = buyer["name"]
    notice.buyer_nuts = buyer["nuts"]
    notice.country = buyer["country"]
    tr.buyer_ids(notice, buyer["id"])


def _lot(notice: tr.TenderNotice, element, root, single: bool) -> tr.TenderLot | None:
    lot_id = _text(element, "cbc:ID")
    if not lot_id:
        notice.flag("lot_id", "lot_id_missing")
        return None
    project = element.find("cac:ProcurementProject", NS)
    notice_project = root.find("cac:ProcurementProject", NS)
    language = notice.language
    lot = tr.TenderLot(
        lot_id=lot_id,
        title=_lang_text(project, "cbc:Name", language) or (notice.title if single else None),
        description=_lang_text(project, "cbc:Description", language)
        or (_lang_text(notice_project, "cbc:Description", language) if single else None),
    )
    main = "cac:MainCommodityClassification/cbc:ItemClassificationCode"
    extra = "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode"
    cpv_raw = _text(project, main) or _text(notice_project, main)
    extras = [e.text.strip() for e in _all(project, extra) if e.text]
    tr.cpv_of(notice, lot, cpv_raw, extras)
    place = "cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode"
    lot.nuts = tr.place_of(notice, lot_id, _text(project, place) or _text(notice_project, place))
    _lot_value(notice, lot, project, notice_project if single else None)
    process = element.find("cac:TenderingProcess", NS)
    day = _text(process, "cac:TenderSubmissionDeadlinePeriod/cbc:EndDate")
    hour = _text(process, "cac:TenderSubmissionDeadlinePeriod/cbc:EndTime")
    for period in ("cac:ParticipationRequestReceptionPeriod", INTEREST_PERIOD):
        if not day:
            day = _text(process, f"{period}/cbc:EndDate")
            hour = _text(process, f"{period}/cbc:EndTime")
    tr.deadline_of(notice, lot, day, hour)
    return lot


def _lot_value(notice, lot, project, notice_project) -> None:
    path = "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount"
    for source in (project, notice_project):
        found = source.find(path, NS) if source is not None else None
        if found is not None and found.text:
            tr.value_of(notice, lot, found.text, found.get("currencyID"))
            return


def _awards(root, organizations: dict[str, dict]) -> list[tr.Award]:
    result = root.find(f"{EXTENSION}/efac:NoticeResult", NS)
    if result is None:
        return []
    tenders = {}
    for tender in result.findall("efac:LotTender", NS):
        amount = tender.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS)
        tenders[_text(tender, "cbc:ID")] = {
            "lot": _text(tender, "efac:TenderLot/cbc:ID"),
            "party": _text(tender, "efac:TenderingParty/cbc:ID"),
            "amount": tr.parse_amount(amount.text) if amount is not None else None,
            "currency": amount.get("currencyID") if amount is not None else None,
        }
    parties = {
        _text(party, "cbc:ID"): [t.text.strip() for t in party.findall("efac:Tenderer/cbc:ID", NS)]
        for party in result.findall("efac:TenderingParty", NS)
    }
    awards = []
    for contract in result.findall("efac:SettledContract", NS):
        refs = [t.text.strip() for t in contract.findall("efac:LotTender/cbc:ID", NS) if t.text]
        won = [tenders[ref] for ref in refs if ref in tenders]
        award = tr.Award(
            contract_id=_text(contract, "efac:ContractReference/cbc:ID")
            or _text(contract, "cbc:ID")
            or "",
            lot_id=next((t["lot"] for t in won if t["lot"]), None),
            date=tr.parse_date(_text(contract, "cbc:IssueDate")),
        )
        amounts = [t["amount"] for t in won if t["amount"] is not None]
        award.amount = sum(amounts) if amounts else None
        award.currency = next((t["currency"] for t in won if t["currency"]), None)
        for tender in won:
            for org_id in parties.get(tender["party"], []):
                org = organizations.get(org_id, {})
                winner = tr.winner_of(org.get("name"), org.get("id"), org.get("country"))
                award.winners.append(winner)
        awards.append(award)
    return awards


SPEC = tr.one_notice_per_file(
    NAME,
    "TED eForms (UBL XML) : préinformation, avis de marché, avis d'attribution",
    detect,
    parse_notice,
)
read = SPEC.read
