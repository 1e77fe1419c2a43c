"""Every census command is in the README's command table and in docs/census.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command

from vivier.cli import app

ROOT = Path(__file__).parent.parent
GROUPS = ("appdb", "users", "needs")


def subcommands() -> list[tuple[str, str]]:
    root = get_command(app)
    return [(group, name) for group in GROUPS for name in root.commands[group].commands]


@pytest.mark.parametrize(("group", "name"), subcommands())
def test_each_census_command_is_documented(group, name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "census.md").read_text(encoding="utf-8")
    assert f"{group} {name}" in guide, f"vivier {group} {name} absent de docs/census.md"
    table = [line for line in readme.splitlines() if line.startswith(f"| `vivier {group}")]
    assert any(name in line for line in table), f"vivier {group} {name} absent du README"
