"""The barometer from the settings: open the warehouse, resolve the definitions, compute."""

from __future__ import annotations

from vivier.barometer import definitions
from vivier.barometer.compute import check_perimeter, compute_barometer, latest_year
from vivier.config import Settings
from vivier.errors import BadValueError, NotFound
from vivier.warehouse import open_warehouse

FIRST_YEAR, LAST_YEAR = 2000, 2100
# The default year is the most recent one with at least this many dated contracts.
DEFAULT_YEAR_MINIMUM = 20


def default_year(connection) -> int | None:
    """The most recent year with enough contracts (else the most recent year at all)."""
    return latest_year(connection, DEFAULT_YEAR_MINIMUM) or latest_year(connection)


def sensitivity_set(chosen: definitions.Definition) -> list[definitions.Definition]:
    """The chosen definition first, then every other available one (by name)."""
    found = [chosen]
    for other in definitions.available():
        if other.name not in {item.name for item in found}:
            found.append(other)
    return found


def barometer(
    settings: Settings,
    year: int | None = None,
    perimeter: str = "all",
    definition: str | None = None,
) -> dict:
    """The barometer of `year` (default: the most recent year with enough contracts)."""
    check_perimeter(perimeter)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadValueError(f"Année invalide : {year} (entre {FIRST_YEAR} et {LAST_YEAR}).")
    chosen = definitions.load(definition or settings.default_definition)
    with open_warehouse(settings, read_only=True) as connection:
        if year is None:
            year = default_year(connection)
            if year is None:
                raise NotFound(
                    "Aucun contrat daté dans l'entrepôt : lancez d'abord « vivier ingest »."
                )
        return compute_barometer(
            connection, year, chosen, settings, perimeter, sensitivity_set(chosen)
        )
