"""Shared fixtures: a fresh data directory per test, an in-process CLI runner, sample paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vivier.cli import app
from vivier.config import Settings, load_settings
from vivier.pipeline.demo import demo_data_dir

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "vivier-data"


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings(home=home)


@pytest.fixture(scope="session")
def samples() -> Path:
    """The real sample data shipped with the package (see demo_data/SOURCES.md)."""
    return demo_data_dir()


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """Extra real samples used only by tests (see tests/fixtures/README.md)."""
    return FIXTURES


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Settings:
    """A demo-like data directory, prepared once per session (read it, never write it)."""
    from web_support import prepare_demo_home

    return prepare_demo_home(tmp_path_factory.mktemp("demo") / "vivier-data")


@pytest.fixture
def cli(home: Path):
    """Run `vivier --home HOME ARGS...` in-process; returns exit code, stdout, stderr."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> CliResult:
        result = runner.invoke(app, ["--home", str(home), *map(str, args)], input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run
