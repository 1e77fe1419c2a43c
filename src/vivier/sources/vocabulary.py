"""One procedure vocabulary for the DECP 2019 and 2024 labels (and the tabular/OCDS copies).

`procedure_code(label)` maps a published label to a stable code; `PROCEDURE_LABELS` gives
the French label of each code. Matching ignores case, accents, punctuation and garbled
accents (U+FFFD), so 'Proc\ufffddure adapt\ufffde' is still 'adapted'.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

PROCEDURE_LABELS: dict[str, str] = {
    "adapted": "Procédure adaptée",
    "open": "Appel d'offres ouvert",
    "restricted": "Appel d'offres restreint",
    "negotiated": "Procédure avec négociation",
    "without_competition": "Marché sans publicité ni mise en concurrence préalable",
    "competitive_dialogue": "Dialogue compétitif",
    "design_contest": "Concours",
    "concession_negotiated_open": "Procédure négociée ouverte (concession)",
    "concession_negotiated_restricted": "Procédure négociée restreinte (concession)",
    "concession_non_negotiated_open": "Procédure non négociée ouverte (concession)",
    "concession_non_negotiated_restricted": "Procédure non négociée restreinte (concession)",
}

# Published labels (2019 decree, 2024 schema, consolidated files) → code.
_LABELS: dict[str, str] = {
    "Procédure adaptée": "adapted",
    "MAPA": "adapted",
    "Appel d'offres ouvert": "open",
    "Appel d'offres restreint": "restricted",
    "Procédure avec négociation": "negotiated",
    "Procédure concurrentielle avec négociation": "negotiated",
    "Procédure négociée avec mise en concurrence préalable": "negotiated",
    "Marché négocié sans publicité ni mise en concurrence préalable": "without_competition",
    "Marché public négocié sans publicité ni mise en concurrence préalable": (
        "without_competition"
    ),
    "Marché passé sans publicité ni mise en concurrence préalable": "without_competition",
    "Procédure négociée sans publicité ni mise en concurrence préalable": ("without_competition"),
    "Dialogue compétitif": "competitive_dialogue",
    "Concours": "design_contest",
    "Procédure négociée ouverte": "concession_negotiated_open",
    "Procédure négociée restreinte": "concession_negotiated_restricted",
    "Procédure non négociée ouverte": "concession_non_negotiated_open",
    "Procédure non négociée restreinte": "concession_non_negotiated_restricted",
}

_NOT_LETTERS = re.compile(r"[^a-z]")


def _key(label: str) -> str:
    """Lower-case ASCII letters only; 'e' dropped so that garbled 'é' (U+FFFD) still matches."""
    text = unicodedata.normalize("NFKD", label.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NOT_LETTERS.sub("", text).replace("e", "")


_BY_KEY: dict[str, str] = {_key(label): code for label, code in _LABELS.items()}


@lru_cache(maxsize=4096)
def procedure_code(label: str | None) -> str | None:
    """The vocabulary code of a published procedure label, or None when unknown."""
    if not label:
        return None
    return _BY_KEY.get(_key(label))
