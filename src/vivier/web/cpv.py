"""CPV autocomplete over the CPV 2008 nomenclature: by code prefix or by words of the label."""

from __future__ import annotations

from functools import cache

from vivier.reference import cpv_table
from vivier.warehouse.web import fold, search_terms


@cache
def folded_labels() -> list[tuple[str, str, str]]:
    """(code, French label, folded label), general codes first."""
    entries = sorted(cpv_table().values(), key=lambda e: (e.significant_digits, e.code))
    return [(entry.code, entry.label_fr, fold(entry.label_fr)) for entry in entries]


def suggest_cpv(text: str, limit: int = 10) -> list[dict[str, str]]:
    """CPV codes whose code starts with the digits typed, or whose label has every word."""
    text = (text or "").strip()
    if not text:
        return []
    digits = text.replace(" ", "").replace("-", "")
    if digits.isdigit():
        found = [(c, label) for c, label, _ in folded_labels() if c.startswith(digits[:8])]
    else:
        terms = search_terms(text)
        if not terms:
            return []
        found = [(c, label) for c, label, low in folded_labels() if all(t in low for t in terms)]
    return [{"code": code, "label": label} for code, label in found[:limit]]
