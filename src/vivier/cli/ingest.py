"""`vivier ingest PATH...`: load DECP (and tender) files into the warehouse."""

from __future__ import annotations

from pathlib import Path

import typer

from vivier.cli.app import app, console, err_console, settings_of
from vivier.cli.ui import print_json, progress_bar
from vivier.pipeline.ingest import IngestReport, ingest_paths


def render_report(report: IngestReport) -> None:
    """A French summary per file."""
    for summary in report.files:
        if summary.already_ingested:
            console.print(
                f"{summary.path} ({summary.format}) : déjà chargé (même contenu), ignoré.",
            )
            continue
        console.print(
            f"{summary.path} ({summary.format}) : {summary.read} lus, {summary.loaded} chargés, "
            f"{summary.rejected} rejetés, {summary.duplicates} doublons.",
        )


@app.command()
def ingest(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Fichiers à charger (DECP, TED, BOAMP)."),
    fmt: str | None = typer.Option(
        None, "--format", help="Imposer un format au lieu de le détecter (ex. decp-2019)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Résumé en JSON sur la sortie standard."),
) -> None:
    """Charge des fichiers de données dans l'entrepôt (un fichier = une transaction)."""
    settings = settings_of(ctx)
    with progress_bar("Chargement") as advance:
        report = ingest_paths(settings, paths, fmt=fmt, progress=advance)
    if as_json:
        print_json(report.as_json())
    else:
        render_report(report)
    for error in report.errors:
        err_console.print(f"[bold red]Erreur :[/] {error}")
    if report.errors:
        raise typer.Exit(1)
