"""Resolution of company names (Next40/120 lists) to a SIREN: exact, then fuzzy.

An exact match on the normalised name that designates one SIREN is assigned with
confidence 1.0; a fuzzy match is assigned only when its score reaches `ASSIGN_SCORE` and
clearly beats any other SIREN (confidence = score / 100). Everything else — several
SIRENs for one name, weak scores, no candidate — goes to the review file, never assigned.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

ASSIGN_SCORE = 92.0
MARGIN = 5.0
CANDIDATE_SCORE = 70.0
_LEGAL_FORMS = re.compile(r"\b(SAS|SASU|SA|SARL|EURL|SE|SCOP|SNC|GROUPE|GROUP|FRANCE)\b")
_BRACKETS = re.compile(r"\((?:EX[- ]|ANCIENNEMENT)[^)]*\)")


@dataclass
class Resolution:
    name: str
    status: str  # 'exact' | 'fuzzy' | 'ambiguous' | 'weak' | 'unknown'
    siren: str | None = None
    matched_name: str | None = None
    confidence: float = 0.0
    candidates: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def assigned(self) -> bool:
        return self.siren is not None


def normalise_name(name: str) -> str:
    """Upper case, no accents, no former name in brackets, no legal form, no punctuation."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    text = "".join(char for char in decomposed if not unicodedata.combining(char)).upper()
    text = _BRACKETS.sub(" ", text).replace("&", " ET ")
    text = re.sub(r"[^A-Z0-9]+", " ", text)
    text = _LEGAL_FORMS.sub(" ", text)
    return " ".join(text.split())


def name_prefixes(name: str, length: int = 4) -> set[str]:
    """Search prefixes of a name: the start of its first word (and of the second one when
    the first is shorter than 3 letters). Fuzzy candidates must have a word starting so."""
    words = normalise_name(name).split()
    chosen = words[:2] if words and len(words[0]) < 3 else words[:1]
    return {word[:length] for word in chosen}


def search_prefixes(names: list[str]) -> set[str]:
    return {prefix for name in names for prefix in name_prefixes(name)}


class NameIndex:
    """Known (SIREN, name) pairs indexed by normalised name and by word prefix."""

    def __init__(self, known: list[tuple[str, str]], prefixes: set[str]):
        self.by_name: dict[str, dict[str, str]] = defaultdict(dict)
        self.by_prefix: dict[str, set[str]] = defaultdict(set)
        sizes = {len(prefix) for prefix in prefixes}
        for siren, name in known:
            key = normalise_name(name)
            if not key:
                continue
            self.by_name[key][siren] = name
            for word in key.split():
                for size in sizes:
                    if word[:size] in prefixes:
                        self.by_prefix[word[:size]].add(key)

    def resolve(self, name: str) -> Resolution:
        key = normalise_name(name)
        exact = self.by_name.get(key, {})
        if len(exact) == 1:
            ((siren, matched),) = exact.items()
            return Resolution(name, "exact", siren, matched, 1.0)
        if len(exact) > 1:
            candidates = [(siren, known, 100.0) for siren, known in exact.items()]
            return Resolution(name, "ambiguous", candidates=candidates)
        return self._fuzzy(name, key)

    def _fuzzy(self, name: str, key: str) -> Resolution:
        choices = sorted(set().union(*(self.by_prefix[p] for p in name_prefixes(name))))
        if not key or not choices:
            return Resolution(name, "unknown")
        found = process.extract(
            key, choices, scorer=fuzz.token_sort_ratio, limit=5, score_cutoff=CANDIDATE_SCORE
        )
        candidates = [
            (siren, known, float(score))
            for matched_key, score, _ in found
            for siren, known in self.by_name[matched_key].items()
        ]
        if not candidates:
            return Resolution(name, "unknown")
        best_siren, best_name, best = candidates[0]
        rivals = [score for siren, _, score in candidates[1:] if siren != best_siren]
        clear = not rivals or rivals[0] <= best - MARGIN
        if best >= ASSIGN_SCORE and clear:
            return Resolution(name, "fuzzy", best_siren, best_name, best / 100, candidates)
        status = "ambiguous" if best >= ASSIGN_SCORE else "weak"
        return Resolution(name, status, candidates=candidates)
