"""French text normalisation for matching: accent folding, stop words, Snowball stemming.

`analyse(text)` is the one function the lexical index and the queries both use, so a
query without accents ("equipement medical") meets a description with accents.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_STEMMER = Stemmer.Stemmer("french")

# French stop words (folded), plus procurement boilerplate that says nothing of the need.
STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cette",
        "cet",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "ils",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "m",
        "n",
        "s",
        "t",
        "y",
        "ete",
        "etre",
        "est",
        "sont",
        "a",
        "ont",
        "avoir",
        "fait",
        "faire",
        "plus",
        "moins",
        "tres",
        "tout",
        "tous",
        "toute",
        "toutes",
        "autre",
        "autres",
        "comme",
        "entre",
        "sans",
        "sous",
        "vers",
        "chez",
        "ainsi",
        "afin",
        "dont",
        "lors",
        "selon",
        "cela",
        "ceci",
        "celui",
        "celle",
        "ceux",
        "ici",
        "deja",
        "aussi",
        "bien",
        "peu",
        "non",
        "oui",
        "si",
        "car",
        "donc",
        "or",
        "ni",
        "soit",
        "alors",
        "apres",
        "avant",
        "depuis",
        "pendant",
        "notamment",
        "etc",
        "the",
        "of",
        "and",
        "for",
        "to",
        "in",
        "on",
        "with",
        "by",
        "an",
        "is",
        "are",
        "be",
        "this",
        "that",
        "from",
        "at",
        "as",
        "or",
        "marche",
        "marches",
        "lot",
        "lots",
        "accord",
        "cadre",
        "prestation",
        "prestations",
        "fourniture",
        "fournitures",
        "relatif",
        "relative",
        "relatifs",
        "relatives",
        "concernant",
        "objet",
        "mise",
        "place",
        "besoin",
        "besoins",
        "cherchons",
        "recherchons",
        "souhaitons",
        "voudrions",
        "serait",
        "nouveau",
        "nouvelle",
        "nouveaux",
        "nouvelles",
        "2016",
        "2017",
        "2018",
        "2019",
        "2020",
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
        "2026",
    ]
)

# A few frequent English words: a query made mostly of them is flagged as English.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "for",
        "to",
        "in",
        "with",
        "by",
        "is",
        "are",
        "be",
        "this",
        "that",
        "from",
        "at",
        "we",
        "need",
        "looking",
        "our",
        "software",
        "company",
        "companies",
        "supply",
        "supplies",
        "service",
        "services",
        "platform",
        "solution",
        "solutions",
        "data",
        "management",
        "cleaning",
        "building",
        "buildings",
        "hospital",
        "tool",
        "tools",
        "device",
        "devices",
        "system",
        "systems",
    ]
)


def fold(text: str) -> str:
    """Lower case without accents; the replacement character of garbled files becomes 'e'
    (in French, the letter a broken encoding most often lost is an accented e)."""
    text = text.replace("\ufffd", "e").replace("œ", "oe").replace("Œ", "oe").lower()
    if text.isascii():
        return text
    # decomposed accents are dropped with every other non-ASCII character (never a letter
    # of a French word once accents are split off)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """Folded words, stop words and one-letter words removed (not stemmed)."""
    return [w for w in _WORD.findall(fold(text or "")) if len(w) > 1 and w not in STOP_WORDS]


def analyse(text: str) -> list[str]:
    """The terms of a text: folded, stop words removed, stemmed."""
    return [stem(word) for word in words(text)]


def looks_english(text: str) -> bool:
    """True when most common words of the text are English ones."""
    tokens = _WORD.findall(fold(text or ""))
    if len(tokens) < 3:
        return False
    english = sum(1 for token in tokens if token in ENGLISH_WORDS)
    french = sum(1 for token in tokens if token in STOP_WORDS and token not in ENGLISH_WORDS)
    return english >= 2 and english > 2 * french


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text or "") if part and part.strip()]


def best_passage(text: str, query_terms: set[str], width: int = 160) -> str | None:
    """The sentence of `text` sharing most terms with the query, shortened around them."""
    best, best_hits = None, 0
    for sentence in sentences(text):
        hits = len(query_terms.intersection(analyse(sentence)))
        if hits > best_hits:
            best, best_hits = sentence, hits
    if best is None:
        return None
    return best if len(best) <= width else best[: width - 1].rstrip() + "…"
