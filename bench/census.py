"""Benchmark of the needs census on a fresh SQLite app database (or VIVIER_DATABASE_URL):
import N needs from a CSV, census counts, the Mission's list of needs, dump and restore.

    python bench/census.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from vivier.appdb import dump as appdb_dump
from vivier.appdb import make_engine, session_scope
from vivier.config import load_settings
from vivier.needs import accounts, census, importer, workflow
from vivier.needs.store import ready_engine

SIRETS = ["11000201100044", "13002603200008", "12000101000012"]
CPV = ["72212000", "30200000", "48000000", "34711200", "79341000"]


def sheet(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    lines = ["titre;description;cpv;budget_min;budget_max;date_prevue;siret;ministere"]
    for number in range(rows):
        siret = rng.choice(SIRETS)
        lines.append(
            f"Besoin n° {number} — équipement;Description du besoin {number};"
            f"{rng.choice(CPV)};{rng.randint(1, 50) * 1000};{rng.randint(51, 500) * 1000};"
            f"2027-0{rng.randint(1, 9)}-15;{siret};Ministère {SIRETS.index(siret) + 1}"
        )
    return "\n".join(lines).encode()


def timed(label: str, func):
    """Run `func`, print its duration; returns (result, seconds)."""
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    print(f"{label:<40} {seconds:8.3f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="vivier-bench-census-"))
    settings = load_settings(home=home)
    engine = ready_engine(settings)
    with session_scope(engine) as session:
        accounts.add_user(session, "mission@bench.fr", "mission", password="bench-password")
    content = sheet(args.rows)

    def run_import():
        with session_scope(engine) as session:
            mission = accounts.find_user(session, "mission@bench.fr")
            return importer.import_needs(session, mission, "bench.csv", content)

    report, seconds = timed(f"import of {args.rows} rows (CSV)", run_import)
    print(f"{'rows imported / refused':<40} {report.count('imported')} / {report.count('refused')}")
    print(f"{'import rate':<40} {args.rows / seconds:8.0f} rows/s")
    with session_scope(engine) as session:
        mission = accounts.find_user(session, "mission@bench.fr")
        counts, _ = timed("census counts", lambda: census.census(session, mission))
        needs, _ = timed("the Mission's needs", lambda: workflow.visible_needs(session, mission))
    assert counts["total"] == len(needs) == report.count("imported")
    dumped = home / "dump.json"
    timed("appdb dump", lambda: appdb_dump.dump(engine, dumped))
    print(f"{'dump size':<40} {dumped.stat().st_size / 1e6:8.2f} MB")
    other = load_settings(home=home / "restored")
    timed("appdb restore (fresh database)", lambda: appdb_dump.restore(make_engine(other), dumped))


if __name__ == "__main__":
    main()
