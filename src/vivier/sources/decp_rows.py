"""One DECP record (a dict) → the loader's rows, without intermediate objects.

The fast path of `decp_record.to_contract` for records of the usual shape: `record_rows`
returns the rows the award loader would have built from the `Contract` (the contract
row, supplier, modification and flag rows), or None when the record needs the general
path (a reject, an unusual structure, an error), which `convert` then takes. Both paths
give the same rows: tests/test_decp_rows.py checks it on the samples and on random
mutations.
"""

from __future__ import annotations

from operator import attrgetter
from typing import NamedTuple

from vivier.models import MODIFICATION_COLUMNS, Contract, Flag, Reject
from vivier.sources import normalise as norm
from vivier.sources.decp_record import _kind, modifications_of, to_contract, unwrap_items
from vivier.sources.normalise import ReadContext
from vivier.sources.vocabulary import procedure_code

_STRUCTURAL = (TypeError, ValueError, AttributeError, KeyError)
_MISSING = object()
_WRAPPERS = ("titulaire", "concessionnaire")
_modification_values = attrgetter(*MODIFICATION_COLUMNS)
_TEXTS = frozenset((str, type(None)))  # memo keys: texts only (True == 1 == 1.0 as keys)
_SUPPLIERS = norm._Memo()


class Rows(NamedTuple):
    """A normalised contract as loader rows (see `vivier.warehouse.awards`)."""

    contract: tuple  # CONTRACT_COLUMNS + record_index
    suppliers: list[tuple]  # uid, record_index, SUPPLIER_COLUMNS
    modifications: list[tuple]  # uid, record_index, MODIFICATION_COLUMNS
    flags: list[tuple]  # uid, record_index, FLAG_COLUMNS


def convert(
    record: object, index: int, source: str, kind: str | None, context: ReadContext
) -> Rows | Contract | Reject:
    """Rows when `context.rows` and the record has the usual shape, else `to_contract`."""
    if context.rows and record.__class__ is dict:
        try:
            rows = _rows(record, index, source, kind, context)
        except _STRUCTURAL:
            rows = None
        if rows is not None:
            return rows
    return to_contract(record, index, source, kind, context)


def _text(value: object) -> str | None:
    if value.__class__ is str:
        return value.strip() or None
    return norm.text(value)


def _either(record: dict, first: str, second: str) -> object:
    """record[first] when the key is present (even null), else record.get(second)."""
    value = record.get(first, _MISSING)
    return record.get(second) if value is _MISSING else value


def _rows(record: dict, index: int, source: str, kind: str | None, context: ReadContext):
    get = record.get
    contract_id = _text(get("id"))
    buyer = get("acheteur")
    if buyer.__class__ is not dict:
        buyer = get("autoriteConcedante")
        if buyer.__class__ is not dict:
            return None
    buyer_raw = _text(buyer.get("id"))
    if contract_id is None or buyer_raw is None:
        return None  # a reject: the general path words it
    kind = _kind(record, kind)
    flags: list[Flag] = []
    buyer_siret, buyer_siren, reason = norm.siret_checked(buyer_raw)
    if reason:
        flags.append(Flag("contract", "buyer_siret", reason, buyer_raw))
    cpv_raw, cpv = norm.cpv(get("codeCPV"), flags, required=kind == "marche")
    procedure_raw = norm.check_text(get("procedure"), "contract", "procedure", flags)
    procedure = procedure_code(procedure_raw)
    if procedure_raw and procedure is None:
        flags.append(Flag("contract", "procedure", "procedure_unknown", procedure_raw))
    amount_raw, amount = norm.amount(
        _either(record, "montant", "valeurGlobale"), "amount", flags, context
    )
    notified_raw = _either(record, "dateNotification", "dateSignature")
    notified = norm.day(notified_raw, "notification_date", flags, context, required=True)
    published = norm.day(get("datePublicationDonnees"), "publication_date", flags, context)
    notified_text = _text(notified_raw)
    norm.dates_in_order(notified, published, notified_text, flags)
    place = get("lieuExecution") or {}
    if place.__class__ is not dict:
        return None
    uid = f"{buyer_raw}|{contract_id}"
    items = _items(_either(record, "titulaires", "concessionnaires"))
    suppliers = _supplier_rows(items, uid, index, flags)
    contract = (
        uid,
        contract_id,
        kind,
        buyer_raw,
        buyer_siret,
        buyer_siren,
        norm.check_text(buyer.get("nom"), "contract", "buyer_name", flags),
        _text(get("nature")),
        norm.check_text(get("objet"), "contract", "object", flags),
        cpv_raw,
        cpv,
        procedure_raw,
        procedure,
        amount_raw,
        amount,
        _text(get("formePrix")),
        _number(get("dureeMois"), flags),
        notified_text,
        notified,
        published,
        _text(place.get("code")),
        _text(place.get("typeCode")),
        norm.boolean(get("marcheInnovant"), "innovative", flags),
        norm.integer(get("offresRecues"), "offers_received", flags),
        _text(get("source")) or source,
        index,
    )
    return Rows(
        contract,
        suppliers,
        _modification_rows(get("modifications"), uid, index, context),
        [(uid, index, f.entity, f.field, f.reason, f.raw_value) for f in flags],
    )


def _number(value: object, flags: list[Flag]) -> float | None:
    if value.__class__ is int or value.__class__ is float:
        return float(value)
    return norm.number(value, "duration_months", flags)


def _items(value: object) -> list[dict]:
    """`unwrap_items`, with a shortcut for the usual `[{"titulaire": {...}}, ...]`."""
    if value.__class__ is not list:
        return unwrap_items(value)
    items = []
    for item in value:
        if item.__class__ is not dict or len(item) != 1:
            return unwrap_items(value)
        ((key, inner),) = item.items()
        if key not in _WRAPPERS or inner.__class__ is not dict or len(inner) == 1:
            return unwrap_items(value)
        items.append(inner)
    return items


def _supplier_rows(items: list[dict], uid: str, index: int, flags: list[Flag]) -> list[tuple]:
    """`decp_record.suppliers_of`, as rows (suppliers recur: memoised by their values)."""
    rows = []
    for position, item in enumerate(items):
        key = (item.get("typeIdentifiant"), item.get("id"), item.get("denominationSociale"))
        if _TEXTS.issuperset(map(type, key)):
            found = _SUPPLIERS.get(key) or _SUPPLIERS.put(key, _supplier(*key))
        else:
            found = _supplier(*key)
        rows.append((uid, index, position, *found[0]))
        flags.extend(found[1])
    return rows


def _supplier(id_type: object, raw_id: object, name: object) -> tuple[tuple, tuple]:
    """(id_raw, id_type, siret, siren, name) of a supplier, and its flags."""
    flags: list[Flag] = []
    id_type = _text(id_type)
    if id_type is not None:
        id_type = id_type.upper()
    if name is not None:
        name = norm.check_text(name, "supplier", "name", flags)
    raw_id = _text(raw_id)
    siret = siren = None
    if raw_id is not None and (id_type == "SIRET" or id_type is None):
        siret, siren, reason = norm.siret_checked(raw_id)
        if reason:
            flags.append(Flag("supplier", "siret", reason, raw_id))
    elif id_type == "SIREN":
        siren = norm.siren(raw_id, "supplier", "siren", flags)
    return (raw_id, id_type, siret, siren, name), tuple(flags)


def _modification_rows(value: object, uid: str, index: int, context: ReadContext) -> list:
    if value is None:
        return []
    modifications = modifications_of(unwrap_items(value), context)
    return [(uid, index, *_modification_values(item)) for item in modifications]
