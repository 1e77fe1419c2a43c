"""Start-ups proposed for a need by the matching engine (`vivier.match`), behind one seam."""

from __future__ import annotations

from dataclasses import dataclass, field

from vivier.appdb.census import Need
from vivier.config import Settings
from vivier.errors import ConfigError


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
