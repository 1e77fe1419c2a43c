"""Legacy TED XML (R2.0.9 `TED_EXPORT`, forms F01-F25 of 2014), published until 2023.

One notice per file. The original-language form (`CATEGORY="ORIGINAL"`) is read: lots from
`OBJECT_CONTRACT/OBJECT_DESCR`, deadline from `PROCEDURE/DATE_RECEIPT_TENDERS`, awards
from `AWARD_CONTRACT` with their `CONTRACTOR`s.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from vivier.models import Reject
from vivier.sources import tender_records as tr

NAME = "ted-legacy"
RESULT_FORMS = {"F03", "F06", "F13", "F15", "F18", "F19", "F20", "F25"}
PLANNING_FORMS = {"F01", "F04", "F08", "F16"}
PROCEDURES = {
    "PT_OPEN": "open",
    "PT_RESTRICTED": "restricted",
    "PT_COMPETITIVE_NEGOTIATION": "negotiated",
    "PT_NEGOTIATED_WITH_PRIOR_CALL": "negotiated",
    "PT_INNOVATION_PARTNERSHIP": "negotiated",
    "PT_COMPETITIVE_DIALOGUE": "competitive_dialogue",
    "PT_AWARD_CONTRACT_WITHOUT_CALL": "without_competition",
    "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION": "without_competition",
}


def detect(path: Path, head: bytes) -> bool:
    return b"<TED_EXPORT" in head


def _strip_namespaces(root) -> None:
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname


def _text(element, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    if found is None:
        return None
    value = " ".join(" ".join(found.itertext()).split())
    return value or None


def _code(element, path: str, attribute: str = "CODE") -> str | None:
    found = element.find(path) if element is not None else None
    return found.get(attribute) if found is not None else None


def _form(root):
    forms = [f for f in root.findall("FORM_SECTION/*") if isinstance(f.tag, str)]
    originals = [f for f in forms if f.get("CATEGORY") == "ORIGINAL"]
    return (originals or forms or [None])[0]


def _kind(form_name: str, document_type: str | None) -> str:
    if form_name in RESULT_FORMS or "award" in (document_type or "").lower():
        return tr.RESULT
    if form_name in PLANNING_FORMS:
        return tr.PLANNING
    return tr.COMPETITION


def parse_notice(raw: bytes, record_index: int) -> tr.TenderNotice | Reject:
    root = tr.parse_xml(raw, record_index)
    if isinstance(root, Reject):
        return root
    _strip_namespaces(root)
    doc_id = (root.get("DOC_ID") or "").lstrip("0")
    form = _form(root)
    if not doc_id:
        return tr.reject(record_index, "identifiant de l'avis (DOC_ID) absent", raw)
    if form is None or not form.tag.endswith("_2014"):
        name = form.tag if form is not None else "aucun"
        return tr.reject(record_index, f"formulaire TED non pris en charge ({name})", raw)
    document_type = _text(root, "CODED_DATA_SECTION/CODIF_DATA/TD_DOCUMENT_TYPE")
    notice = tr.TenderNotice(
        source="ted",
        format=NAME,
        notice_id=doc_id,
        kind=_kind(form.get("FORM") or form.tag[:3], document_type),
        notice_type_raw=f"{form.get('FORM') or form.tag}: {document_type or ''}".strip(": "),
        publication_date=tr.parse_date(_text(root, "CODED_DATA_SECTION/REF_OJS/DATE_PUB")),
        issue_date=tr.parse_date(_text(root, "CODED_DATA_SECTION/CODIF_DATA/DS_DATE_DISPATCH")),
        language=(form.get("LG") or "").upper() or None,
        url=f"https://ted.europa.eu/fr/notice/-/detail/{doc_id}",
        record_index=record_index,
    )
    _buyer(notice, form)
    procedure = form.find("PROCEDURE")
    names = [child.tag for child in procedure] if procedure is not None else []
    notice.procedure_raw = next((name for name in names if name.startswith("PT_")), None)
    notice.procedure = PROCEDURES.get(notice.procedure_raw or "")
    notice.title = _text(form, "OBJECT_CONTRACT/TITLE")
    _lots(notice, form, procedure)
    if not notice.lots:
        return tr.reject(record_index, "aucun lot dans l'avis", raw)
    if notice.kind == tr.RESULT:
        notice.awards = _awards(notice, form)
    tr.check_notice(notice)
    return notice


def _buyer(notice: tr.TenderNotice, form) -> None:
    body = form.find("CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY")
    notice.buyer_name = _text(body, "OFFICIALNAME")
    notice.buyer_nuts = _code(body, "NUTS")
    notice.country = _code(body, "COUNTRY", "VALUE")
    tr.buyer_ids(notice, _text(body, "NATIONALID"))


def _lots(notice: tr.TenderNotice, form, procedure) -> None:
    contract = form.find("OBJECT_CONTRACT")
    if contract is None:
        return
    items = contract.findall("OBJECT_DESCR")
    main_cpv = _code(contract, "CPV_MAIN/CPV_CODE")
    day = _text(procedure, "DATE_RECEIPT_TENDERS")
    hour = _text(procedure, "TIME_RECEIPT_TENDERS")
    for index, item in enumerate(items, start=1):
        lot_id = _text(item, "LOT_NO") or item.get("ITEM") or str(index)
        lot = tr.TenderLot(
            lot_id=lot_id,
            title=_text(item, "TITLE") or (notice.title if len(items) == 1 else None),
            description=_text(item, "SHORT_DESCR") or _text(contract, "SHORT_DESCR"),
            nuts=tr.place_of(notice, lot_id, _code(item, "NUTS")),
        )
        extra = [e.get("CODE") for e in item.findall("CPV_ADDITIONAL/CPV_CODE") if e.get("CODE")]
        tr.cpv_of(notice, lot, _code(item, "CPV_MAIN/CPV_CODE") or main_cpv, extra)
        value = item.find("VAL_OBJECT")
        if value is None and len(items) == 1:
            value = contract.find("VAL_ESTIMATED_TOTAL")
        if value is not None:
            tr.value_of(notice, lot, value.text, value.get("CURRENCY"))
        tr.deadline_of(notice, lot, day, hour)
        notice.lots.append(lot)


def _awards(notice: tr.TenderNotice, form) -> list[tr.Award]:
    awards = []
    for index, element in enumerate(form.findall("AWARD_CONTRACT"), start=1):
        awarded = element.find("AWARDED_CONTRACT")
        if awarded is None:
            continue
        lot_id = _text(element, "LOT_NO")
        award = tr.Award(
            contract_id=_text(element, "CONTRACT_NO") or f"{notice.notice_id}-{index}",
            lot_id=lot_id or (notice.lots[0].lot_id if len(notice.lots) == 1 else None),
            date=tr.parse_date(_text(awarded, "DATE_CONCLUSION_CONTRACT")),
        )
        value = awarded.find("VALUES/VAL_TOTAL")
        if value is not None:
            award.amount = tr.parse_amount(value.text)
            award.currency = value.get("CURRENCY")
        for contractor in awarded.findall("CONTRACTORS/CONTRACTOR/ADDRESS_CONTRACTOR"):
            award.winners.append(
                tr.winner_of(
                    _text(contractor, "OFFICIALNAME"),
                    _text(contractor, "NATIONALID"),
                    _code(contractor, "COUNTRY", "VALUE"),
                )
            )
        awards.append(award)
    return awards


SPEC = tr.one_notice_per_file(
    NAME, "TED XML historique (R2.0.9, formulaires de 2014)", detect, parse_notice
)
read = SPEC.read
