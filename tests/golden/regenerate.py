"""Regenerate tests/golden/barometre-demo.json: the barometer JSON of the demo data.

Runs every demo step that comes before the barometer (ingest, start-ups...) in a fresh
temporary data directory, then computes the demo barometer exactly as `vivier demo` does.
After a deliberate change of method or demo data:

    python tests/golden/regenerate.py      # then review `git diff tests/golden/`
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import orjson

from vivier.config import load_settings
from vivier.pipeline.demo import steps
from vivier.report.demo_step import barometer_step, demo_barometer

GOLDEN = Path(__file__).parent / "barometre-demo.json"


def demo_result(home: Path) -> dict | None:
    """The demo barometer of a fresh data directory `home`."""
    settings = load_settings(home=home)
    settings.ensure_home()
    for step in steps():
        if step is barometer_step:
            break
        for _line in step(settings):
            pass
    return demo_barometer(settings)


def dump(result: dict | None) -> bytes:
    return orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        result = demo_result(Path(directory) / "vivier-data")
    GOLDEN.write_bytes(dump(result))
    year = result["year"] if result else "aucune"
    print(f"{GOLDEN} écrit (année {year}).", file=sys.stderr)


if __name__ == "__main__":
    main()
