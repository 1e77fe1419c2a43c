"""`vivier quality` (data-quality report per source) and `vivier export` (Parquet)."""

from __future__ import annotations

from pathlib import Path

import typer

from vivier.cli.app import app, console, settings_of
from vivier.cli.ui import print_json
from vivier.errors import BadValueError
from vivier.sources.normalise import FLAG_REASONS
from vivier.warehouse import open_warehouse
from vivier.warehouse.export import export_parquet
from vivier.warehouse.quality import quality_report


def _say(text: str) -> None:
    console.print(text)


def render_quality(report: dict) -> None:
    _say(f"Qualité des données — {report['files']} fichiers chargés")
    for entry in report["sources"]:
        _say("")
        _say(
            f"Source {entry['source']} : {entry['contracts']} marchés "
            f"({entry['publications']} publications lues)"
        )
        pct = entry["suppliers_valid_siren_pct"]
        shown = "sans objet" if pct is None else f"{pct:.1f} %".replace(".", ",")
        _say(
            f"  titulaires : {entry['suppliers']}, dont SIREN valide : "
            f"{entry['suppliers_valid_siren']} ({shown})"
        )
        if not entry["flags"]:
            _say("  aucun signalement")
        for reason, count in entry["flags"].items():
            _say(f"  signalement « {FLAG_REASONS.get(reason, reason)} » ({reason}) : {count}")
    _say("")
    if not report["rejects"]:
        _say("Rejets : aucun")
    for reject in report["rejects"]:
        _say(f"Rejets ({reject['format']}) « {reject['reason']} » : {reject['count']}")


@app.command()
def quality(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Rapport en JSON."),
) -> None:
    """Rapport de qualité des données par source : volumes, signalements, rejets, SIREN."""
    with open_warehouse(settings_of(ctx), read_only=True) as connection:
        report = quality_report(connection)
    if as_json:
        print_json(report)
    else:
        render_quality(report)


@app.command()
def export(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., help="Répertoire de destination."),
    fmt: str = typer.Option("parquet", "--format", help="Format d'export (parquet)."),
) -> None:
    """Exporte les tables de l'entrepôt (Parquet), pour d'autres outils."""
    if fmt != "parquet":
        raise BadValueError(f"Format d'export inconnu : « {fmt} » (seul « parquet » existe).")
    with open_warehouse(settings_of(ctx), read_only=True) as connection:
        written = export_parquet(connection, directory)
    for item in written:
        _say(f"{item['table']} : {item['rows']} lignes → {item['path']}")
