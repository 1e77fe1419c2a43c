"""Name resolution of Next40/120 lists: exact, fuzzy with a margin, never ambiguous."""

from __future__ import annotations

from vivier.startups.names import NameIndex, name_prefixes, normalise_name, search_prefixes

KNOWN = [
    ("514582444", "SIGFOX"),
    ("500486915", "LEMON WAY"),
    ("901723403", "GANYMEDE"),
    ("940221229", "GANYMEDE"),
    ("829348747", "HIRAKLIS"),
    ("111111118", "DATA CONSEIL"),
    ("222222226", "DATA CONSEILS"),
]


def _index(names: list[str]) -> NameIndex:
    return NameIndex(KNOWN, search_prefixes(names))


def test_normalise_name():
    assert normalise_name("Swile (ex-Lunchr) SAS") == "SWILE"
    assert normalise_name("Alice & Bob") == "ALICE ET BOB"
    assert normalise_name("Évolis France") == "EVOLIS"
    assert name_prefixes("AB Tasty") == {"AB", "TAST"}


def test_exact_fuzzy_ambiguous_weak():
    names = ["Sigfox", "Lemonway", "Ganymede", "Mirakl", "Data Conseil", "Inconnue"]
    index = _index(names)
    exact = index.resolve("Sigfox SA")
    assert (exact.status, exact.siren, exact.confidence) == ("exact", "514582444", 1.0)
    fuzzy = index.resolve("Lemonway")
    assert fuzzy.status == "fuzzy" and fuzzy.siren == "500486915"
    assert 0.92 <= fuzzy.confidence < 1.0
    shared = index.resolve("Ganymede")
    assert shared.status == "ambiguous" and shared.siren is None
    assert {siren for siren, _, _ in shared.candidates} == {"901723403", "940221229"}
    weak = index.resolve("Mirakl")
    assert weak.status in ("weak", "unknown") and not weak.assigned
    assert index.resolve("Inconnue").status == "unknown"


def test_close_rivals_are_not_assigned():
    index = _index(["Data Conseilz"])
    result = index.resolve("Data Conseilz")  # as close to both known names
    assert result.status == "ambiguous" and not result.assigned
