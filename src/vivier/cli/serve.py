"""`vivier serve`: the web app and its JSON API over the warehouse (read-only)."""

from __future__ import annotations

import typer

from vivier.cli.app import app, console, settings_of


def serve_app(settings, host: str, port: int) -> None:
    """Run the web app with uvicorn until interrupted (also used by `vivier demo`)."""
    import uvicorn

    from vivier.warehouse import connect
    from vivier.web import create_app

    connect(settings, read_only=True).close()  # a clear French error if there is no warehouse
    console.print(
        f"vivier est servi sur http://{host}:{port}/ (API : http://{host}:{port}/api/docs). "
        "Ctrl+C pour arrêter.",
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Adresse d'écoute."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port d'écoute."),
) -> None:
    """Sert l'application web et l'API JSON (entrepôt ouvert en lecture seule)."""
    serve_app(settings_of(ctx), host, port)
