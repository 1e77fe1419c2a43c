"""`vivier demo`: the whole job on the bundled sample data."""

from __future__ import annotations

import typer

from vivier.cli.app import app, console, settings_of
from vivier.cli.serve import serve_app
from vivier.pipeline import demo as demo_pipeline


@app.command()
def demo(
    ctx: typer.Context,
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Servir l'application web à la fin."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Adresse d'écoute du service web."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port du service web."),
) -> None:
    """Charge les données d'exemple livrées avec vivier et prépare tout (démonstration)."""
    settings = settings_of(ctx)
    for line in demo_pipeline.run_demo(settings):
        console.print(line)
    if serve:
        serve_app(settings, host, port)
    else:
        console.print("Données prêtes. Pour les consulter : vivier serve")
