"""Benchmark: stream a synthetic StockUniteLegale file into the warehouse.

    python bench/companies.py [--rows 5000000] [--keep DIR [--reuse]]

Writes a synthetic file with the official columns (valid SIRENs, plus 0.1 % bad ones),
then runs the same import as `vivier companies import` and prints rows/s and the peak
memory (resident set size of this process, which includes DuckDB).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from vivier.config import load_settings
from vivier.pipeline.companies import import_companies
from vivier.warehouse import open_warehouse

OFFICIAL_COLUMNS = [
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
]


def luhn_sirens(bases: np.ndarray) -> np.ndarray:
    """9-digit SIRENs (as int64) from 8-digit bases, with a valid Luhn check digit."""
    digits = (bases[:, None] // (10 ** np.arange(7, -1, -1))) % 10
    doubled = digits * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    # With the check digit appended, the doubled positions are 1, 3, 5, 7 from the left.
    weights = np.where(np.arange(8) % 2 == 1, doubled, digits).sum(axis=1)
    return bases * 10 + (10 - weights % 10) % 10


def synthetic_batch(rng: np.random.Generator, start: int, size: int) -> pa.Table:
    bases = np.arange(start, start + size, dtype=np.int64) * 7 + 10_000_000
    sirens = np.char.zfill(luhn_sirens(bases % 100_000_000).astype(str), 9)
    bad = rng.random(size) < 0.001
    sirens = np.where(bad, np.char.add(sirens, "0"), sirens)
    days = rng.integers(0, 365 * 60, size)
    created = (np.datetime64("1965-01-01") + days).astype(str)
    columns = {name: pa.nulls(size, pa.string()) for name in OFFICIAL_COLUMNS}
    columns.update(
        siren=pa.array(sirens),
        statutDiffusionUniteLegale=pa.array(np.full(size, "O")),
        dateCreationUniteLegale=pa.array(created),
        trancheEffectifsUniteLegale=pa.array(rng.choice(["NN", "01", "11", "22", "32"], size)),
        categorieEntreprise=pa.array(rng.choice(["PME", "PME", "ETI", "GE", ""], size)),
        etatAdministratifUniteLegale=pa.array(rng.choice(["A", "A", "C"], size)),
        denominationUniteLegale=pa.array(np.char.add("SOCIETE ", bases.astype(str))),
        categorieJuridiqueUniteLegale=pa.array(rng.choice(["5710", "5499", "1000", "7210"], size)),
        activitePrincipaleUniteLegale=pa.array(rng.choice(["62.01Z", "71.12B", "47.11B"], size)),
        nomenclatureActivitePrincipaleUniteLegale=pa.array(np.full(size, "NAFRev2")),
    )
    return pa.table(columns)


def write_stock(path: Path, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    chunk = 500_000
    with pacsv.CSVWriter(path, synthetic_batch(rng, 0, 1).schema) as writer:
        for start in range(0, rows, chunk):
            writer.write_table(synthetic_batch(rng, start, min(chunk, rows - start)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, help="work in this directory (kept)")
    parser.add_argument("--reuse", action="store_true", help="reuse the file of --keep DIR")
    parser.add_argument("--write-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_only:  # child process: the file's generation does not count in memory
        write_stock(args.write_only, args.rows)
        return
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="vivier-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / "home", ignore_errors=True)
    stock = workdir / "StockUniteLegale_synthetic.csv"
    began = time.perf_counter()
    if not (args.reuse and stock.exists()):
        command = [sys.executable, __file__, "--rows", str(args.rows), "--write-only", str(stock)]
        subprocess.run(command, check=True)
    size_mb = stock.stat().st_size / 1e6
    print(
        f"fichier synthétique : {args.rows:,} lignes, {size_mb:,.0f} Mo, "
        f"prêt en {time.perf_counter() - began:.1f} s"
    )
    settings = load_settings(home=workdir / "home")
    began, cpu_began = time.perf_counter(), _cpu_seconds()
    with open_warehouse(settings) as connection:
        report = import_companies(connection, stock, rejects_dir=workdir)
    elapsed, cpu = time.perf_counter() - began, _cpu_seconds() - cpu_began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"lues : {report.read:,} ; chargées : {report.loaded:,} ; rejetées : {report.rejected:,}")
    print(f"durée : {elapsed:.1f} s ; débit : {report.read / elapsed:,.0f} lignes/s")
    print(f"mémoire de pointe (RSS) : {peak_mb:,.0f} Mo")
    print(
        f"temps CPU (tous les fils) : {cpu:.1f} s, soit {report.read / cpu:,.0f} lignes par "
        f"seconde CPU ; charge de la machine : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs"
    )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
