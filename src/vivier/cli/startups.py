"""`vivier startups import|list|show|definitions`: start-up lists and the definition."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from vivier.cli.app import console, settings_of, sub_app
from vivier.cli.companies import print_rejects
from vivier.cli.ui import print_json
from vivier.companies import company_profile, profile_lines
from vivier.errors import BadValueError
from vivier.pipeline.startups import import_list
from vivier.sources.startup_lists import FORMATS, parse_day
from vivier.startups import available_definitions, explain, load_definition
from vivier.warehouse import open_warehouse
from vivier.warehouse.startups import list_startups

startups_app = sub_app("startups", "Listes de start-up et définition de la start-up.")


def _day(text: str | None, option: str) -> date | None:
    try:
        return parse_day(text)
    except ValueError as error:
        raise BadValueError(f"{option} : {error}.") from None


@startups_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Liste i-Lab, Next40/120 ou CSV siren,label,…"),
    label: str = typer.Option(..., "--label", help="Nom de la liste (remplace ses membres)."),
    list_format: str = typer.Option("auto", "--format", help=f"{', '.join(FORMATS)}."),
    valid_from: str | None = typer.Option(None, "--valid-from", help="Début de validité."),
    valid_to: str | None = typer.Option(None, "--valid-to", help="Fin de validité."),
) -> None:
    """Importe une liste de start-up ; réimporter une liste remplace ses membres."""
    settings = settings_of(ctx)
    start, end = _day(valid_from, "--valid-from"), _day(valid_to, "--valid-to")
    with open_warehouse(settings) as connection:
        report = import_list(connection, file, label, settings.home, list_format, start, end)
    for warning in report.warnings:
        console.print(f"  attention : {warning}")
    console.print(
        f"{file.name} ({report.kind}) → liste(s) {', '.join(report.labels)} : "
        f"{report.read} lignes lues, {report.loaded} start-up enregistrées, "
        f"{len(report.rejects)} rejetées.",
    )
    if report.resolved or report.to_review:
        console.print(
            f"  noms rattachés à un SIREN : {report.resolved} ; à vérifier : {report.to_review}"
            + (f" (voir {report.review_file})" if report.review_file else ""),
        )
    print_rejects(report.rejects, len(report.rejects), report.rejects_file)


@startups_app.command("list")
def list_command(
    ctx: typer.Context,
    label: str | None = typer.Option(None, "--label", help="Seulement cette liste."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Liste les start-up importées, avec leurs listes."""
    with open_warehouse(settings_of(ctx), read_only=True) as connection:
        startups = list_startups(connection, label)
    if as_json:
        print_json({"startups": startups})
        return
    console.print(f"{len(startups)} start-up")
    for startup in startups:
        console.print(
            f"{startup['siren']}  {startup['name'] or '?'}  ({', '.join(startup['labels'])})",
            markup=False,
        )


@startups_app.command("show")
def show_command(
    ctx: typer.Context,
    siren: str = typer.Argument(..., help="SIREN (9 chiffres)."),
    on: str | None = typer.Option(None, "--date", help="Date examinée (par défaut : aujourd'hui)."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Dit si une entreprise est une start-up, selon chaque définition, et pourquoi."""
    day = _day(on, "--date") or date.today()
    with open_warehouse(settings_of(ctx), read_only=True) as connection:
        profile = company_profile(connection, siren)
        verdicts = []
        for name in available_definitions():
            definition = load_definition(name)
            verdict = explain(connection, definition, profile["siren"], day)
            verdicts.append(
                {"definition": definition.name, "version": definition.version}
                | {"is_startup": verdict.is_startup, "reasons": verdict.reasons}
            )
    if as_json:
        print_json({"siren": profile["siren"], "date": day, "verdicts": verdicts} | profile)
        return
    for label, value in profile_lines(profile):
        console.print(f"{label:<24} {value}", markup=False)
    console.print(f"\nStart-up le {day:%d/%m/%Y} ?")
    for verdict in verdicts:
        answer = "OUI" if verdict["is_startup"] else "non"
        console.print(f"  {verdict['definition']} (v{verdict['version']}) : {answer}")
        for reason in verdict["reasons"]:
            console.print(f"    - {reason}", markup=False)


@startups_app.command("definitions")
def definitions_command() -> None:
    """Liste les définitions de la start-up livrées avec vivier."""
    for name in available_definitions():
        definition = load_definition(name)
        console.print(f"{definition.name} (v{definition.version})")
        console.print(f"  {' '.join(definition.description_fr.split())}")
