"""The demo's barometer step: the report of the demo data, in HOME/rapports/."""

from __future__ import annotations

from collections.abc import Iterator

from vivier.barometer import compute_barometer
from vivier.barometer.definitions import load
from vivier.barometer.service import default_year, sensitivity_set
from vivier.config import Settings
from vivier.report import fmt, write_report
from vivier.warehouse import open_warehouse


def demo_barometer(settings: Settings) -> dict | None:
    """The barometer of the most recent year with enough contracts (None: no contracts)."""
    definition = load(settings.default_definition)
    with open_warehouse(settings, read_only=True) as connection:
        year = default_year(connection)
        if year is None:
            return None
        return compute_barometer(
            connection, year, definition, settings, "all", sensitivity_set(definition)
        )


def barometer_step(settings: Settings) -> Iterator[str]:
    if not settings.warehouse_path.exists():
        yield "Baromètre : aucun entrepôt, rien à calculer."
        return
    result = demo_barometer(settings)
    if result is None:
        yield "Baromètre : aucun contrat daté dans les données d'exemple."
        return
    out = settings.home / "rapports"
    files = write_report(result, out)
    yield (
        f"Baromètre {result['year']} : {fmt.count(result['contracts'])} contrats, part des "
        f"start-up {fmt.percent(result['startup_amount_share'])} en valeur et "
        f"{fmt.percent(result['startup_contract_share'])} en nombre (définition "
        f"{result['definition']})."
    )
    yield f"Rapport du baromètre : {files['html'].resolve()} (et PDF, JSON, CSV dans {out})"
