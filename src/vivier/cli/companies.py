"""`vivier companies import FILE` and `vivier companies show SIREN`."""

from __future__ import annotations

from pathlib import Path

import typer

from vivier.cli.app import console, settings_of, sub_app
from vivier.cli.ui import print_json, progress_bar
from vivier.companies import company_profile, profile_lines
from vivier.pipeline.companies import import_companies
from vivier.warehouse import open_warehouse

companies_app = sub_app("companies", "Entreprises et organismes publics (SIRENE).")


def print_rejects(rejects, total: int, rejects_file: str | None) -> None:
    """Show the first rejected lines and where all of them are."""
    for reject in rejects[:10]:
        console.print(f"  rejet : {reject.reason}")
    if total > 10:
        console.print(f"  … et {total - 10} autre(s) rejet(s)")
    if rejects_file:
        console.print(f"  liste complète des rejets : {rejects_file}")


@companies_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="StockUniteLegale (CSV) ou réponse JSON de recherche-entreprises."
    ),
) -> None:
    """Importe des entreprises (fichier stock SIRENE ou réponses de recherche-entreprises)."""
    settings = settings_of(ctx)
    with open_warehouse(settings) as connection, progress_bar("Import des entreprises") as advance:
        report = import_companies(connection, file, settings.home / "rejets", progress=advance)
    console.print(
        f"{file.name} ({report.format}) : {report.read} lues, {report.loaded} chargées, "
        f"{report.rejected} rejetées ; {report.buyers} acheteurs reclassés.",
    )
    print_rejects(report.rejects, report.rejected, report.rejects_file)


@companies_app.command("show")
def show_command(
    ctx: typer.Context,
    siren: str = typer.Argument(..., help="SIREN (9 chiffres)."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Affiche une entreprise : identité, activité, taille, listes de start-up."""
    settings = settings_of(ctx)
    with open_warehouse(settings, read_only=True) as connection:
        profile = company_profile(connection, siren)
    if as_json:
        print_json(profile)
        return
    for label, value in profile_lines(profile):
        console.print(f"{label:<24} {value}")
