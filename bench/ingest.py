"""Benchmark: generate a national-scale synthetic DECP 2024 JSON file and ingest it.

    python bench/ingest.py [--contracts 1800000] [--workdir /tmp/vivier-bench-ingest]

Prints the generation time, then the ingest: wall time, contracts/s, CPU-seconds of the
ingest process and its workers (the machine is shared: CPU-seconds compare runs), peak
RSS of the largest process and of the whole process tree. The synthetic file is reused
when it already exists with the same size parameters. Targets: >= 30,000 contracts/s
end to end, peak memory <= 1 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import generate_decp_2024  # noqa: E402

INGEST = """
import json, sys, time
from vivier.config import load_settings
from vivier.pipeline.ingest import ingest_paths
settings = load_settings(home=sys.argv[1])
started = time.perf_counter()
report = ingest_paths(settings, [sys.argv[2]])
elapsed = time.perf_counter() - started
errors = [str(error) for error in report.errors]
print(json.dumps({"elapsed": elapsed, **report.as_json(), "errors": errors}))
"""


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (from /proc), in KiB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if entry.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1_800_000)
    parser.add_argument("--buyers", type=int, default=30_000)
    parser.add_argument("--suppliers", type=int, default=220_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vivier-bench-ingest"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = args.workdir / f"decp-2024-{args.contracts}-{args.buyers}-{args.suppliers}.json"
    if not data.exists():
        started = time.perf_counter()
        partial = data.with_suffix(".partial")
        stats = generate_decp_2024(partial, args.contracts, args.buyers, args.suppliers)
        partial.rename(data)
        print(f"generated {data} ({stats}) in {time.perf_counter() - started:.1f} s")
    size_mb = data.stat().st_size / 1e6
    home = args.workdir / "home"
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", INGEST, str(home), str(data)],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak_total = 0
    while process.poll() is None:
        peak_total = max(peak_total, tree_rss_kb(process.pid))
        time.sleep(0.5)
    stdout = process.stdout.read()
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the ingest and its workers
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    output = json.loads(stdout.strip().splitlines()[-1])
    summary = output["files"][0]
    print(f"file: {size_mb:.0f} MB, {summary['read']:,} records".replace(",", " "))
    print(
        f"ingest: {wall:.1f} s wall (library {output['elapsed']:.1f} s), "
        f"{summary['read'] / wall:,.0f} contracts/s end to end".replace(",", " ")
    )
    print(
        f"loaded {summary['loaded']}, duplicates {summary['duplicates']}, "
        f"rejected {summary['rejected']}; errors: {output['errors'] or 'none'}"
    )
    print(
        f"CPU: {cpu:.1f} CPU-seconds (user {usage.ru_utime:.1f} + system {usage.ru_stime:.1f}), "
        f"{cpu / max(summary['read'], 1) * 1e6:.0f} µs per record, "
        f"{summary['read'] / max(cpu, 1e-9):,.0f} contracts per CPU-second".replace(",", " ")
    )
    print(f"peak RSS of the largest single process: {peak_mb:.0f} MB")
    print(f"peak RSS of the ingest process and its workers together: {peak_total / 1024:.0f} MB")


if __name__ == "__main__":
    main()
