"""OCDS 1.1 release packages made from DECP (`{"releases": [...]}`), streamed.

Each release becomes one DECP-shaped record: the buyer party, the first award (value,
date, suppliers, CPV item), the DECP national key from `decpUID` when present.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from vivier.models import Contract, Reject
from vivier.sources import ReaderSpec
from vivier.sources.decp_record import raw_text, to_contract
from vivier.sources.jsonstream import CountingStream, iter_items, looks_like_json
from vivier.sources.normalise import DEFAULT_CONTEXT, ReadContext

SOURCE = "decp-ocds"
_RELEASES = re.compile(rb'"releases"\s*:\s*\[')
DAYS_PER_MONTH = 30.4375


def detect(path: Path, head: bytes) -> bool:
    return looks_like_json(head) and _RELEASES.search(head) is not None


def _parties(release: dict, role: str) -> list[dict]:
    return [p for p in release.get("parties") or [] if role in (p.get("roles") or [])]


def _identifier(party: dict) -> str | None:
    identifier = party.get("identifier") or {}
    return identifier.get("id") or None


def _supplier(party: dict) -> dict:
    supplier_id = _identifier(party)
    digits = str(supplier_id or "")
    id_type = "SIRET" if len(digits) == 14 else "SIREN" if len(digits) == 9 else "AUTRE"
    return {"id": supplier_id, "typeIdentifiant": id_type, "denominationSociale": party.get("name")}


def _cpv(award: dict, release: dict) -> str | None:
    items = award.get("items") or (release.get("tender") or {}).get("items") or []
    for item in items:
        classification = item.get("classification") or {}
        if str(classification.get("scheme", "")).upper() == "CPV":
            return classification.get("id")
    return None


def to_record(release: dict) -> dict:
    """A DECP-shaped record from an OCDS release (raises on a malformed release)."""
    award = (release.get("awards") or [{}])[0]
    buyers = _parties(release, "buyer")
    buyer = buyers[0] if buyers else {}
    buyer_id = _identifier(buyer)
    decp_uid = str(release.get("decpUID") or "")
    if buyer_id and decp_uid.startswith(str(buyer_id)) and len(decp_uid) > len(str(buyer_id)):
        contract_id = decp_uid[len(str(buyer_id)) :]
    else:
        contract_id = release.get("ocid")
    awarded = {s.get("id") for s in award.get("suppliers") or []}
    suppliers = [p for p in _parties(release, "supplier") if p.get("id") in awarded]
    period = award.get("contractPeriod") or {}
    days = period.get("durationInDays")
    tender = release.get("tender") or {}
    return {
        "id": contract_id,
        "acheteur": {"id": buyer_id, "nom": buyer.get("name")},
        "objet": award.get("description") or tender.get("title"),
        "codeCPV": _cpv(award, release),
        "procedure": tender.get("procurementMethodDetails"),
        "montant": (award.get("value") or {}).get("amount"),
        "dateNotification": award.get("date"),
        "datePublicationDonnees": release.get("date"),
        "dureeMois": round(days / DAYS_PER_MONTH, 1) if isinstance(days, int | float) else None,
        "titulaires": [_supplier(party) for party in suppliers],
    }


def read(path: Path, context: ReadContext = DEFAULT_CONTEXT) -> Iterator[Contract | Reject]:
    with open(path, "rb") as handle:
        releases = iter_items(CountingStream(handle), "releases.item", str(path))
        for index, release in enumerate(releases):
            if not context.mine(index):
                continue
            try:
                record = to_record(release)
            except (AttributeError, TypeError, ValueError, IndexError) as error:
                yield Reject(index, f"publication OCDS invalide : {error}", raw_text(release))
                continue
            yield to_contract(record, index, SOURCE, "marche", context)


SPEC = ReaderSpec(
    name="decp-ocds",
    kind="awards",
    detect=detect,
    read=read,
    description='OCDS 1.1 (paquet de publications {"releases": [...]}) issu des DECP',
    shardable=True,
)
