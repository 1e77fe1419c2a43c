"""Barometer benchmark on the national-scale synthetic DECP data.

Prepares (once, in a child process) a warehouse from `bench/synthetic.py`'s DECP 2024 file
(ingested with `vivier.pipeline.ingest`), then adds synthetic buyers' perimeters and
ministries, companies (creation date, size) and start-up list members. Then measures, in
this process:
- all aggregates of one year (`compute_barometer`, with the sensitivity over every
  shipped definition): target ≤ 2 s;
- the full report (aggregates + charts + HTML + PDF + JSON + CSV): target ≤ 15 s;
- peak memory (maximum resident set size of this process): target ≤ 2 GB.

"All aggregates" is one `compute_barometer` call in a fresh process (DuckDB's buffers
cold, nothing precomputed), wall and CPU of every thread of the process (user + system).
On a shared machine, `--runs N` measures it again in N more fresh processes, one after the
other, and prints each run and the medians.

    python bench/barometer.py                       # 1.8 M contracts
    python bench/barometer.py --contracts 100000    # reduced size while developing
    python bench/barometer.py --runs 5              # + 5 more fresh processes, medians
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
YEAR = 2024


def prepare(work: Path, contracts: int) -> None:
    """Generate, ingest, and add synthetic buyers, companies and start-ups."""
    sys.path.insert(0, str(BENCH))
    from synthetic import generate_decp_2024

    from vivier.config import load_settings
    from vivier.pipeline.ingest import ingest_paths
    from vivier.warehouse import open_warehouse

    work.mkdir(parents=True, exist_ok=True)
    source = work / f"decp-{contracts}.json"
    started = time.perf_counter()
    generate_decp_2024(source, contracts=contracts)
    print(f"generated {source} in {time.perf_counter() - started:.1f} s", flush=True)
    settings = load_settings(home=work / "home")
    started = time.perf_counter()
    report = ingest_paths(settings, [source])
    print(f"ingested in {time.perf_counter() - started:.1f} s: {report.files}", flush=True)
    with open_warehouse(settings) as connection:
        add_synthetic_parties(connection)


def add_synthetic_parties(connection) -> None:
    """Buyers with perimeters and ministries; companies; ~4 % of suppliers are start-ups."""
    from vivier.warehouse.buyers import refresh_buyers

    refresh_buyers(connection)
    connection.execute(
        """UPDATE buyers SET
  perimeter = CASE hash(siret) % 10 WHEN 0 THEN 'etat' WHEN 1 THEN 'etat_ep'
    WHEN 2 THEN 'hopitaux' WHEN 9 THEN 'autres' ELSE 'collectivites' END,
  region = lpad(CAST(11 + hash(siret) % 80 AS VARCHAR), 2, '0')"""
    )
    connection.execute(
        """UPDATE buyers SET ministry = 'Ministère ' || CAST(hash(siret) % 12 AS VARCHAR)
WHERE perimeter IN ('etat', 'etat_ep')"""
    )
    connection.execute(
        """INSERT OR REPLACE INTO companies (siren, name, created_on, size_category, source)
SELECT siren, 'Entreprise ' || siren, DATE '1990-01-01' + CAST(hash(siren) % 12500 AS INTEGER),
  CASE WHEN hash(siren) % 10 < 8 THEN 'PME' WHEN hash(siren) % 10 = 8 THEN 'ETI' ELSE 'GE' END,
  'synthetic'
FROM (SELECT DISTINCT siren FROM contract_suppliers WHERE siren IS NOT NULL)"""
    )
    connection.execute("DELETE FROM startup_members WHERE label = 'synthetic'")
    connection.execute(
        """INSERT INTO startup_members (label, siren, name, valid_from, valid_to, confidence)
SELECT 'synthetic', siren, 'Start-up ' || siren,
  DATE '2018-01-01' + CAST(hash(siren || 'from') % 2500 AS INTEGER), NULL, 1.0
FROM (SELECT DISTINCT siren FROM contract_suppliers WHERE siren IS NOT NULL)
WHERE hash(siren || 'startup') % 25 = 0"""
    )
    counts = connection.execute(
        "SELECT (SELECT count(*) FROM contracts), (SELECT count(*) FROM buyers), "
        "(SELECT count(*) FROM companies), (SELECT count(*) FROM startup_members)"
    ).fetchone()
    print("contracts, buyers, companies, start-up members:", counts, flush=True)


def measure(work: Path) -> None:
    from vivier.barometer import compute_barometer
    from vivier.barometer.definitions import available, load
    from vivier.config import load_settings
    from vivier.report import write_report
    from vivier.warehouse import open_warehouse

    settings = load_settings(home=work / "home")
    definition = load("registry")
    others = available()
    with open_warehouse(settings, read_only=True) as connection:
        started, cpu = time.perf_counter(), time.process_time()
        result = compute_barometer(connection, YEAR, definition, settings, "all", others)
        aggregates = time.perf_counter() - started
        aggregates_cpu = time.process_time() - cpu
        parts = time_parts(connection, definition, settings)
        started, cpu = time.perf_counter(), time.process_time()
        files = write_report(result, work / "rapport")
        report_files = time.perf_counter() - started
        report_cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"year {YEAR}: {result['contracts']:,} contracts, {len(result['breakdowns']['buyer']):,}"
        f" buyers, start-up share {result['startup_amount_share']}, "
        f"sensitivity over {len(others)} definitions"
    )
    print(
        f"aggregates (compute_barometer): {aggregates:.2f} s wall, {aggregates_cpu:.2f} s CPU"
        "  (target ≤ 2 s)"
    )
    for name, (wall, cpu_time) in parts.items():
        print(f"  of which {name}: {wall:.2f} s wall, {cpu_time:.2f} s CPU")
    print(
        f"report files (charts, HTML, PDF, JSON, CSV): {report_files:.2f} s wall, "
        f"{report_cpu:.2f} s CPU"
    )
    print(
        f"full report (aggregates + files): {aggregates + report_files:.2f} s wall, "
        f"{aggregates_cpu + report_cpu:.2f} s CPU  (target ≤ 15 s)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak memory (max RSS): {peak:.0f} MB  (target ≤ 2048 MB)")
    print(
        f"HTML {files['html'].stat().st_size / 1e6:.1f} MB, "
        f"PDF {files['pdf'].stat().st_size / 1e6:.1f} MB, "
        f"JSON {files['json'].stat().st_size / 1e6:.1f} MB"
    )


def aggregates_once(work: Path) -> None:
    """One `compute_barometer` call (this process is fresh): prints wall, CPU, load."""
    from vivier.barometer import compute_barometer
    from vivier.barometer.definitions import available, load
    from vivier.config import load_settings
    from vivier.warehouse import open_warehouse

    settings = load_settings(home=work / "home")
    definition, others = load("registry"), available()
    with open_warehouse(settings, read_only=True) as connection:
        started, cpu = time.perf_counter(), time.process_time()
        compute_barometer(connection, YEAR, definition, settings, "all", others)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{wall:.3f} {cpu:.3f} {os.getloadavg()[0]:.1f}", flush=True)


def repeated(work: Path, args: argparse.Namespace) -> None:
    """`args.runs` more fresh processes of `aggregates_once`, then the medians."""
    command = [sys.executable, __file__, "--aggregates-once", "--work", str(args.work)]
    command += ["--contracts", str(args.contracts)]
    runs = []
    for _ in range(args.runs):
        found = subprocess.run(command, check=True, capture_output=True, text=True)
        runs.append([float(value) for value in found.stdout.split()[-3:]])
        print("  run: {:.2f} s wall, {:.2f} s CPU, load {:.1f}".format(*runs[-1]), flush=True)
    walls, cpus = [run[0] for run in runs], [run[1] for run in runs]
    print(
        f"aggregates over {len(runs)} fresh processes: median {statistics.median(walls):.2f} s "
        f"wall (min {min(walls):.2f}), median {statistics.median(cpus):.2f} s CPU "
        f"(min {min(cpus):.2f})  (target ≤ 2 s)"
    )


def time_parts(connection, definition, settings) -> dict[str, tuple[float, float]]:
    """Time the parts of compute_barometer again, one by one (wall, CPU)."""
    from vivier.barometer import coverage
    from vivier.barometer.compute import startup_test
    from vivier.warehouse import barometer as sql
    from vivier.warehouse import barometer_years as years_sql

    test = startup_test(definition)
    steps = {
        "scope of the year (one definition)": lambda: sql.build_scope(
            connection, "all", [test], YEAR
        ),
        "publications (all years)": lambda: years_sql.build_publications(connection, "all"),
        "buyer breakdown": lambda: sql.breakdown(connection, "buyer"),
        "trend over all years (start-up part)": lambda: years_sql.trend_startups(
            connection, "all", test
        ),
        "coverage of publications (all years)": lambda: coverage.publications(connection, YEAR),
    }
    timings = {}
    for name, step in steps.items():
        started, cpu = time.perf_counter(), time.process_time()
        step()
        timings[name] = (time.perf_counter() - started, time.process_time() - cpu)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1_800_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/vivier-bench-barometer"))
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--runs", type=int, default=0, help="more fresh processes (medians)")
    parser.add_argument("--aggregates-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = args.work / str(args.contracts)
    if args.prepare_only:
        prepare(work, args.contracts)
        return
    if args.aggregates_once:
        aggregates_once(work)
        return
    if not (work / "home" / "warehouse.duckdb").exists():
        command = [
            sys.executable,
            __file__,
            "--prepare-only",
            "--contracts",
            str(args.contracts),
            "--work",
            str(args.work),
        ]
        subprocess.run(command, check=True)
    measure(work)
    if args.runs:
        repeated(work, args)


if __name__ == "__main__":
    main()
