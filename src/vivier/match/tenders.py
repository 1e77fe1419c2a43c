"""Start-up → open tenders: the lots a company should answer, ranked and explained.

The company's profile is what the warehouse knows of it (start-up lists: description and
domain; past awards: objects and CPV codes; region). The lots open on the reference date
are ranked by the matching engine (`MatchEngine.rank_texts`: BM25 over the lots' title and
description, CPV proximity) when its index exists (`vivier index`). Without an index they
are ranked here with the same helpers, on three signals in [0, 1]:

- text: BM25 of the profile's terms over the lot's title and description, divided by the
  best score and multiplied by min(1, shared distinct words / 3) (one shared word is weak
  evidence);
- cpv: the deepest CPV level shared with a code the company already won (code 1.0,
  category 0.8, class 0.6, group 0.4, division 0.2);
- region: 1 when the lot is in the company's region;

score = 0.6 × text + 0.3 × cpv + 0.1 × region; a lot needs a text or CPV signal (the
region alone does not rank it). Every result says why, in French, with its
deadline, estimated value and region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from vivier.codes import check_siren
from vivier.config import Settings
from vivier.errors import BadValueError, ConfigError, NotFound
from vivier.match.bm25 import BM25
from vivier.match.cpv import LEVEL_WEIGHTS, describe, prefixes
from vivier.match.engine import MatchEngine
from vivier.match.text import analyse, words
from vivier.reference.places import region_code, region_name
from vivier.warehouse import open_warehouse
from vivier.warehouse import tenders as tender_queries

WEIGHTS = {"text": 0.6, "cpv": 0.3, "region": 0.1}
FULL_OVERLAP = 3  # distinct profile words a lot must share for its full text score
MAX_LEVEL = max(LEVEL_WEIGHTS.values())


@dataclass
class TenderMatch:
    lot: dict
    score: float
    signals: dict[str, float]
    reasons: list[str] = field(default_factory=list)


@dataclass
class TenderRanking:
    siren: str
    name: str | None
    open_on: date
    candidates: int
    matches: list[TenderMatch]
    profile_terms: list[str]


def _checked_siren(raw: str) -> str:
    checked = check_siren(raw)
    if not checked.ok:
        raise BadValueError(
            f"SIREN invalide : « {raw} » (9 chiffres attendus, clé de contrôle comprise)."
        )
    return checked.value


def rank_tenders(
    settings: Settings, siren: str, open_on: date | None = None, limit: int = 20
) -> TenderRanking:
    """The lots open on `open_on` (default: today) best suited to the company `siren`."""
    siren = _checked_siren(siren)
    open_on = open_on or date.today()
    with open_warehouse(settings, read_only=True) as connection:
        profile = tender_queries.startup_profile(connection, siren)
        lots = tender_queries.list_tenders(connection, open_on, status="open")
    return rank_for_profile(siren, profile, lots, open_on, limit, _engine(settings))


def rank_for_profile(
    siren: str,
    profile: dict,
    lots: list[dict],
    open_on: date,
    limit: int,
    engine: MatchEngine | None = None,
) -> TenderRanking:
    """Rank already loaded open lots for a profile (`startup_profile`'s shape)."""
    text = " ".join(profile["texts"] + profile["objects"])
    if not text.strip() and not profile["cpvs"]:
        raise NotFound(
            f"Rien n'est connu de l'entreprise {siren} : ni description dans une liste de "
            "start-up, ni marché remporté. Chargez une liste (vivier startups) ou des "
            "données d'attribution (vivier ingest)."
        )
    terms = analyse(text)
    if engine is not None:
        matches = _rank_with_engine(engine, lots, text, profile, open_on, limit)
    else:
        matches = _rank_here(lots, text, terms, profile, open_on, limit)
    name = profile["names"][0] if profile["names"] else None
    return TenderRanking(siren, name, open_on, len(lots), matches, sorted(set(terms))[:30])


def _engine(settings: Settings) -> MatchEngine | None:
    """The matching engine when its index was built, else None (ranked here)."""
    try:
        return MatchEngine.load(settings)
    except ConfigError:
        return None


def _rank_with_engine(engine, lots, text, profile, open_on, limit) -> list[TenderMatch]:
    documents = [
        {
            "id": str(i),
            "text": f"{lot['title'] or ''} {lot['description'] or ''}",
            "cpv": _lot_codes(lot),
            "name": lot["title"],
        }
        for i, lot in enumerate(lots)
    ]
    home = region_code(profile["region"]) if profile["region"] else None
    out = []
    for match in engine.rank_texts(text, profile["cpvs"], documents, k=limit):
        lot = lots[int(match.id)]
        reasons = list(match.reasons)
        if home and lot["region"] == home:
            reasons.append(f"Dans votre région : {region_name(home)}.")
        reasons += _practical_reasons(lot, open_on)
        out.append(TenderMatch(lot, round(match.score, 4), dict(match.details), reasons))
    return out


def _rank_here(lots, text, terms, profile, open_on, limit) -> list[TenderMatch]:
    signals = _signals(lots, terms, profile)
    total = sum(WEIGHTS[name] * values for name, values in signals.items())
    evidence = (signals["text"] > 0) | (signals["cpv"] > 0)  # the region alone is not enough
    order = [int(i) for i in np.argsort(-total, kind="stable") if evidence[i]][:limit]
    query_words = _display_words(text)
    return [
        TenderMatch(
            lot=lots[i],
            score=round(float(total[i]), 4),
            signals={name: round(float(values[i]), 4) for name, values in signals.items()},
            reasons=_reasons(lots[i], query_words, profile, signals, i, open_on),
        )
        for i in order
    ]


def _signals(lots: list[dict], terms: list[str], profile: dict) -> dict[str, np.ndarray]:
    if not lots:
        empty = np.zeros(0, dtype=np.float32)
        return {"text": empty, "cpv": empty, "region": empty}
    documents = [analyse(f"{lot['title'] or ''} {lot['description'] or ''}") for lot in lots]
    text = BM25.build(documents).scores(terms) if terms else np.zeros(len(lots), np.float32)
    if text.max() > 0:
        # relative to the best lot, and damped while fewer than FULL_OVERLAP distinct
        # words of the profile occur: one shared word is weak evidence
        wanted = set(terms)
        overlap = np.array([len(wanted.intersection(doc)) for doc in documents])
        text = text / text.max() * np.minimum(1.0, overlap / FULL_OVERLAP)
    won = {prefix: len(prefix) for code in profile["cpvs"] for prefix in prefixes(code)}
    cpv = np.array([_cpv_level(lot, won)[0] for lot in lots], dtype=np.float32)
    home = region_code(profile["region"]) if profile["region"] else None
    region = np.array([1.0 if home and lot["region"] == home else 0.0 for lot in lots])
    return {"text": text, "cpv": cpv, "region": region}


def _lot_codes(lot: dict) -> list[str]:
    return [code for code in [lot["cpv"], *(lot["cpv_additional"] or "").split()] if code]


def _cpv_level(lot: dict, won: dict[str, int]) -> tuple[float, str | None]:
    """(score, shared prefix) of the deepest prefix shared with a code the company won."""
    best, shared = 0.0, None
    for code in _lot_codes(lot):
        for prefix in prefixes(code):
            if prefix in won and LEVEL_WEIGHTS[len(prefix)] / MAX_LEVEL > best:
                best, shared = LEVEL_WEIGHTS[len(prefix)] / MAX_LEVEL, prefix
    return best, shared


def _display_words(text: str) -> dict[str, str]:
    """Stem → the first word of the profile that gave it (to show words, not stems)."""
    shown: dict[str, str] = {}
    for word in words(text):
        shown.setdefault(analyse(word)[0] if analyse(word) else word, word)
    return shown


def _reasons(lot, query_words, profile, signals, i, open_on: date) -> list[str]:
    reasons = []
    lot_terms = set(analyse(f"{lot['title'] or ''} {lot['description'] or ''}"))
    common = [query_words[t] for t in query_words if t in lot_terms][:6]
    if common:
        reasons.append("Mots en commun avec votre profil : " + ", ".join(common) + ".")
    if signals["cpv"][i] > 0:
        won = {prefix: len(prefix) for code in profile["cpvs"] for prefix in prefixes(code)}
        _, shared = _cpv_level(lot, won)
        reasons.append(f"CPV proche de marchés que vous avez remportés : {describe(shared)}.")
    if signals["region"][i] > 0:
        reasons.append(f"Dans votre région : {region_name(lot['region'])}.")
    return reasons + _practical_reasons(lot, open_on)


def _practical_reasons(lot: dict, open_on: date) -> list[str]:
    """The deadline and the estimated value of a lot, in French."""
    reasons = []
    if lot["deadline"] is not None:
        days = (lot["deadline"].date() - open_on).days
        plural = "s" if days > 1 else ""
        when = f"{lot['deadline']:%d/%m/%Y à %H:%M}"
        reasons.append(f"Date limite : {when} (dans {days} jour{plural}).")
    if lot["estimated_value"]:
        reasons.append(f"Valeur estimée : {_euros(lot['estimated_value'], lot['currency'])}.")
    return reasons


def _euros(value: float, currency: str | None) -> str:
    text = f"{value:,.0f}".replace(",", "\u202f")
    return f"{text} {'€' if (currency or 'EUR') == 'EUR' else currency}"


def best_example(settings: Settings, reference: date, candidates: int = 100):
    """For a demonstration: among the first `candidates` described start-ups, the one whose
    best open lot on `reference` scores highest, with its ranking (None when none fits)."""
    best = None
    with open_warehouse(settings, read_only=True) as connection:
        lots = tender_queries.list_tenders(connection, reference, status="open")
        for siren in tender_queries.described_startups(connection, candidates):
            profile = tender_queries.startup_profile(connection, siren)
            ranking = rank_for_profile(siren, profile, lots, reference, 3)
            if ranking.matches and (
                best is None or ranking.matches[0].score > best.matches[0].score
            ):
                best = ranking
    return best
