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
_PROCEDURES = norm._Memo()
_SIRETS, _CPVS, _DATES = norm._SIRETS, norm._CPVS, norm._DATES  # the memos of `normalise`
_PLACEHOLDER_FLOOR = 999_999  # `norm.amount` flags no plain number below this (and > 0)


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
    """The loader rows of one record, or None for the general path. The common cases of
    the `normalise` functions are inlined here (memo lookups, plain strings and numbers):
    this runs once per record of multi-GB files; anything unusual calls them."""
    get = record.get
    contract_id = (v.strip() or None) if (v := get("id")).__class__ is str else _text(v)
    buyer = get("acheteur")
    if buyer.__class__ is not dict:
        buyer = get("autoriteConcedante")
        if buyer.__class__ is not dict:
            return None
    buyer_raw = (v.strip() or None) if (v := buyer.get("id")).__class__ is str else _text(v)
    if contract_id is None or buyer_raw is None:
        return None  # a reject: the general path words it
    if kind is None:
        kind = _kind(record, kind)
    flags: list[Flag] = []
    buyer_siret, buyer_siren, reason = _SIRETS.get(buyer_raw) or norm.siret_checked(buyer_raw)
    if reason:
        flags.append(Flag("contract", "buyer_siret", reason, buyer_raw))
    cpv_raw, cpv = _cpv(get("codeCPV"), flags, kind == "marche")
    procedure_raw, procedure, procedure_flags = _procedure(get("procedure"))
    if procedure_flags:
        flags += procedure_flags
    amount_raw, amount = _amount(
        v if (v := get("montant", _MISSING)) is not _MISSING else get("valeurGlobale"),
        flags,
        context,
    )
    notified_raw = get("dateNotification", _MISSING)
    if notified_raw is _MISSING:
        notified_raw = get("dateSignature")
    notified = _day(notified_raw, "notification_date", flags, context, True)
    published = _day(get("datePublicationDonnees"), "publication_date", flags, context, False)
    notified_text = (
        (notified_raw.strip() or None) if notified_raw.__class__ is str else _text(notified_raw)
    )
    if notified and published and notified > published:
        flags.append(
            Flag("contract", "notification_date", "notified_after_publication", notified_text)
        )
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
        _checked_text(buyer.get("nom"), "buyer_name", flags),
        (v.strip() or None) if (v := get("nature")).__class__ is str else _text(v),
        _checked_text(get("objet"), "object", flags),
        cpv_raw,
        cpv,
        procedure_raw,
        procedure,
        amount_raw,
        amount,
        (v.strip() or None) if (v := get("formePrix")).__class__ is str else _text(v),
        _number(get("dureeMois"), flags),
        notified_text,
        notified,
        published,
        (v.strip() or None) if (v := place.get("code")).__class__ is str else _text(v),
        (v.strip() or None) if (v := place.get("typeCode")).__class__ is str else _text(v),
        _boolean(get("marcheInnovant"), flags),
        _integer(get("offresRecues"), flags),
        _text(get("source")) or source,
        index,
    )
    modifications = get("modifications")
    return Rows(
        contract,
        suppliers,
        [] if modifications is None else _modification_rows(modifications, uid, index, context),
        [(uid, index, f.entity, f.field, f.reason, f.raw_value) for f in flags] if flags else [],
    )


def _boolean(value: object, flags: list[Flag]) -> bool | None:
    return value if value.__class__ is bool else norm.boolean(value, "innovative", flags)


def _integer(value: object, flags: list[Flag]) -> int | None:
    if value.__class__ is int and -(2**31) < value < 2**31:
        return value
    return norm.integer(value, "offers_received", flags)


def _checked_text(value: object, field_name: str, flags: list[Flag]) -> str | None:
    """`norm.check_text` for a contract field."""
    if value.__class__ is str:
        value = value.strip() or None
        if value is not None and norm.GARBLED in value:
            flags.append(Flag("contract", field_name, "text_garbled", value))
        return value
    return norm.check_text(value, "contract", field_name, flags)


def _cpv(value: object, flags: list[Flag], required: bool) -> tuple[str | None, str | None]:
    """`norm.cpv`, with its memo looked up first (a memo key is a stripped raw code)."""
    found = _CPVS.get(value) if value.__class__ is str else None
    if found is None:
        return norm.cpv(value, flags, required=required)
    if found[1]:
        flags.append(Flag("contract", "cpv", found[1], value))
    return value, found[0]


def _procedure(value: object) -> tuple[str | None, str | None, tuple[Flag, ...]]:
    """(raw, vocabulary code, flags) of a published procedure label, memoised."""
    found = _PROCEDURES.get(value) if value.__class__ is str else None
    if found is None:
        flags: list[Flag] = []
        raw = norm.check_text(value, "contract", "procedure", flags)
        code = procedure_code(raw)
        if raw and code is None:
            flags.append(Flag("contract", "procedure", "procedure_unknown", raw))
        found = (raw, code, tuple(flags))
        if value.__class__ is str:
            _PROCEDURES.put(value, found)
    return found


def _amount(value: object, flags: list[Flag], context: ReadContext):
    """`norm.amount` ("amount"), plain numbers below every flag's bound inlined."""
    if (value.__class__ is float or value.__class__ is int) and 0 < value < min(
        _PLACEHOLDER_FLOOR, context.absurd_amount
    ):
        return str(value), float(value)
    return norm.amount(value, "amount", flags, context)


def _day(value, field_name: str, flags: list[Flag], context: ReadContext, required: bool):
    """`norm.day`, with its memo of valid dates looked up first."""
    found = _DATES.get(value) if value.__class__ is str else None
    if found is not None and found[1] is None and found[0].year <= context.max_year:
        return found[0]
    return norm.day(value, field_name, flags, context, required=required)


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
        try:  # a hit is a key of texts (no other value equals a text)
            found = _SUPPLIERS.get(key)
        except TypeError:  # unhashable values: the general path below words them
            found = None
        if found is None:
            found = _supplier(*key)
            if _TEXTS.issuperset(map(type, key)):
                _SUPPLIERS.put(key, found)
        rows.append((uid, index, position, *found[0]))
        if found[1]:
            flags += found[1]
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
