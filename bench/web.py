"""Web benchmark: 20 concurrent clients on loopback against `vivier serve` at national scale.

Uses the synthetic national warehouse of `bench/barometer.py` (prepared once, in a child
process, from `bench/synthetic.py`), builds the matching index if missing, starts
`vivier serve` in its own process on a free port, warms it up (the matching engine loads
on the first need), then sends the need search (`/api/trouver`) and the buyer page
(`/acheteurs/{siren}`, HTML) from N concurrent clients and prints p50 / p95 / max
latency per endpoint and the error count.
Target: p95 ≤ 300 ms for both, no error.

    python bench/web.py                                   # 1.8 M contracts, 20 clients
    python bench/web.py --contracts 100000 --requests 200 # reduced size while developing
    python bench/web.py --home DIR                        # a prepared home (its warehouse)

It also prints the CPU seconds the server (with its worker processes) and the clients
spent during the timed run, and the load average: the machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx

BENCH = Path(__file__).resolve().parent
NEEDS = [
    ("Logiciel de gestion des archives numériques et de la dématérialisation", "48000000"),
    ("Plateforme d'intelligence artificielle pour analyser les demandes des usagers", ""),
    ("Application mobile de signalement pour les agents de terrain", "72000000"),
    ("Capteurs connectés pour mesurer la qualité de l'air dans les écoles", ""),
    ("Solution de cybersécurité et de détection des intrusions", "72260000"),
    ("Outil de prise de rendez-vous en ligne pour un hôpital", ""),
    ("Travaux de rénovation énergétique des bâtiments publics", "45000000"),
    ("Service de télémédecine et de suivi des patients à domicile", ""),
    ("Robot de désinfection des chambres d'hôpital", "33000000"),
    ("Formation en ligne des agents aux outils numériques", "80000000"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_warehouse(work: Path, contracts: int) -> Path:
    home = work / str(contracts) / "home"
    if not (home / "warehouse.duckdb").exists():
        command = [sys.executable, str(BENCH / "barometer.py"), "--prepare-only"]
        command += ["--contracts", str(contracts), "--work", str(work)]
        subprocess.run(command, check=True)
    return home


def index_loads(home: Path) -> bool:
    """Whether the home's matching index exists and loads (not left by an older version)."""
    if not (home / "index" / "engine.pkl").exists():
        return False
    code = (
        "from vivier.config import load_settings\n"
        "from vivier.match import MatchEngine\n"
        f"MatchEngine.load(load_settings(home={str(home)!r}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def ensure_index(home: Path, model: str) -> None:
    """Build the matching index (as `vivier index` does) when the home has none that loads."""
    if index_loads(home):
        return
    code = (
        "from vivier.config import load_settings\n"
        "from vivier.match import MatchEngine\n"
        f"settings = load_settings(home={str(home)!r})\n"
        f"MatchEngine.build(settings, model_name={model!r}).save(settings)\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    print(f"matching index built in {time.perf_counter() - started:.0f} s", flush=True)


def busy_buyers(home: Path, count: int = 300) -> list[str]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT buyer_siren FROM contracts WHERE buyer_siren IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT ?",
            [count],
        ).fetchall()
    return [row[0] for row in rows]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and of its live descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def start_server(home: Path, port: int, workers: int | None) -> subprocess.Popen:
    """`vivier serve` in its own process, once it answers (it prepares the warehouse and
    the matching engine before serving)."""
    command = [sys.executable, "-c", "from vivier.cli import main; main()"]
    command += ["--home", str(home), "serve", "--port", str(port)]
    command += ["--workers", str(workers)] if workers else []
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=5).is_success:
                return server
        except httpx.TransportError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("vivier serve did not start")


def requests_plan(
    buyers: list[str], total: int, seed: int = 0, kinds: tuple[str, ...] = ("need", "buyer")
) -> list[tuple[str, str, dict]]:
    rng = random.Random(seed)
    plan = []
    for index in range(total):
        if kinds[index % len(kinds)] == "need":
            text, cpv = rng.choice(NEEDS)
            params = {"besoin": text, "cpv": cpv, "nombre": 10}
            plan.append(("need search", "/api/trouver", params))
        else:
            plan.append(("buyer page", f"/acheteurs/{rng.choice(buyers)}", {}))
    return plan


async def run_clients(base: str, plan, clients: int) -> list[tuple[str, float, int]]:
    """Send `plan` from `clients` concurrent HTTP clients. The clients are all made before
    the first request (making one takes ~60 ms of CPU, which would otherwise be counted
    in the latency of the requests already sent)."""
    queue: asyncio.Queue = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    results: list[tuple[str, float, int]] = []

    async def client(session: httpx.AsyncClient) -> None:
        while not queue.empty():
            kind, path, params = queue.get_nowait()
            started = time.perf_counter()
            try:
                status = (await session.get(path, params=params)).status_code
            except httpx.HTTPError:
                status = 0
            results.append((kind, time.perf_counter() - started, status))

    sessions = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(clients)]
    try:
        await asyncio.gather(*(client(session) for session in sessions))
    finally:
        for session in sessions:
            await session.aclose()
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(results, elapsed: float, clients: int, cpu: dict[str, float]) -> None:
    print(f"{len(results)} requests from {clients} concurrent clients in {elapsed:.1f} s")
    print(
        f"CPU during the run: server {cpu['server']:.1f} s "
        f"({cpu['server'] / len(results) * 1000:.1f} ms per request), "
        f"clients {cpu['clients']:.1f} s"
    )
    for kind in ("need search", "buyer page"):
        times = [t * 1000 for k, t, _ in results if k == kind]
        if not times:
            continue
        errors = sum(1 for k, _, status in results if k == kind and status != 200)
        print(
            f"{kind:12}: n={len(times)} p50={percentile(times, 0.5):.0f} ms "
            f"p95={percentile(times, 0.95):.0f} ms max={max(times):.0f} ms "
            f"errors={errors}  (target p95 ≤ 300 ms, no error)"
        )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1_800_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/vivier-bench-barometer"))
    parser.add_argument("--home", type=Path, help="A prepared home (instead of --work)")
    parser.add_argument("--workers", type=int, help="vivier serve --workers (default: its own)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument(
        "--only", choices=["need", "buyer"], help="Measure one endpoint only (buyer: no index)"
    )
    parser.add_argument("--model", default="use", help="Embeddings of a new index: use, e5, none")
    args = parser.parse_args()
    kinds = (args.only,) if args.only else ("need", "buyer")
    home = args.home or ensure_warehouse(args.work, args.contracts)
    if "need" in kinds:
        ensure_index(home, args.model)
    buyers = busy_buyers(home)
    port = free_port()
    started = time.perf_counter()
    server = start_server(home, port, args.workers)
    print(f"server ready in {time.perf_counter() - started:.1f} s")
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        for kind, path, params in requests_plan(buyers, len(kinds), 1, kinds):
            status = httpx.get(base + path, params=params, timeout=600).status_code
            print(f"warm-up {kind}: HTTP {status}")
        print(f"warm-up (caches): {time.perf_counter() - started:.1f} s")
        plan = requests_plan(buyers, args.requests, 0, kinds)
        print(f"load average before the run: {os.getloadavg()[0]:.1f}")
        server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
        started = time.perf_counter()
        results = asyncio.run(run_clients(base, plan, args.clients))
        cpu = {
            "server": cpu_seconds(server.pid) - server_cpu,
            "clients": time.process_time() - client_cpu,
        }
        report(results, time.perf_counter() - started, args.clients, cpu)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
