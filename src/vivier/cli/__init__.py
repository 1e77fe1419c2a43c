"""The `vivier` command: a thin layer over the library. Each module registers its commands."""

from __future__ import annotations

from vivier.cli import (  # noqa: F401  (registers commands)  # noqa: F401  (registers commands)
    alerts,
    appdb,
    barometer,
    buyers,
    companies,
    demo,
    fetch,
    ingest,
    match,
    needs,
    quality,
    serve,
    startups,
    tenders,
    users,
)
from vivier.cli.app import app


def main() -> None:
    app()
