"""The `vivier` command: a thin layer over the library. Each module registers its commands."""

from __future__ import annotations

from vivier.cli import alerts, appdb, barometer, demo, fetch, ingest, needs, serve, tenders, users  # noqa: F401  (registers commands)
from vivier.cli.app import app


def main() -> None:
    app()
