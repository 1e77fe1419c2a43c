"""Tenders benchmark: parse eForms notices (target ≥ 200 notices/s), then load them.

The input is every bundled eForms notice (official SDK examples without the 1.7 MB
100-lot one, real 2022-2024 notices, French conversions), read `--repeat` times, i.e. a
"day" of notices; a typical TED day is about 3,000 notices. Measures:
- parsing (`vivier.sources.ted_eforms.parse_notice` on bytes already in memory, one
  process): notices/s and lots/s; target ≥ 200 notices/s;
- loading the parsed notices into a fresh warehouse (`load_tenders`, one transaction),
  each copy under a distinct notice id: notices/s;
- the 100-lot notice alone (parse time).

    python bench/tenders.py                 # about 3,000 notices
    python bench/tenders.py --repeat 3      # reduced size while developing
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "tests" / "fixtures" / "ted-eforms" / "sdk-examples",
    ROOT / "src" / "vivier" / "demo_data" / "ted-eforms" / "real-notices",
    ROOT / "src" / "vivier" / "demo_data" / "ted-eforms" / "ted-xml-converter-fr" / "eforms-xml",
]
BIG = SOURCES[0] / "cn_24_maximal_100_lots.xml"


def notices() -> list[bytes]:
    return [p.read_bytes() for d in SOURCES for p in sorted(d.glob("*.xml")) if p != BIG]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=18, help="copies of the sample set")
    args = parser.parse_args()

    from vivier.config import load_settings
    from vivier.models import Reject
    from vivier.sources.ted_eforms import parse_notice
    from vivier.warehouse import open_warehouse
    from vivier.warehouse.tenders_load import load_tenders

    batch = notices() * args.repeat
    start, cpu_start = time.perf_counter(), time.process_time()
    parsed = [parse_notice(raw, index) for index, raw in enumerate(batch)]
    parse_seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    good = [n for n in parsed if not isinstance(n, Reject)]
    lots = sum(len(n.lots) for n in good)
    rate = len(batch) / parse_seconds
    print(
        f"parse : {len(batch)} avis eForms ({len(good)} chargeables, {lots} lots) "
        f"en {parse_seconds:.2f} s = {rate:,.0f} avis/s, {lots / parse_seconds:,.0f} lots/s "
        f"(objectif ≥ 200 avis/s : {'atteint' if rate >= 200 else 'NON atteint'}) ; "
        f"en temps CPU du processus : {len(batch) / cpu_seconds:,.0f} avis/s"
    )

    for copy, notice in enumerate(good):
        notice.notice_id = f"{notice.notice_id}#{copy}"
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(home=Path(home))
        with open_warehouse(settings) as connection:
            start = time.perf_counter()
            connection.execute("BEGIN")
            summary = load_tenders(connection, good, file_id=1)
            connection.execute("COMMIT")
            load_seconds = time.perf_counter() - start
    print(
        f"chargement : {summary.loaded} avis, {summary.lots} lots, {summary.contracts} "
        f"marchés en {load_seconds:.2f} s = {summary.loaded / load_seconds:,.0f} avis/s"
    )

    start = time.perf_counter()
    big = parse_notice(BIG.read_bytes(), 0)
    print(
        f"avis de 100 lots ({BIG.stat().st_size / 1e6:.1f} Mo) : {len(big.lots)} lots "
        f"en {time.perf_counter() - start:.3f} s"
    )


if __name__ == "__main__":
    main()
