"""Matching at national scale: synthetic contracts (bench/synthetic.py) and start-ups.

    python bench/match.py --home /tmp/bench-match --contracts 1800000 --startups 30000

Prints: index build time, need → start-ups and start-up → buyers latencies (p50, p95),
the incremental rebuild after adding 1 % more contracts, and the peak memory (max RSS).
The warehouse under --home is reused when it already holds contracts.
"""

from __future__ import annotations

import argparse
import random
import resource
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("/tmp/bench-match"))
    parser.add_argument("--contracts", type=int, default=1_800_000)
    parser.add_argument("--startups", type=int, default=30_000)
    parser.add_argument("--model", default="none", help="embeddings: none, use, e5")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--decp", type=Path, help="reuse a file written by bench/synthetic.py")
    args = parser.parse_args(argv)
    settings = load_settings(home=args.home)
    prepare(settings, args.contracts, args.startups, args.decp)

    started = time.perf_counter()
    engine = MatchEngine.build(settings, model_name=args.model)
    engine.save(settings)
    print(
        f"construction de l'index : {time.perf_counter() - started:.0f} s "
        f"({len(engine.startups)} start-up, {len(engine.history.suppliers)} titulaires, "
        f"{len(engine.history.buyers)} acheteurs, embeddings : {args.model})",
        flush=True,
    )
    del engine  # one engine in memory at a time: the peak is the build's or the load's
    started = time.perf_counter()
    engine = MatchEngine.load(settings)
    print(f"chargement de l'index : {time.perf_counter() - started:.1f} s", flush=True)
    measure_queries(engine, args.rounds)
    del engine

    extra = settings.home / "extra.json"
    generate_decp_2024(extra, contracts=max(args.contracts // 100, 1), seed=99)
    started = time.perf_counter()
    ingest_paths(settings, [extra])
    ingested = time.perf_counter() - started
    extra.unlink()
    started = time.perf_counter()
    MatchEngine.build(settings, model_name=args.model).save(settings)
    print(
        f"reconstruction après +1 % de marchés : {time.perf_counter() - started:.0f} s "
        f"(ingestion à part : {ingested:.0f} s)",
        flush=True,
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"mémoire maximale : {peak:.0f} Mo", flush=True)


if __name__ == "__main__":
    main()
