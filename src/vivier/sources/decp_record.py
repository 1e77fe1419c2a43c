"""One DECP record (2019 or 2024 shape, as a dict) → a normalised `Contract` or a `Reject`.

Shared by the DECP 2019 JSON, 2024 JSON and 2024 XML readers: both schemas use the
same field names, 2024 wraps list items (`{"titulaire": {...}}`) and names the
concession's buyer `autoriteConcedante`, its amount `valeurGlobale`.
"""

from __future__ import annotations

import orjson

from vivier.models import Contract, Flag, Modification, Reject, Supplier
from vivier.sources import normalise as norm
from vivier.sources.normalise import DEFAULT_CONTEXT, ReadContext
from vivier.sources.vocabulary import procedure_code

SIRET_TYPES = {"SIRET", None}
_WRAPPERS = frozenset(("titulaire", "concessionnaire", "modification"))


def raw_text(record: object) -> str:
    """The record as JSON text, for the rejects table."""
    try:
        return orjson.dumps(record, default=str).decode()
    except (TypeError, orjson.JSONEncodeError):
        return repr(record)


def unwrap_items(value: object) -> list[dict]:
    """Items of a DECP list: unwraps `{"titulaire": {...}}` and flattens nested lists."""
    if value is None:
        return []
    if value.__class__ is dict:
        value = [value]
    elif value.__class__ is not list:
        raise TypeError("liste attendue")
    items: list[dict] = []
    for item in value:
        if item.__class__ is dict:
            if len(item) == 1:
                ((key, inner),) = item.items()
                if key in _WRAPPERS:
                    if inner.__class__ is dict and len(inner) != 1:  # the usual case
                        items.append(inner)
                        continue
                    if inner.__class__ in (dict, list):
                        items.extend(unwrap_items(inner))
                        continue
            items.append(item)
        elif item.__class__ is list:
            items.extend(unwrap_items(item))
        else:
            raise TypeError("élément de liste invalide")
    return items


def _party(record: dict, *names: str) -> dict:
    for name in names:
        value = record.get(name)
        if value.__class__ is dict or isinstance(value, dict):
            return value
    prefix = names[0] + "."  # flattened exports: {"acheteur.id": ...}
    return {key[len(prefix) :]: value for key, value in record.items() if key.startswith(prefix)}


def suppliers_of(items: list[dict], flags: list[Flag]) -> list[Supplier]:
    suppliers = []
    for position, item in enumerate(items):
        id_type = norm.text(item.get("typeIdentifiant"))
        if id_type is not None:
            id_type = id_type.upper()
        name = item.get("denominationSociale")
        if name is not None:
            name = norm.check_text(name, "supplier", "name", flags)
        raw_id = norm.text(item.get("id"))
        siret = siren = None
        if raw_id is not None and id_type in SIRET_TYPES:
            siret, siren, reason = norm.siret_checked(raw_id)
            if reason:
                flags.append(Flag("supplier", "siret", reason, raw_id))
        elif id_type == "SIREN":
            siren = norm.siren(raw_id, "supplier", "siren", flags)
        suppliers.append(Supplier(position, raw_id, id_type, siret, siren, name))
    return suppliers


def modifications_of(items: list[dict], context: ReadContext) -> list[Modification]:
    modifications = []
    for position, item in enumerate(items):
        ignored: list[Flag] = []
        notified = item.get("dateNotificationModification") or item.get("dateSignatureModification")
        amount = item.get("montant", item.get("valeurGlobale"))
        modifications.append(
            Modification(
                position=position,
                modification_id=norm.text(item.get("id")),
                notification_date=norm.day(notified, "date", ignored, context),
                publication_date=norm.day(
                    item.get("datePublicationDonneesModification"), "date", ignored, context
                ),
                amount=norm.amount(amount, "amount", ignored, context)[1],
                duration_months=norm.number(item.get("dureeMois"), "duration", ignored),
                object=norm.text(item.get("objetModification")),
                raw=raw_text(item),
            )
        )
    return modifications


def _kind(record: dict, default: str | None) -> str:
    if default:
        return default
    declared = str(record.get("_type") or "").lower()
    if "concession" in declared or "autoriteConcedante" in record:
        return "concession"
    return "marche"


def to_contract(
    record: object,
    index: int,
    source: str,
    kind: str | None = None,
    context: ReadContext = DEFAULT_CONTEXT,
) -> Contract | Reject:
    """Normalise one record; any structural problem gives a Reject with a French reason."""
    if not isinstance(record, dict):
        return Reject(index, "enregistrement qui n'est pas un objet JSON", raw_text(record))
    try:
        return _build(record, index, source, kind, context)
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        return Reject(index, f"enregistrement invalide : {error}", raw_text(record))


def _build(
    record: dict, index: int, source: str, kind: str | None, context: ReadContext
) -> Contract | Reject:
    flags: list[Flag] = []
    contract_id = norm.text(record.get("id"))
    buyer = _party(record, "acheteur", "autoriteConcedante")
    buyer_raw = norm.text(buyer.get("id"))
    if contract_id is None:
        return Reject(index, "identifiant du marché (id) manquant", raw_text(record))
    if buyer_raw is None:
        return Reject(index, "identifiant de l'acheteur manquant", raw_text(record))
    kind = _kind(record, kind)
    buyer_raw, buyer_siret, buyer_siren = norm.siret(buyer_raw, "contract", "buyer_siret", flags)
    cpv_raw, cpv = norm.cpv(record.get("codeCPV"), flags, required=kind == "marche")
    procedure_raw = norm.check_text(record.get("procedure"), "contract", "procedure", flags)
    procedure = procedure_code(procedure_raw)
    if procedure_raw and procedure is None:
        flags.append(Flag("contract", "procedure", "procedure_unknown", procedure_raw))
    value = record.get("montant", record.get("valeurGlobale"))
    amount_raw, amount = norm.amount(value, "amount", flags, context)
    notified_raw = record.get("dateNotification", record.get("dateSignature"))
    notified = norm.day(notified_raw, "notification_date", flags, context, required=True)
    published = norm.day(record.get("datePublicationDonnees"), "publication_date", flags, context)
    norm.dates_in_order(notified, published, norm.text(notified_raw), flags)
    place = record.get("lieuExecution") or {}
    if not isinstance(place, dict):
        raise TypeError("lieuExecution n'est pas un objet")
    suppliers = suppliers_of(
        unwrap_items(record.get("titulaires", record.get("concessionnaires"))), flags
    )
    return Contract(
        uid=f"{buyer_raw}|{contract_id}",
        contract_id=contract_id,
        kind=kind,
        buyer_id_raw=buyer_raw,
        buyer_siret=buyer_siret,
        buyer_siren=buyer_siren,
        buyer_name=norm.check_text(buyer.get("nom"), "contract", "buyer_name", flags),
        nature=norm.text(record.get("nature")),
        object=norm.check_text(record.get("objet"), "contract", "object", flags),
        cpv_raw=cpv_raw,
        cpv=cpv,
        procedure_raw=procedure_raw,
        procedure=procedure,
        amount_raw=amount_raw,
        amount=amount,
        price_form=norm.text(record.get("formePrix")),
        duration_months=norm.number(record.get("dureeMois"), "duration_months", flags),
        notification_date_raw=norm.text(notified_raw),
        notification_date=notified,
        publication_date=published,
        place_code=norm.text(place.get("code")),
        place_type=norm.text(place.get("typeCode")),
        innovative=norm.boolean(record.get("marcheInnovant"), "innovative", flags),
        offers_received=norm.integer(record.get("offresRecues"), "offers_received", flags),
        source=norm.text(record.get("source")) or source,
        record_index=index,
        suppliers=suppliers,
        modifications=modifications_of(unwrap_items(record.get("modifications")), context),
        flags=flags,
    )
