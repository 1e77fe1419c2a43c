"""`vivier fetch ted|boamp|decp`: download the official open data, then `vivier ingest`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from vivier.cli.app import app, console, settings_of
from vivier.cli.tenders import parse_day
from vivier.cli.ui import print_json, progress_bar
from vivier.pipeline.fetch import fetch


@app.command("fetch")
def fetch_command(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="ted, boamp ou decp."),
    day: str | None = typer.Option(
        None, "--date", help="Jour de publication (AAAA-MM-JJ ; défaut : hier pour BOAMP)."
    ),
    issue: str | None = typer.Option(
        None, "--issue", help="TED : numéro du JO S (AAAA-NNN), plus sûr que --date."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Répertoire de destination (défaut : HOME/telechargements)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Résumé JSON."),
) -> None:
    """Télécharge les données ouvertes (TED, BOAMP, DECP) à charger avec « vivier ingest »."""
    settings = settings_of(ctx)
    when = parse_day(day, "--date") if day else None
    with progress_bar(f"Téléchargement {source}") as advance:
        result = fetch(settings, source.lower(), when, issue, out, progress=advance)
    if as_json:
        print_json(asdict(result))
        return
    for note in result.notes:
        console.print(note, markup=False)
    console.print(
        f"{result.url} : {result.size / 1e6:.1f} Mo dans {result.archive}, "
        f"{len(result.files)} fichier(s) à charger :",
        markup=False,
    )
    shown = result.files if len(result.files) <= 5 else [*result.files[:5], "…"]
    for path in shown:
        console.print(f"    {path}", markup=False)
    console.print("Ensuite : vivier ingest FICHIERS...", markup=False)
