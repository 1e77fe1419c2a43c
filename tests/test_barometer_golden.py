"""The barometer JSON of the demo data against its golden file (tests/golden/).

Regenerate after a deliberate change: `python tests/golden/regenerate.py` (see its header).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from regenerate import GOLDEN, demo_result  # noqa: E402


def differences(expected, actual, path="$"):
    """Paths where two JSON values differ (numbers within 1e-6 relative are equal)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in expected or key not in actual:
                yield f"{path}.{key}"
            else:
                yield from differences(expected[key], actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            yield f"{path} (longueur {len(expected)} ≠ {len(actual)})"
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            yield from differences(left, right, f"{path}[{index}]")
    elif isinstance(expected, int | float) and isinstance(actual, int | float):
        if actual != pytest.approx(expected, rel=1e-6, abs=1e-6):
            yield f"{path}: {expected} ≠ {actual}"
    elif expected != actual:
        yield f"{path}: {expected!r} ≠ {actual!r}"


def test_demo_barometer_matches_the_golden_file(tmp_path):
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(demo_result(tmp_path / "vivier-data")))
    found = list(differences(expected, actual))
    assert not found, "\n".join(found[:20])
