"""`vivier alerts add|list|remove|run`: saved searches over tenders and their digests."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from vivier.alerts.run import FAILED, NOTHING, SENT, WRITTEN, run_alerts
from vivier.alerts.searches import add_search, list_searches, remove_search
from vivier.cli.app import console, err_console, settings_of, sub_app
from vivier.cli.tenders import parse_day
from vivier.cli.ui import print_json

alerts_app = sub_app("alerts", "Recherches enregistrées et alertes sur les appels d'offres.")
STATUS_TEXT = {
    SENT: "envoyé par e-mail",
    WRITTEN: "écrit en fichier (pas de serveur SMTP configuré)",
    FAILED: "échec de l'envoi, nouvel essai au prochain passage",
    NOTHING: "rien de nouveau",
}


def found_text(count: int) -> str:
    return f"{count} nouvel avis trouvé" if count <= 1 else f"{count} nouveaux avis trouvés"


@alerts_app.command("add")
def add_command(
    ctx: typer.Context,
    email: str = typer.Option(..., "--email", help="Adresse qui reçoit les alertes."),
    name: str = typer.Option(..., "--name", help="Nom de la recherche."),
    text: str = typer.Option("", "--text", help="Mots à trouver dans le titre ou la description."),
    cpv: list[str] = typer.Option([], "--cpv", help="Code CPV (répétable ; 72000000 = division)."),
    region: list[str] = typer.Option(
        [], "--region", help="Région : code INSEE ou nom (répétable)."
    ),
    min_value: float | None = typer.Option(
        None, "--min-value", help="Valeur estimée minimale (€)."
    ),
) -> None:
    """Enregistre une recherche ; « vivier alerts run » en enverra les nouveaux avis."""
    search = add_search(settings_of(ctx), email, name, text, cpv, region, min_value)
    console.print(
        f"Recherche n° {search.id} « {search.name} » enregistrée pour {search.owner_email} : "
        f"{search.describe()}.",
        markup=False,
    )


@alerts_app.command("list")
def list_command(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Sortie JSON.")
) -> None:
    """Liste les recherches enregistrées."""
    searches = list_searches(settings_of(ctx))
    if as_json:
        print_json([asdict(search) for search in searches])
        return
    if not searches:
        console.print("Aucune recherche enregistrée (« vivier alerts add » pour en créer une).")
    for search in searches:
        console.print(
            f"n° {search.id} « {search.name} » ({search.owner_email}) : {search.describe()}",
            markup=False,
        )


@alerts_app.command("remove")
def remove_command(
    ctx: typer.Context, search_id: int = typer.Argument(..., help="Numéro de la recherche.")
) -> None:
    """Supprime une recherche enregistrée (l'historique des envois est conservé)."""
    search = remove_search(settings_of(ctx), search_id)
    console.print(f"Recherche n° {search.id} « {search.name} » supprimée.", markup=False)


@alerts_app.command("run")
def run_command(
    ctx: typer.Context,
    out: Path | None = typer.Option(
        None, "--out", help="Répertoire des résumés HTML et texte (défaut : HOME/alerts)."
    ),
    on: str | None = typer.Option(
        None, "--on", help="Date de référence des avis ouverts (AAAA-MM-JJ, défaut : aujourd'hui)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Cherche les nouveaux avis de chaque recherche, écrit et envoie les résumés."""
    runs = run_alerts(settings_of(ctx), out, parse_day(on, "--on"))
    if as_json:
        print_json([asdict(run) for run in runs])
    else:
        if not runs:
            console.print("Aucune recherche enregistrée.")
        for run in runs:
            console.print(
                f"n° {run.search_id} « {run.name} » : {found_text(run.found)}, "
                f"{run.delivered} dans le résumé — {STATUS_TEXT[run.status]}.",
                markup=False,
            )
            for path in run.files:
                console.print(f"    {path}", markup=False)
    for run in runs:
        if run.status == FAILED:
            err_console.print(
                f"Envoi à {run.email} impossible ({run.error}) : réessayé au prochain passage.",
                markup=False,
            )
