"""Shared by the matching and evaluation tests: a data directory with the real 2019 DECP
samples, the i-Lab laureates and a lexical index, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vivier.cli import app
from vivier.pipeline.demo import demo_data_dir

ILAB = "startups/i-lab/fr-esr-laureats-concours-national-i-lab_sans-donnees-personnelles.csv"
DECP = ("data.gouv.fr_aife.json", "data.gouv.fr_pes.json", "e-marchespublics.json")


def run_cli(home: Path, *args):
    result = CliRunner().invoke(app, ["--home", str(home), *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session")
def matched_home(tmp_path_factory) -> Path:
    """Built once per process, however many test modules ask for it."""
    if "home" not in _BUILT:
        _BUILT["home"] = build_home(tmp_path_factory.mktemp("match") / "data")
    return _BUILT["home"]


def build_home(home: Path) -> Path:
    samples = demo_data_dir()
    run_cli(home, "ingest", *[samples / "decp-2019" / name for name in DECP])
    run_cli(home, "startups", "import", samples / ILAB, "--label", "ilab")
    result = run_cli(home, "index", "--model", "none")
    assert "start-up" in result.stdout, result.output
    return home
