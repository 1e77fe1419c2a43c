"""The demo step of the tenders: every bundled notice file ingested, open lots shown."""

from __future__ import annotations

import re

from vivier.pipeline.demo import demo_data_dir, steps
from vivier.pipeline.tenders_demo import tender_files, tenders_step


def test_demo_step_ingests_the_bundled_notices(settings):
    assert tenders_step in steps()
    files = tender_files(demo_data_dir())
    lines = list(tenders_step(settings))
    first = re.match(
        r"TED et BOAMP : (\d+) fichiers d'avis — (\d+) avis lus, (\d+) chargés, "
        r"(\d+) rejetés",
        lines[0],
    )
    assert first, lines[0]
    n_files, read, loaded, rejected = map(int, first.groups())
    assert n_files == len(files) and read >= n_files
    assert loaded + rejected <= read and loaded > 100
    assert lines[1].startswith("Lots au ")
    shown = [line for line in lines if line.startswith("  - ")]
    assert 0 < len(shown) <= 5
