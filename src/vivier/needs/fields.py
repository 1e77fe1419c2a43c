"""Validation of a need's fields, shared by the API, the forms and the spreadsheet import.

Values arrive as text (forms, CSV cells) or as JSON values; each is checked and normalised,
or refused with a French message naming the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from vivier.codes import normalise_cpv
from vivier.errors import BadValueError
from vivier.reference import cpv_known, labels

FIELDS = (
    "title",
    "description",
    "cpv_codes",
    "place",
    "region",
    "budget_min",
    "budget_max",
    "expected_date",
    "confidential",
)
_TRUE = {"1", "true", "vrai", "oui", "yes", "on", "x"}
_FALSE = {"", "0", "false", "faux", "non", "no", "off"}
_SPLIT = re.compile(r"[,;\s|]+")


def clean_need_fields(raw: dict, partial: bool = False) -> dict:
    """Checked values for the fields present in `raw` (all of them unless `partial`)."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise BadValueError(f"Champ(s) inconnu(s) : {', '.join(unknown)}.")
    keys = [key for key in FIELDS if key in raw] if partial else list(FIELDS)
    cleaned = {key: _CLEANERS[key](raw.get(key)) for key in keys}
    low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
    if low is not None and high is not None and low > high:
        raise BadValueError("Budget : le minimum dépasse le maximum.")
    return cleaned


def _title(value: object) -> str:
    text = str(value or "").strip()
    if not text:
        raise BadValueError("Titre : obligatoire.")
    if len(text) > 300:
        raise BadValueError("Titre : 300 caractères au plus.")
    return text


def _text(value: object) -> str:
    return str(value or "").strip()


def _place(value: object) -> str:
    return str(value or "").strip()[:200]


def cpv_list(value: object) -> list[str]:
    items = value if isinstance(value, list | tuple) else _SPLIT.split(str(value or ""))
    codes: list[str] = []
    for item in items:
        if not str(item).strip():
            continue
        checked = normalise_cpv(item)
        if not checked.ok or not cpv_known(checked.value):
            raise BadValueError(f"Code CPV inconnu : « {item} ».")
        if checked.value not in codes:
            codes.append(checked.value)
    return codes


def _region(value: object) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    regions = labels("regions")
    if text in regions:
        return text
    by_name = {name.lower(): code for code, name in regions.items()}
    if text.lower() in by_name:
        return by_name[text.lower()]
    raise BadValueError(f"Région inconnue : « {text} » (code INSEE ou nom attendu).")


def _amount(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadValueError(f"Budget invalide : « {value} ».")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        text = text.replace("€", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise BadValueError(f"Budget invalide : « {value} ».") from None
    if number < 0 or number != number or number == float("inf"):
        raise BadValueError(f"Budget invalide : « {value} ».")
    return number


def parse_date(value: object) -> date | None:
    if value is None or isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m", "%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise BadValueError(f"Date invalide : « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA).")


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValueError(f"Confidentialité : « {value} » n'est ni oui ni non.")


_CLEANERS = {
    "title": _title,
    "description": _text,
    "cpv_codes": cpv_list,
    "place": _place,
    "region": _region,
    "budget_min": _amount,
    "budget_max": _amount,
    "expected_date": parse_date,
    "confidential": _flag,
}
