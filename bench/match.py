"""Matching at national scale: synthetic contracts (bench/synthetic.py) and start-ups.

    python bench/match.py --home /tmp/bench-match --contracts 1800000 --startups 30000

Prints: the index build time (from scratch), need → start-ups and start-up → buyers
latencies (p50, p95), the incremental update after ingesting 1 % more contracts (a new file
each run), and the peak memory (max RSS) of each step, run in its own process as a user
runs it: `vivier index --full`, a serving process, `vivier index` after the ingestion.
The warehouse under --home is reused when it already holds contracts.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import generate_decp_2024, luhn_digit  # noqa: E402

from vivier.config import load_settings  # noqa: E402
from vivier.match import MatchEngine  # noqa: E402
from vivier.pipeline.ingest import ingest_paths  # noqa: E402
from vivier.reference import cpv_table  # noqa: E402
from vivier.warehouse import open_warehouse  # noqa: E402
from vivier.warehouse.match import award_watermark  # noqa: E402
from vivier.warehouse.startups import replace_label  # noqa: E402

WORDS = [
    "plateforme",
    "logiciel",
    "capteurs",
    "intelligence",
    "artificielle",
    "robot",
    "drone",
    "analyse",
    "données",
    "santé",
    "patients",
    "hôpital",
    "énergie",
    "bâtiment",
    "eau",
    "réseau",
    "sécurité",
    "cybersécurité",
    "formation",
    "mobilité",
    "transport",
    "déchets",
    "recyclage",
    "agriculture",
    "imagerie",
    "diagnostic",
    "surveillance",
    "optimisation",
    "maintenance",
    "prédictive",
    "connecté",
    "innovant",
    "biotechnologie",
    "matériaux",
]
NEEDS = [
    "logiciel de gestion des rendez-vous des patients",
    "détection des fuites sur le réseau d'eau potable",
    "maintenance prédictive des ascenseurs et des escaliers mécaniques",
    "plateforme de formation à distance des agents",
    "capteurs de qualité de l'air dans les écoles",
    "travaux de voirie et réfection des chaussées",
    "fourniture de matériel informatique et de logiciels",
    "nettoyage des locaux administratifs",
]


def synthetic_startups(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    labels = [entry.label_fr for entry in cpv_table().values()]
    members = []
    for number in range(count):
        base = f"{rng.randrange(10**7, 10**8)}"
        siren = base + luhn_digit(base)
        words = " ".join(rng.sample(WORDS, 6))
        description = (
            f"Nous développons une solution de {rng.choice(labels).lower()} : {words}. "
            f"Notre {rng.choice(WORDS)} aide les acheteurs publics pour {rng.choice(labels)}."
        )
        members.append(
            {
                "label": "bench",
                "siren": siren,
                "name": f"Start-up {number}",
                "description": description,
                "domain": rng.choice(WORDS),
                "region": rng.choice(["11", "84", "53", "76", "93"]),
                "year": 2020,
                "confidence": 1.0,
            }
        )
    return members


def prepare(settings, contracts: int, startups: int, decp: Path | None) -> None:
    with open_warehouse(settings) as connection:
        loaded = connection.execute("SELECT count(*) FROM contracts").fetchone()[0]
    if loaded:
        print(f"entrepôt réutilisé : {loaded} marchés", flush=True)
        return
    started = time.perf_counter()
    if decp is None:
        path = settings.home / "synthetic.json"
        generate_decp_2024(path, contracts=contracts)
        ingest_paths(settings, [path])
        path.unlink()
    else:  # a file already written by bench/synthetic.py
        ingest_paths(settings, [decp])
    with open_warehouse(settings) as connection:
        replace_label(connection, "bench", "csv", None, None, "bench", synthetic_startups(startups))
    print(f"données préparées en {time.perf_counter() - started:.0f} s", flush=True)


def percentiles(timings: list[float]) -> str:
    values = np.array(timings) * 1000
    return f"p50 {np.percentile(values, 50):.0f} ms, p95 {np.percentile(values, 95):.0f} ms"


def measure_queries(engine: MatchEngine, rounds: int) -> None:
    rng = random.Random(7)
    need_times = []
    for _ in range(rounds):
        text = rng.choice(NEEDS) + " " + rng.choice(WORDS)
        started = time.perf_counter()
        engine.need_to_startups(text, k=10)
        need_times.append(time.perf_counter() - started)
    print(f"besoin → start-up : {percentiles(need_times)} ({rounds} requêtes)", flush=True)
    startup_ids = [s for s in engine.startups.ids if not s.startswith("nom:")]
    supplier_ids = engine.history.suppliers.ids
    buyer_times = []
    for number in range(rounds):
        siren = rng.choice(startup_ids if number % 2 else supplier_ids)
        started = time.perf_counter()
        engine.startup_to_buyers(siren=siren, k=10)
        buyer_times.append(time.perf_counter() - started)
    print(f"start-up → acheteurs : {percentiles(buyer_times)} ({rounds} requêtes)", flush=True)


def build(settings, model: str, full: bool) -> None:
    """`vivier index` (from scratch with `full`, else updated with the new files)."""
    started = time.perf_counter()
    engine = MatchEngine.build(settings, model_name=model, full=full)
    engine.save(settings)
    info = engine.build_info
    what = "mise à jour incrémentale" if info["incremental"] else "construction complète"
    print(
        f"{what} de l'index : {time.perf_counter() - started:.1f} s, "
        f"CPU {time.process_time():.1f} s ({info['new_rows']} lignes lues ; "
        f"{len(engine.startups)} start-up, {len(engine.history.suppliers)} titulaires, "
        f"{len(engine.history.buyers)} acheteurs, embeddings : {model})",
        flush=True,
    )


def serve(settings, rounds: int) -> None:
    """A serving process: load the index once, answer queries."""
    started = time.perf_counter()
    engine = MatchEngine.load(settings)
    print(f"chargement de l'index : {time.perf_counter() - started:.1f} s", flush=True)
    measure_queries(engine, rounds)


def add_contracts(settings, contracts: int) -> None:
    """Ingest 1 % more contracts (a new file each run: its seed follows the last file)."""
    with open_warehouse(settings, read_only=True) as connection:
        last_file = award_watermark(connection)[0]
    extra = settings.home / "extra.json"
    generate_decp_2024(extra, contracts=max(contracts // 100, 1), seed=99 + last_file)
    started = time.perf_counter()
    ingest_paths(settings, [extra])
    extra.unlink()
    print(f"ingestion de +1 % de marchés : {time.perf_counter() - started:.0f} s", flush=True)


def phase(args: argparse.Namespace, name: str) -> float:
    """Run one phase in its own process, as a user would; returns its peak memory (MB)."""
    command = [sys.executable, __file__, "--home", str(args.home), "--model", args.model]
    command += ["--rounds", str(args.rounds), "--contracts", str(args.contracts)]
    child = subprocess.Popen([*command, "--phase", name])
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"la phase {name} a échoué ({status})")
    return usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("/tmp/bench-match"))
    parser.add_argument("--contracts", type=int, default=1_800_000)
    parser.add_argument("--startups", type=int, default=30_000)
    parser.add_argument("--model", default="none", help="embeddings: none, use, e5")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--decp", type=Path, help="reuse a file written by bench/synthetic.py")
    parser.add_argument("--phase", choices=["build", "serve", "add", "update"])
    args = parser.parse_args(argv)
    settings = load_settings(home=args.home)
    if args.phase:
        {
            "build": lambda: build(settings, args.model, full=True),
            "serve": lambda: serve(settings, args.rounds),
            "add": lambda: add_contracts(settings, args.contracts),
            "update": lambda: build(settings, args.model, full=False),
        }[args.phase]()
        return
    prepare(settings, args.contracts, args.startups, args.decp)
    peaks = {name: phase(args, name) for name in ("build", "serve", "add", "update")}
    print(
        "mémoire maximale (chaque étape dans son processus) : "
        f"construction {peaks['build']:.0f} Mo, service {peaks['serve']:.0f} Mo, "
        f"mise à jour {peaks['update']:.0f} Mo (ingestion {peaks['add']:.0f} Mo)",
        flush=True,
    )


if __name__ == "__main__":
    main()
