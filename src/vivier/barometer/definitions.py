"""The start-up definitions the barometer uses, resolved through `vivier.startups`."""

from __future__ import annotations

from typing import Protocol

from vivier.errors import ConfigError


class Definition(Protocol):
    """What the barometer needs of a start-up definition. It may also have
    `sql_candidates() -> str`, a query of the SIRENs that can meet it on some date (see
    `vivier.warehouse.barometer.StartupTest`): without it every valid SIREN is tested."""

    name: str
    version: str

    def sql_condition(self, siren_expr: str, date_expr: str) -> str: ...


def _module():
    try:
        from vivier.startups import definitions
    except ImportError as error:  # the start-up definitions are not installed
        raise ConfigError(
            "Les définitions de start-up (vivier.startups.definitions) sont introuvables."
        ) from error
    return definitions


def load(name_or_path: str) -> Definition:
    """The definition named (or the TOML file given); errors are French VivierErrors."""
    return _module().load_definition(name_or_path)


def available() -> list[Definition]:
    """Every definition shipped with vivier, for the sensitivity table."""
    found = []
    for item in _module().available_definitions():
        found.append(item if hasattr(item, "sql_condition") else load(str(item)))
    return found
