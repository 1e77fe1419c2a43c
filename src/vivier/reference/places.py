"""French places: NUTS codes and départements mapped to regions (INSEE region codes).

Tender notices give a NUTS code (TED) or a département (BOAMP); saved searches filter on
regions. Both NUTS 2016/2021 (FR1, FRB...FRM, FRY) and NUTS 2010 (FR2...FR9) codes map.
"""

from __future__ import annotations

import unicodedata

from vivier.reference import labels

# NUTS (prefix) → INSEE region code. Longest prefix wins.
NUTS_TO_REGION: dict[str, str] = {
    "FR1": "11",
    "FRB": "24",
    "FRC": "27",
    "FRD": "28",
    "FRE": "32",
    "FRF": "44",
    "FRG": "52",
    "FRH": "53",
    "FRI": "75",
    "FRJ": "76",
    "FRK": "84",
    "FRL": "93",
    "FRM": "94",
    "FRY1": "01",
    "FRY2": "02",
    "FRY3": "03",
    "FRY4": "04",
    "FRY5": "06",
    # NUTS 2010
    "FR21": "44",
    "FR22": "32",
    "FR23": "28",
    "FR24": "24",
    "FR25": "28",
    "FR26": "27",
    "FR30": "32",
    "FR41": "44",
    "FR42": "44",
    "FR43": "27",
    "FR51": "52",
    "FR52": "53",
    "FR53": "75",
    "FR61": "75",
    "FR62": "76",
    "FR63": "75",
    "FR71": "84",
    "FR72": "84",
    "FR81": "76",
    "FR82": "93",
    "FR83": "94",
    "FR91": "01",
    "FR92": "02",
    "FR93": "03",
    "FR94": "04",
}

# Département → INSEE region code.
_REGION_DEPARTEMENTS: dict[str, str] = {
    "11": "75 77 78 91 92 93 94 95",
    "24": "18 28 36 37 41 45",
    "27": "21 25 39 58 70 71 89 90",
    "28": "14 27 50 61 76",
    "32": "02 59 60 62 80",
    "44": "08 10 51 52 54 55 57 67 68 88",
    "52": "44 49 53 72 85",
    "53": "22 29 35 56",
    "75": "16 17 19 23 24 33 40 47 64 79 86 87",
    "76": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "84": "01 03 07 15 26 38 42 43 63 69 73 74",
    "93": "04 05 06 13 83 84",
    "94": "2A 2B 20",
    "01": "971",
    "02": "972",
    "03": "973",
    "04": "974",
    "06": "976",
}
DEPARTEMENT_TO_REGION: dict[str, str] = {
    dep: region for region, deps in _REGION_DEPARTEMENTS.items() for dep in deps.split()
}


def region_of_nuts(nuts: str | None) -> str | None:
    """The INSEE region code of a French NUTS code (any level), or None."""
    code = (nuts or "").strip().upper()
    for length in (4, 3):
        region = NUTS_TO_REGION.get(code[:length])
        if region and len(code) >= length:
            return region
    return None


def region_of_departement(departement: str | None) -> str | None:
    code = (departement or "").strip().upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    return DEPARTEMENT_TO_REGION.get(code) or DEPARTEMENT_TO_REGION.get(code[:3])


def fold(text: str) -> str:
    """Lower case, accents removed ('Île-de-France' → 'ile-de-france')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def region_code(raw: str) -> str | None:
    """A region given by INSEE code ('11') or by name ('Île-de-France', 'bretagne')."""
    text = raw.strip()
    names = labels("regions")
    if text in names:
        return text
    if text.isdigit() and len(text) == 1 and "0" + text in names:
        return "0" + text
    folded = fold(text)
    for code, name in names.items():
        if fold(name) == folded:
            return code
    return None


def region_name(code: str | None) -> str | None:
    return labels("regions").get(code or "")
