"""`vivier serve`: the web app and its JSON API over the warehouse (read-only)."""

from __future__ import annotations

import os

import typer

from vivier.cli.app import app, console, settings_of
from vivier.errors import BadValueError


def serve_app(settings, host: str, port: int, workers: int | None = None) -> None:
    """Run the web app with uvicorn until interrupted (also used by `vivier demo`).

    Each worker process prepares the warehouse and the matching engine before it serves;
    with several workers, each one rebuilds its settings from the environment."""
    import uvicorn

    from vivier.warehouse import connect
    from vivier.web.app import create_app

    workers = settings.web_workers if workers is None else workers
    if workers < 1:
        raise BadValueError(f"Nombre de processus invalide : {workers} (1 au moins).")
    connect(settings, read_only=True).close()  # a clear French error if there is no warehouse
    console.print(
        f"vivier est servi sur http://{host}:{port}/ (API : http://{host}:{port}/api/docs), "
        f"{workers} processus, dès que l'entrepôt et le moteur de mise en relation sont "
        "prêts. Ctrl+C pour arrêter.",
    )
    options = {"host": host, "port": port, "log_level": "warning"}
    if workers == 1:
        uvicorn.run(create_app(settings, warm=True), **options)
        return
    os.environ["VIVIER_HOME"] = str(settings.home.resolve())
    target = "vivier.web.app:app_from_environment"
    uvicorn.run(target, factory=True, workers=workers, **options)


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Adresse d'écoute."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port d'écoute."),
    workers: int | None = typer.Option(
        None,
        "--workers",
        help="Processus servant les requêtes (défaut : VIVIER_WEB_WORKERS, sinon 1).",
    ),
) -> None:
    """Sert l'application web et l'API JSON (entrepôt ouvert en lecture seule)."""
    serve_app(settings_of(ctx), host, port, workers)
