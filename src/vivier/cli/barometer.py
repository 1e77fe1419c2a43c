"""`vivier barometer`: the start-up share of public procurement, and its report."""

from __future__ import annotations

from pathlib import Path

import typer

from vivier.barometer.service import barometer as compute
from vivier.cli.app import app, console, settings_of
from vivier.cli.ui import print_json
from vivier.errors import BadValueError
from vivier.report import fmt, write_report


def summary_lines(result: dict) -> list[str]:
    target = result["target"]
    return [
        f"Baromètre {result['year']} – {result['perimeter_label']} – définition "
        f"{result['definition']} (v{result['definition_version']})",
        f"  contrats : {fmt.count(result['contracts'])} (non datés, hors année : "
        f"{fmt.count(result['undated_contracts'])})",
        f"  start-up en nombre : {fmt.fraction(result['startup_contracts'])} contrats, "
        f"{fmt.percent(result['startup_contract_share'])} ; au moins une start-up : "
        f"{fmt.count(result['contracts_with_startup'])}",
        f"  start-up en valeur : {fmt.euros(result['amount_startup'])} sur "
        f"{fmt.euros(result['amount_total'])}, {fmt.percent(result['startup_amount_share'])} "
        f"(montants exclus : {fmt.count(result['excluded_amounts'])})",
        f"  objectif {fmt.percent(target['share'])} ({target['perimeter_label']}, "
        f"{target['year']}) : part actuelle {fmt.percent(target['current_share'])}, écart "
        f"{fmt.points(target['gap_points'])}, soit {fmt.euros(target['gap_amount'])}",
        "  sensibilité (part en valeur) : "
        + " · ".join(
            f"{row['definition']} {fmt.percent(row['startup_amount_share'])}"
            for row in result["sensitivity"]
        ),
        *[f"  note : {line}" for line in result["notes"]],
    ]


def parse_year(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.strip().isdigit():
        raise BadValueError(f"Année invalide : « {text} » (une année sur 4 chiffres, ex. 2024).")
    return int(text)


@app.command("barometer")
def barometer_command(
    ctx: typer.Context,
    year: str | None = typer.Option(
        None, "--year", help="Année de notification (par défaut : la plus récente)."
    ),
    perimeter: str = typer.Option(
        "all", "--perimeter", help="all, etat, etat_ep, collectivites, hopitaux ou autres."
    ),
    definition: str | None = typer.Option(
        None, "--definition", help="Définition des start-up : nom ou fichier TOML."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Écrire le rapport (HTML, PDF, JSON, CSV) dans ce répertoire."
    ),
    as_json: bool = typer.Option(False, "--json", help="Afficher les chiffres en JSON."),
) -> None:
    """Part des start-up dans la commande publique d'une année, et son rapport."""
    settings = settings_of(ctx)
    result = compute(settings, year=parse_year(year), perimeter=perimeter, definition=definition)
    written = write_report(result, out) if out else {}
    if as_json:
        print_json(result)
        return
    for line in summary_lines(result):
        console.print(line)
    if written:
        console.print(
            f"Rapport écrit dans {out} : {written['html'].name}, "
            f"{written['pdf'].name}, {written['json'].name} et "
            f"{len(written) - 3} fichiers CSV.",
        )
