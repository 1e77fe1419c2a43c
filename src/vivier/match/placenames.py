"""The regions a company's name points to: « COLAS SUD OUEST », « EUROVIA ATLANTIQUE »,
« SAUR DIR REGIONALE SUD OUEST », « ENTREPRISE MAYENNE TP ».

Regional subsidiaries of national firms have little history of their own; their name
says where they work. Names are folded and cut into words, then matched, longest phrase
first, against the names of the départements and of the regions (current and pre-2016)
and the compass points used by the firms (nord-est, sud-ouest, centre-ouest, atlantique…).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from vivier.match.fusion import top_k
from vivier.match.region import DEPARTEMENT_REGION
from vivier.match.text import fold
from vivier.reference import labels

_WORD = re.compile(r"[a-z0-9]+")
# Département names that are also common words in company names.
_AMBIGUOUS = {"ain", "lot", "cher", "nord", "var", "manche", "somme", "centre"}
# Region names and the words firms use for their regions: phrase → INSEE region codes.
_REGIONS = {
    "ile de france": "11",
    "idf": "11",
    "paris": "11",
    "centre val de loire": "24",
    "val de loire": "24",
    "centre loire": "24",
    "loire ocean": "52",
    "loire anjou": "52",
    "bourgogne": "27",
    "franche comte": "27",
    "normandie": "28",
    "hauts de france": "32",
    "picardie": "32",
    "grand est": "44",
    "alsace": "44",
    "lorraine": "44",
    "champagne": "44",
    "ardenne": "44",
    "pays de la loire": "52",
    "pays de loire": "52",
    "bretagne": "53",
    "nouvelle aquitaine": "75",
    "aquitaine": "75",
    "limousin": "75",
    "poitou": "75",
    "charentes": "75",
    "occitanie": "76",
    "languedoc": "76",
    "roussillon": "76",
    "midi pyrenees": "76",
    "pyrenees": "75 76",
    "auvergne": "84",
    "rhone alpes": "84",
    "alpes": "84 93",
    "provence": "93",
    "cote d azur": "93",
    "mediterranee": "93 76",
    "corse": "94",
    "atlantique": "52 53 75",
    "atlantic": "52 53 75",
    "nord": "32",
    "nord est": "44",
    "nord ouest": "28 32",
    "est": "44 27",
    "ouest": "53 52 28",
    "centre ouest": "52 24 75",
    "centre est": "84 27",
    "sud ouest": "75 76",
    "sud est": "93 84",
    "sud": "75 76 93",
    "centre": "24",
}
_LONGEST = 4


@lru_cache(maxsize=1)
def _phrases() -> dict[tuple[str, ...], frozenset[str]]:
    out: dict[tuple[str, ...], set[str]] = {}
    for code, name in labels("departements").items():
        words = tuple(_WORD.findall(fold(name)))
        region = DEPARTEMENT_REGION.get(code)
        if region and words and " ".join(words) not in _AMBIGUOUS:
            out.setdefault(words, set()).add(region)
    for phrase, regions in _REGIONS.items():
        out.setdefault(tuple(phrase.split()), set()).update(regions.split())
    return {words: frozenset(regions) for words, regions in out.items()}


@lru_cache(maxsize=200_000)
def name_regions(name: str) -> frozenset[str]:
    """The INSEE codes of the regions named in a company's name (empty when none)."""
    words = _WORD.findall(fold(name or ""))
    phrases = _phrases()
    found: set[str] = set()
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            regions = phrases.get(tuple(words[i : i + size]))
            if regions and size == 1 and _a_facility(words, i):
                regions = None
            if regions:
                found |= regions
                i += size
                break
        else:
            i += 1
    return frozenset(found)


def _a_facility(words: list[str], i: int) -> bool:
    """« CENTRE DE FORMATION », « CENTRE D ANALYSES », « DATA CENTRE »: a place, not the
    region Centre."""
    if words[i] != "centre":
        return False
    after = words[i + 1] if i + 1 < len(words) else ""
    return after in ("de", "d", "du", "des") or (i > 0 and words[i - 1] == "data")


def named_after(names: Sequence[str], rows: np.ndarray, region: str | None) -> np.ndarray:
    """1 for the rows whose name names `region`, else 0."""
    if not region:
        return np.zeros(len(rows), dtype=np.float32)
    return np.array([region in name_regions(names[r]) for r in rows], dtype=np.float32)


def regional_subsidiaries(
    names: Sequence[str], region: str | None, group_scores: np.ndarray, depth: int = 2000
) -> np.ndarray:
    """The company-group signal kept for the subsidiaries named after `region` (among the
    `depth` best of the group signal): COLAS SUD OUEST rather than COLAS IDFN for roadworks
    in Corrèze, when neither has worked there yet."""
    out = np.zeros_like(group_scores)
    if not region or not len(group_scores):
        return out
    top = top_k(group_scores, depth)
    top = top[group_scores[top] > 0]
    keep = top[named_after(names, top, region) > 0]
    out[keep] = group_scores[keep]
    return out
