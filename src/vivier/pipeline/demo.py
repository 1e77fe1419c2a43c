"""The demo: every step of vivier on the bundled sample data, in a fresh data directory.

Each step is a function taking the settings and yielding French lines to print.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

from vivier.config import Settings

Step = Callable[[Settings], Iterator[str]]


def demo_data_dir() -> Path:
    return Path(str(resources.files("vivier").joinpath("demo_data")))


def steps() -> list[Step]:
    """The demo's steps, in order. Later features append theirs."""
    from vivier.match.demo import match_step  # after ingest and start-ups: builds the index
    from vivier.needs.demo import census_step  # last: uses the matching engine's index
    from vivier.pipeline.ingest import demo_step as ingest_step
    from vivier.pipeline.startups_demo import startups_step  # companies, lists, buyers
    from vivier.pipeline.tenders_demo import tenders_step  # after the barometer: TED/BOAMP
    from vivier.report.demo_step import barometer_step  # needs the ingest and start-ups

    return [ingest_step, startups_step, barometer_step, tenders_step, match_step, census_step]


def run_demo(settings: Settings) -> Iterator[str]:
    settings.ensure_home()
    yield f"Démonstration de vivier dans {settings.home.resolve()}"
    for step in steps():
        yield from step(settings)
