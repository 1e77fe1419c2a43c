"""Regions: INSEE region codes (2016), from a département code or a place of execution."""

from __future__ import annotations

from functools import lru_cache

from vivier.errors import BadValueError
from vivier.reference import labels

_REGION_DEPARTEMENTS = {
    "84": "01 03 07 15 26 38 42 43 63 69 73 74",
    "27": "21 25 39 58 70 71 89 90",
    "53": "22 29 35 56",
    "24": "18 28 36 37 41 45",
    "94": "2A 2B 20",
    "44": "08 10 51 52 54 55 57 67 68 88",
    "32": "02 59 60 62 80",
    "11": "75 77 78 91 92 93 94 95",
    "28": "14 27 50 61 76",
    "75": "16 17 19 23 24 33 40 47 64 79 86 87",
    "76": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "52": "44 49 53 72 85",
    "93": "04 05 06 13 83 84",
    "01": "971",
    "02": "972",
    "03": "973",
    "04": "974",
    "06": "976",
}
DEPARTEMENT_REGION = {
    dep: region for region, deps in _REGION_DEPARTEMENTS.items() for dep in deps.split()
}


@lru_cache(maxsize=100_000)
def region_of_place(code: str | None) -> str | None:
    """Region of a place code: a département ('75', '2A', '974'), a postcode or commune code
    ('75013', '97411'), or a region code given as 'R84'."""
    text = (code or "").strip().upper()
    if not text:
        return None
    if text.startswith("R") and text[1:] in labels("regions"):
        return text[1:]
    if text[:3] in DEPARTEMENT_REGION and text.startswith("97"):
        return DEPARTEMENT_REGION[text[:3]]
    if text[:2] in DEPARTEMENT_REGION and (len(text) in (2, 5) or not text.isdigit()):
        return DEPARTEMENT_REGION[text[:2]]
    return None


def normalise_region(raw: str | None) -> str | None:
    """A user-given region: its INSEE code ('84', 'R84') or its name ('Bretagne')."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    names = labels("regions")
    code = text[1:] if text.upper().startswith("R") and text[1:] in names else text
    if code in names:
        return code
    from vivier.match.text import fold

    for key, name in names.items():
        if fold(name) == fold(text):
            return key
    raise BadValueError(
        f"Région inconnue : « {raw} ». Donnez un code INSEE de région (par exemple 84 ou "
        "R84 pour Auvergne-Rhône-Alpes) ou son nom."
    )


def region_name(code: str | None) -> str | None:
    return labels("regions").get(code or "")
