"""Saved searches: text, CPV codes, regions, minimum value and the owner's e-mail."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from vivier.appdb import make_engine, session_scope, upgrade
from vivier.appdb.models import SavedSearch
from vivier.codes import normalise_cpv
from vivier.config import Settings
from vivier.errors import BadValueError, NotFound
from vivier.reference import cpv_known
from vivier.reference.places import region_code, region_name

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class SearchView:
    """A saved search as the CLI shows it."""

    id: int
    owner_email: str
    name: str
    text: str
    cpv_codes: list[str]
    regions: list[str]
    min_value: float | None

    def describe(self) -> str:
        parts = []
        if self.text:
            parts.append(f"texte « {self.text} »")
        if self.cpv_codes:
            parts.append("CPV " + ", ".join(self.cpv_codes))
        if self.regions:
            parts.append("régions " + ", ".join(region_name(r) or r for r in self.regions))
        if self.min_value is not None:
            parts.append(f"valeur ≥ {self.min_value:,.0f} €".replace(",", "\u202f"))
        return " ; ".join(parts) or "tous les avis"


def ready_engine(settings: Settings) -> Engine:
    """An engine on the app database, migrated to the latest revision (idempotent)."""
    engine = make_engine(settings)
    upgrade(engine)
    return engine


def check_email(raw: str) -> str:
    email = raw.strip()
    if not _EMAIL.match(email):
        raise BadValueError(f"Adresse e-mail invalide : « {raw} ».")
    return email


def check_cpv_prefixes(raw_codes: list[str]) -> list[str]:
    """CPV codes of 8 digits (check digit accepted), stored without their trailing zeros
    so that 72000000 also finds 72260000."""
    prefixes = []
    for raw in raw_codes:
        checked = normalise_cpv(raw)
        if not checked.ok or not cpv_known(checked.value):
            raise BadValueError(
                f"Code CPV inconnu : « {raw} » (code à 8 chiffres de la nomenclature CPV 2008, "
                "par exemple 72000000)."
            )
        stripped = checked.value.rstrip("0")
        prefixes.append(stripped if len(stripped) >= 2 else checked.value[:2])
    return prefixes


def check_regions(raw_regions: list[str]) -> list[str]:
    codes = []
    for raw in raw_regions:
        code = region_code(raw)
        if code is None:
            raise BadValueError(
                f"Région inconnue : « {raw} » (code INSEE, par exemple 11, ou nom, "
                "par exemple « Île-de-France »)."
            )
        codes.append(code)
    return codes


def add_search(
    settings: Settings,
    email: str,
    name: str,
    text: str = "",
    cpv_codes: list[str] | None = None,
    regions: list[str] | None = None,
    min_value: float | None = None,
) -> SearchView:
    if not name.strip():
        raise BadValueError("Le nom de la recherche ne peut pas être vide.")
    if min_value is not None and min_value < 0:
        raise BadValueError("La valeur minimale doit être positive.")
    search = SavedSearch(
        owner_email=check_email(email),
        name=name.strip(),
        text=(text or "").strip(),
        cpv_codes=check_cpv_prefixes(cpv_codes or []),
        regions=check_regions(regions or []),
        min_value=min_value,
    )
    with session_scope(ready_engine(settings)) as session:
        session.add(search)
        session.flush()
        return view_of(search)


def view_of(search: SavedSearch) -> SearchView:
    return SearchView(
        id=search.id,
        owner_email=search.owner_email,
        name=search.name,
        text=search.text or "",
        cpv_codes=list(search.cpv_codes or []),
        regions=list(search.regions or []),
        min_value=search.min_value,
    )


def list_searches(settings: Settings) -> list[SearchView]:
    """The saved searches that are not deleted, oldest first."""
    with session_scope(ready_engine(settings)) as session:
        rows = session.scalars(
            select(SavedSearch).where(SavedSearch.deleted_at.is_(None)).order_by(SavedSearch.id)
        )
        return [view_of(row) for row in rows]


def remove_search(settings: Settings, search_id: int) -> SearchView:
    """Soft-delete a saved search (its delivery history is kept)."""
    from datetime import datetime

    with session_scope(ready_engine(settings)) as session:
        search = session.get(SavedSearch, search_id)
        if search is None or search.deleted_at is not None:
            raise NotFound(f"Aucune recherche enregistrée n° {search_id}.")
        search.deleted_at = datetime.utcnow()
        return view_of(search)
