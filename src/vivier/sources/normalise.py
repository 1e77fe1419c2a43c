"""Shared normalisation of raw DECP values: amounts, dates, CPV, SIRET, texts.

Never a silent fix: each function returns the clean value (or None) and appends a
`Flag` with its reason to the list it is given when the raw value is suspicious.
Flag reasons are documented in docs/ingest.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vivier import codes
from vivier.models import Flag
from vivier.reference import cpv_table

GARBLED = "\ufffd"
MIN_YEAR = 1990  # DECP starts in 2018; older notification dates exist but not before this
MAX_FUTURE_YEARS = 1
_TRUE = {"true", "oui", "1", "vrai", "yes"}
_FALSE = {"false", "non", "0", "faux", "no"}


# Every flag reason, with its French explanation (shown by `vivier quality`).
FLAG_REASONS: dict[str, str] = {
    "amount_not_number": "montant qui n'est pas un nombre",
    "amount_not_positive": "montant nul ou négatif",
    "amount_absurd": "montant absurde (au-delà du plafond réglé)",
    "amount_placeholder": "montant de remplissage (999 999…)",
    "not_a_number": "valeur numérique illisible (durée, offres…)",
    "not_a_boolean": "valeur oui/non illisible",
    "date_missing": "date de notification absente",
    "date_malformed": "date illisible",
    "date_impossible": "date impossible (année hors limites)",
    "notified_after_publication": "notifié après la publication des données",
    "cpv_missing": "code CPV absent",
    "cpv_malformed": "code CPV mal formé",
    "cpv_unknown": "code CPV absent de la nomenclature CPV 2008",
    "siret_missing": "SIRET absent",
    "siret_not_digits": "SIRET avec des caractères non numériques",
    "siret_bad_length": "SIRET de longueur fausse",
    "siret_bad_checksum": "SIRET à la clé de contrôle (Luhn) fausse",
    "siret_placeholder": "SIRET fictif (que des zéros : « sans suite », « pas de candidat »)",
    "siren_missing": "SIREN absent",
    "siren_not_digits": "SIREN avec des caractères non numériques",
    "siren_bad_length": "SIREN de longueur fausse",
    "siren_bad_checksum": "SIREN à la clé de contrôle (Luhn) fausse",
    "siren_placeholder": "SIREN fictif (que des zéros)",
    "text_garbled": "texte aux accents détruits (U+FFFD)",
    "procedure_unknown": "procédure hors vocabulaire",
}


@dataclass(frozen=True)
class ReadContext:
    """What readers need from the settings (kept small so readers stay pure)."""

    absurd_amount: float = 1_000_000_000.0
    max_year: int = date.today().year + MAX_FUTURE_YEARS
    shard: int = 0  # read only records whose index % shards == shard (parallel ingest)
    shards: int = 1
    rows: bool = False  # DECP readers may yield loader rows (`decp_rows.Rows`), not Contracts

    def mine(self, index: int) -> bool:
        return self.shards == 1 or index % self.shards == self.shard


DEFAULT_CONTEXT = ReadContext()


CACHE_LIMIT = 500_000  # memoised values per kind (SIRETs, CPV codes, dates repeat a lot)


class _Memo(dict):
    """A dict cache emptied when it grows past CACHE_LIMIT (bounded memory)."""

    def put(self, key, value):
        if len(self) >= CACHE_LIMIT:
            self.clear()
        self[key] = value
        return value


_SIRETS = _Memo()
_CPVS = _Memo()
_DATES = _Memo()


def text(value: object) -> str | None:
    """A stripped string, or None for null/empty values."""
    if value.__class__ is str:
        value = value.strip()
        return value or None
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise TypeError("texte attendu, objet trouvé")
    return str(value)


def check_text(value: object, entity: str, field_name: str, flags: list[Flag]) -> str | None:
    """A text kept as published; flagged when it contains U+FFFD (garbled accents)."""
    clean = text(value)
    if clean is not None and GARBLED in clean:
        flags.append(Flag(entity, field_name, "text_garbled", clean))
    return clean


def _is_placeholder(amount: float) -> bool:
    whole = str(int(amount)) if amount < 1e15 else ""
    return len(whole) >= 6 and set(whole) == {"9"}


def parse_number(value: object) -> float | None:
    """A float from a JSON number or a French/English numeric string; raises ValueError."""
    kind = value.__class__
    if kind is float or kind is int:  # the common case (bool is not int's class)
        return float(value)
    if isinstance(value, bool):
        raise ValueError("booléen")
    if isinstance(value, int | float):
        return float(value)
    cleaned = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    number = float(cleaned)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("nombre non fini")
    return number


def amount(
    value: object, field_name: str, flags: list[Flag], context: ReadContext
) -> tuple[str | None, float | None]:
    """(raw, clean) amount excl. VAT; placeholders, absurd and non-positive amounts → None."""
    if value is None or value == "":
        return None, None
    raw = str(value)
    try:
        number = parse_number(value)
    except (ValueError, TypeError, OverflowError):
        flags.append(Flag("contract", field_name, "amount_not_number", raw))
        return raw, None
    if number <= 0:
        reason = "amount_not_positive"
    elif number >= context.absurd_amount:
        reason = "amount_absurd"
    elif number >= 999_999 and _is_placeholder(number):  # placeholders have 6+ nines
        reason = "amount_placeholder"
    else:
        return raw, number
    flags.append(Flag("contract", field_name, reason, raw))
    return raw, None


def number(value: object, field_name: str, flags: list[Flag], entity: str = "contract"):
    """A plain float (duration...), None when missing or not a number (flagged)."""
    if value is None or value == "":
        return None
    try:
        return parse_number(value)
    except (ValueError, TypeError, OverflowError):
        flags.append(Flag(entity, field_name, "not_a_number", str(value)))
        return None


def integer(value: object, field_name: str, flags: list[Flag]) -> int | None:
    if value.__class__ is int and -(2**31) < value < 2**31:  # the common case
        return value
    parsed = number(value, field_name, flags)
    if parsed is None:
        return None
    if parsed != int(parsed) or not -(2**31) < parsed < 2**31:
        flags.append(Flag("contract", field_name, "not_a_number", str(value)))
        return None
    return int(parsed)


def boolean(value: object, field_name: str, flags: list[Flag]) -> bool | None:
    if value.__class__ is bool:
        return value
    if value is None or value == "":
        return None
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    flags.append(Flag("contract", field_name, "not_a_boolean", str(value)))
    return None


def parse_date(value: object) -> date | None:
    """'2018-12-17', '2018-12-17+01:00', '2018-12-17T00:00:00Z' → date; raises ValueError."""
    raw = str(value).strip()
    if len(raw) < 10 or raw[4] != "-" or raw[7] != "-":
        raise ValueError(raw)
    return date(int(raw[0:4]), int(raw[5:7]), int(raw[8:10]))


def day(
    value: object,
    field_name: str,
    flags: list[Flag],
    context: ReadContext,
    entity: str = "contract",
    required: bool = False,
) -> date | None:
    """A date, None when missing (flagged if required), malformed or impossible."""
    if value is None or value == "":
        if required:
            flags.append(Flag(entity, field_name, "date_missing", None))
        return None
    found = _DATES.get(value) if value.__class__ is str else None
    if found is None:
        found = _check_day(value)
        if value.__class__ is str:
            _DATES.put(value, found)
    parsed, reason = found
    if parsed is not None and parsed.year > context.max_year:
        parsed, reason = None, "date_impossible"
    if reason:
        flags.append(Flag(entity, field_name, reason, str(value)))
    return parsed


def _check_day(value: object) -> tuple[date | None, str | None]:
    try:
        parsed = parse_date(value)
    except (ValueError, TypeError):
        return None, "date_malformed"
    if parsed.year < MIN_YEAR:
        return None, "date_impossible"
    return parsed, None


def cpv(value: object, flags: list[Flag], required: bool = True) -> tuple[str | None, str | None]:
    """(raw, clean) CPV: 8 digits, check digit stripped, leading zero restored, known code."""
    raw = text(value)
    if raw is None:
        if required:
            flags.append(Flag("contract", "cpv", "cpv_missing", None))
        return None, None
    found = _CPVS.get(raw)
    if found is None:
        found = _CPVS.put(raw, _check_cpv(raw))
    clean, reason = found
    if reason:
        flags.append(Flag("contract", "cpv", reason, raw))
    return raw, clean


def _check_cpv(raw: str) -> tuple[str | None, str | None]:
    checked = codes.normalise_cpv(raw)
    if not checked.ok:
        return None, checked.problem
    if checked.value not in cpv_table():
        return None, "cpv_unknown"
    return checked.value, None


def siret(
    value: object, entity: str, field_name: str, flags: list[Flag]
) -> tuple[str | None, str | None, str | None]:
    """(raw, valid SIRET or None, SIREN of a valid SIRET or None)."""
    raw = text(value)
    clean, siren_part, reason = siret_checked(raw)
    if reason:
        flags.append(Flag(entity, field_name, reason, raw))
    return raw, clean, siren_part


def siret_checked(raw: str | None) -> tuple[str | None, str | None, str | None]:
    """(valid SIRET or None, its SIREN or None, flag reason or None), memoised."""
    found = _SIRETS.get(raw)
    if found is None:
        found = _SIRETS.put(raw, _check_siret(raw))
    return found


def _check_siret(raw: str | None) -> tuple[str | None, str | None, str | None]:
    """`codes.check_siret` then `codes.siren_of`, inlined (no `Checked` objects: hot path)."""
    digits = str(raw or "").strip().replace(" ", "")
    if not digits:
        return None, None, "siret_missing"
    if not digits.isdigit():
        return None, None, "siret_not_digits"
    if len(digits) != 14:
        return None, None, "siret_bad_length"
    if not digits.strip("0"):
        return None, None, "siret_placeholder"
    if not _siret_checksum_ok(digits):
        return None, None, "siret_bad_checksum"
    head = digits[:9]
    return digits, head if head.strip("0") and _luhn_valid(head) else None, None


_DOUBLED = str.maketrans("0123456789", "0246813579")  # 2*d, minus 9 when above 9


def _luhn_valid(digits: str) -> bool:
    """`codes.luhn_valid`, faster on ASCII digits (the sum of their bytes)."""
    if not digits.isascii():
        return codes.luhn_valid(digits)
    both = digits[-1::-2] + digits[-2::-2].translate(_DOUBLED)
    return (sum(both.encode()) - 48 * len(both)) % 10 == 0


def _siret_checksum_ok(digits: str) -> bool:
    if digits.startswith(codes.LA_POSTE_SIREN):
        return codes.siret_checksum_ok(digits)
    return _luhn_valid(digits)


def siren(value: object, entity: str, field_name: str, flags: list[Flag]) -> str | None:
    checked = codes.check_siren(value)
    if not checked.ok:
        flags.append(Flag(entity, field_name, checked.problem, text(value)))
    return checked.value


def dates_in_order(
    notified: date | None, published: date | None, raw: str | None, flags: list[Flag]
) -> None:
    """Flag a contract notified after its data were published (the date is kept)."""
    if notified and published and notified > published:
        flags.append(Flag("contract", "notification_date", "notified_after_publication", raw))
