"""Start-ups proposed for a need by the matching engine (`vivier.match`), behind one seam."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from vivier.appdb.census import Need
from vivier.config import Settings
from vivier.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Proposal:
    siren: str
    name: str
    score: float | None = None
    reasons: list[str] = field(default_factory=list)


def load_engine(settings: Settings):
    """The matching engine over the warehouse (`MatchEngine.load`)."""
    try:
        from vivier.match import MatchEngine
    except ImportError:
        raise ConfigError(
            "Le moteur de mise en relation n'est pas disponible : "
            "lancez d'abord `vivier demo` ou l'ingestion des données."
        ) from None
    return MatchEngine.load(settings)


def propose_startups(settings: Settings, need: Need, k: int = 10) -> list[Proposal]:
    """The engine's ranked start-ups for this need's text, CPV codes and region."""
    engine = load_engine(settings)
    text = f"{need.title}\n{need.description}".strip()
    matches = engine.need_to_startups(
        text, cpv=tuple(need.cpv_codes or ()), region=need.region, k=k
    )
    return [
        Proposal(
            siren=str(match.id),
            name=str(match.name or ""),
            score=float(match.score) if match.score is not None else None,
            reasons=[_reason_text(reason) for reason in (match.reasons or [])],
        )
        for match in matches
    ]


def _reason_text(reason: object) -> str:
    for attribute in ("text", "label", "message"):
        value = getattr(reason, attribute, None)
        if isinstance(value, str):
            return value
    return str(reason)


@dataclass(frozen=True)
class NeedFit:
    """A published need as a start-up sees it: whether the Mission listed it, whether it
    said it is interested, and how well the need fits its activity (engine score)."""

    need: Need
    on_list: bool
    interested: bool
    score: float | None = None
    reasons: list[str] = field(default_factory=list)


def fit_scores(settings: Settings, siren: str | None, needs: list[Need]) -> dict[int, Proposal]:
    """The engine's ranking of `needs` for the start-up's profile (its description and the
    CPV codes of its past contracts); empty when the engine or the SIREN is unknown."""
    if not siren or not needs:
        return {}
    try:
        engine = load_engine(settings)
        profile, codes = engine.startup_profile(siren, None)
        documents = [
            {"id": n.id, "text": f"{n.title}\n{n.description}", "cpv": n.cpv_codes, "name": n.title}
            for n in needs
        ]
        ranked = engine.rank_texts(profile, codes, documents, k=len(documents))
    except Exception as error:  # no engine, unknown SIREN: the needs are shown unranked
        log.info("no fit scores for %s: %s", siren, error)
        return {}
    return {
        int(match.id): Proposal(str(match.id), match.name, float(match.score), list(match.reasons))
        for match in ranked
    }


def needs_for_startup(session, settings: Settings, actor) -> list[NeedFit]:
    """Published needs for a start-up: those whose list names it first, then those that
    fit its activity best, then the others (newest first)."""
    from vivier.needs.curation import needs_for_startup as published_needs

    rows = published_needs(session, actor)
    fits = fit_scores(settings, actor.siren, [need for need, _, _ in rows])
    views = []
    for need, listed, interested in rows:
        fit = fits.get(need.id)
        score, reasons = (fit.score, fit.reasons) if fit else (None, [])
        views.append(NeedFit(need, listed, interested, score, reasons))
    return sorted(views, key=lambda view: (not view.on_list, -(view.score or 0), -view.need.id))
