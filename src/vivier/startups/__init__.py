"""The start-up definition: versioned TOML definitions and the verdict for one SIREN."""

from vivier.startups.definitions import (
    Definition,
    available_definitions,
    load_definition,
)
from vivier.startups.verdict import Verdict, explain

__all__ = ["Definition", "Verdict", "available_definitions", "explain", "load_definition"]
