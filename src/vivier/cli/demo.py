"""`vivier demo`: the whole job on the bundled sample data."""

from __future__ import annotations

import typer

from vivier.cli.app import app, console, settings_of
from vivier.pipeline import demo as demo_pipeline


@app.command()
def demo(
    ctx: typer.Context,
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Servir l'application web à la fin."
    ),
) -> None:
    """Charge les données d'exemple livrées avec vivier et prépare tout (démonstration)."""
    settings = settings_of(ctx)
    for line in demo_pipeline.run_demo(settings):
        console.print(line, highlight=False)
