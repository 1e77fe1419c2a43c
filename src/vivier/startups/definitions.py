"""Versioned start-up definitions, read from TOML files (shipped ones or a user's path).

A definition is one of four kinds:
- `registry`: the SIREN is a member of an imported start-up list valid on the date;
- `criteria`: the company was created at most N years before the date, is a PME (or
  smaller), optionally with given legal categories, NAF codes or list labels;
- `any` / `all`: a combination of other definitions (by name).

`Definition.sql_condition` gives the set-based DuckDB expression (built by
`vivier.warehouse.startups`); `vivier.startups.verdict.explain` gives the same answer for
one SIREN with its reasons in French.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from vivier.errors import BadValueError, NotFound

KINDS = ("registry", "criteria", "any", "all")
# Headcount bands below 250 employees (INSEE « tranches d'effectifs »).
SMALL_HEADCOUNT_BANDS = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31")


@dataclass(frozen=True)
class Definition:
    """A named, versioned start-up definition."""

    name: str
    version: str
    description_fr: str
    kind: str
    labels: tuple[str, ...] = ()
    min_confidence: float = 0.9
    max_years_listed: int | None = None
    max_age_years: int | None = None
    size_categories: tuple[str, ...] = ("PME",)
    accept_unknown_size: bool = True
    legal_category_prefixes: tuple[str, ...] = ()
    naf_prefixes: tuple[str, ...] = ()
    parts: tuple[Definition, ...] = field(default=())

    @property
    def title(self) -> str:
        return f"{self.name} v{self.version}"

    def sql_condition(self, siren_expr: str, date_expr: str) -> str:
        """A DuckDB boolean expression: is `siren_expr` a start-up on `date_expr`?"""
        from vivier.warehouse.startups import definition_condition

        return definition_condition(self, siren_expr, date_expr)

    def sql_candidates(self) -> str:
        """A DuckDB query of the SIRENs that can meet the definition on some date."""
        from vivier.warehouse.startups import definition_candidates

        return definition_candidates(self)


def _definitions_dir():
    return resources.files("vivier.startups").joinpath("data")


def available_definitions() -> list[str]:
    """Names of the definitions shipped with vivier."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _definitions_dir().iterdir()
        if entry.name.endswith(".toml")
    )


def load_definition(name_or_path: str | Path) -> Definition:
    """Load a shipped definition by name, or a TOML file by path."""
    text, origin = _read_definition_text(str(name_or_path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadValueError(f"Définition {origin} illisible (TOML) : {error}") from None
    return definition_from_dict(data, origin)


def _read_definition_text(name_or_path: str) -> tuple[str, str]:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise NotFound(f"Fichier de définition introuvable : {path}")
        return path.read_text(encoding="utf-8"), str(path)
    entry = _definitions_dir().joinpath(f"{name_or_path}.toml")
    if not entry.is_file():
        known = ", ".join(available_definitions())
        raise NotFound(
            f"Définition de start-up inconnue : « {name_or_path} » (disponibles : {known}, "
            "ou le chemin d'un fichier .toml)."
        )
    return entry.read_text(encoding="utf-8"), name_or_path


def definition_from_dict(data: dict, origin: str = "?", _depth: int = 0) -> Definition:
    """Validate a parsed TOML definition and build the object."""
    kind = data.get("kind")
    if kind not in KINDS:
        raise BadValueError(
            f"Définition {origin} : « kind » doit valoir {', '.join(KINDS)} (lu : {kind!r})."
        )
    for key in ("name", "version", "description_fr"):
        if not str(data.get(key) or "").strip():
            raise BadValueError(f"Définition {origin} : le champ « {key} » est obligatoire.")
    parts: tuple[Definition, ...] = ()
    if kind in ("any", "all"):
        if _depth > 5:
            raise BadValueError(f"Définition {origin} : combinaison trop profonde (boucle ?).")
        names = data.get("parts") or []
        if not names:
            raise BadValueError(f"Définition {origin} : « parts » ne peut être vide.")
        parts = tuple(_load_part(str(part), _depth + 1) for part in names)
    criteria = data.get("criteria", {})
    max_age = criteria.get("max_age_years")
    if kind == "criteria" and (not isinstance(max_age, int) or max_age <= 0):
        raise BadValueError(
            f"Définition {origin} : « criteria.max_age_years » doit être un entier positif."
        )
    return Definition(
        name=str(data["name"]),
        version=str(data["version"]),
        description_fr=str(data["description_fr"]).strip(),
        kind=kind,
        labels=tuple(data.get("registry", {}).get("labels", criteria.get("labels", ()))),
        min_confidence=float(data.get("registry", {}).get("min_confidence", 0.9)),
        max_years_listed=data.get("registry", {}).get("max_years_listed"),
        max_age_years=max_age,
        size_categories=tuple(criteria.get("size_categories", ("PME",))),
        accept_unknown_size=bool(criteria.get("accept_unknown_size", True)),
        legal_category_prefixes=tuple(criteria.get("legal_category_prefixes", ())),
        naf_prefixes=tuple(criteria.get("naf_prefixes", ())),
        parts=parts,
    )


def _load_part(name: str, depth: int) -> Definition:
    text, origin = _read_definition_text(name)
    return definition_from_dict(tomllib.loads(text), origin, depth)
