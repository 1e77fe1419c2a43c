"""Every command that exists is documented in the README (and vice versa for top level)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from vivier.cli import app

README = Path(__file__).parent.parent / "README.md"


def command_paths(command, path=()):
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from command_paths(sub, (*path, name))
    else:
        yield path


def readme_lines_about(group: str) -> str:
    lines = README.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if f"vivier {group}" in line)


def test_every_command_is_in_the_readme():
    missing = []
    for path in command_paths(typer.main.get_command(app)):
        about = readme_lines_about(path[0])
        if not about or (len(path) > 1 and not re.search(rf"\b{re.escape(path[1])}\b", about)):
            missing.append(" ".join(path))
    assert not missing, f"commands missing from README.md: {missing}"


def test_readme_quick_start_is_two_commands():
    text = README.read_text(encoding="utf-8")
    block = text.split("## Démarrage rapide", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "vivier demo" in commands[0] and "pip install" in commands[0]
    assert commands[1].split("#")[0].strip() == "make test"


def test_every_setting_is_documented():
    from vivier.config import Settings

    settings_doc = (README.parent / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [
        name for name in Settings.model_fields if f"VIVIER_{name.upper()}" not in settings_doc
    ]
    assert not missing, f"settings missing from docs/settings.md: {missing}"
