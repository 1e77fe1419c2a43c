"""National-scale synthetic DECP 2024 JSON, for benchmarks.

`generate_decp_2024(path, contracts=1_800_000, buyers=30_000, suppliers=220_000, seed=0)`
writes `{"marches": {"marche": [...], "contrat-concession": [...]}}` with real CPV codes
(from `vivier.reference.cpv_table()`), SIRETs that pass the Luhn check, French object
texts built from CPV labels, 1–3 suppliers per contract, a few modifications, and dirty
values at about the rates seen in the real samples (absurd and placeholder amounts,
bad SIRETs, unknown CPV codes, `+01:00` dates, missing dates, garbled accents,
contracts published twice). Buyers and suppliers follow a skewed (Zipf-like) activity.

    python bench/synthetic.py OUT.json --contracts 100000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import orjson

from vivier.reference import cpv_table

PROCEDURES = [
    ("Procédure adaptée", 0.62),
    ("Appel d'offres ouvert", 0.25),
    ("Marché passé sans publicité ni mise en concurrence préalable", 0.06),
    ("Procédure avec négociation", 0.04),
    ("Appel d'offres restreint", 0.02),
    ("Dialogue compétitif", 0.01),
]
CONCESSION_PROCEDURES = ["Procédure négociée ouverte", "Procédure non négociée ouverte"]
NATURES = ["Marché", "Marché", "Marché", "Accord-cadre", "Marché subséquent"]
PRICE_FORMS = ["Forfaitaire", "Unitaire", "Mixte"]
VERBS = {"4": "Travaux de", "3": "Fourniture de", "1": "Fourniture de", "0": "Fourniture de"}
BUYER_KINDS = ["Commune de", "Centre hospitalier de", "Département de", "Lycée de", "CCAS de"]
TOWNS = [
    "Lyon",
    "Rennes",
    "Nantes",
    "Lille",
    "Bordeaux",
    "Marseille",
    "Tours",
    "Dijon",
    "Brest",
    "Metz",
    "Nancy",
    "Amiens",
    "Rouen",
    "Caen",
    "Pau",
    "Nîmes",
    "Évreux",
    "Sète",
    "Orléans",
]
COMPANY_FORMS = ["SAS", "SARL", "SA", "EURL", "SASU"]
SYLLABLES = ["tec", "bat", "nova", "ser", "ingé", "log", "éco", "pro", "ver", "dia", "lum"]

# Dirty-value rates, close to those of the real DECP samples (see docs/ingest.md).
RATE_DUPLICATE = 0.01
RATE_BAD_SIRET = 0.035
RATE_UNKNOWN_CPV = 0.025
RATE_CHECK_DIGIT = 0.3
RATE_LOST_ZERO = 0.01
RATE_PLACEHOLDER = 0.0005
RATE_ABSURD = 0.001
RATE_NON_POSITIVE = 0.005
RATE_TZ_SUFFIX = 0.2
RATE_MISSING_DATE = 0.02
RATE_IMPOSSIBLE_DATE = 0.0005
RATE_GARBLED = 0.05
RATE_FOREIGN = 0.02
RATE_MODIFIED = 0.05
RATE_CONCESSION = 0.003


def luhn_digit(digits: str) -> str:
    """The digit that makes `digits + d` pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 0:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return str((10 - total % 10) % 10)


def make_siret(rng: random.Random) -> str:
    siren = str(rng.randint(10_000_000, 99_999_999))
    siren += luhn_digit(siren)
    body = siren + f"{rng.randint(1, 9999):04d}"
    return body + luhn_digit(body)


def _name(rng: random.Random) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{word.upper()} {rng.choice(COMPANY_FORMS)}"


def _skewed(rng: random.Random, size: int) -> int:
    return int(size * rng.random() ** 3)


def _garble(text: str) -> str:
    return "".join("\ufffd" if char in "éèàêçô" else char for char in text)


class Generator:
    def __init__(self, buyers: int, suppliers: int, seed: int):
        self.rng = random.Random(seed)
        rng = self.rng
        self.cpv = [entry for entry in cpv_table().values()]
        self.buyers = [
            (make_siret(rng), f"{rng.choice(BUYER_KINDS)} {rng.choice(TOWNS)}")
            for _ in range(buyers)
        ]
        self.suppliers = [(make_siret(rng), _name(rng)) for _ in range(suppliers)]
        self.procedures = [label for label, _ in PROCEDURES]
        self.weights = [weight for _, weight in PROCEDURES]
        self.start = date(2019, 1, 1)

    def _day(self, offset: int) -> str:
        rng = self.rng
        text = (self.start + timedelta(days=offset)).isoformat()
        if rng.random() < RATE_IMPOSSIBLE_DATE:
            return "0" + text[1:]
        return text + "+01:00" if rng.random() < RATE_TZ_SUFFIX else text

    def _amount(self) -> float:
        rng, roll = self.rng, self.rng.random()
        if roll < RATE_PLACEHOLDER:
            return 999999999
        if roll < RATE_PLACEHOLDER + RATE_ABSURD:
            return round(rng.uniform(1e9, 1e17), 2)
        if roll < RATE_PLACEHOLDER + RATE_ABSURD + RATE_NON_POSITIVE:
            return rng.choice([0, -1, 0.0])
        return round(rng.lognormvariate(10.5, 1.6), 2)

    def _cpv(self) -> tuple[str, str]:
        rng = self.rng
        entry = self.cpv[_skewed(rng, len(self.cpv))]
        code = entry.code
        if rng.random() < RATE_UNKNOWN_CPV:
            code = code[:6] + f"{rng.randint(0, 99):02d}"
        if code.startswith("0") and rng.random() < RATE_LOST_ZERO:
            code = code[1:]
        elif rng.random() < RATE_CHECK_DIGIT:
            code += f"-{rng.randint(0, 9)}"
        return code, entry.label_fr

    def _suppliers(self) -> list[dict]:
        rng, items = self.rng, []
        for _ in range(rng.choice((1, 1, 1, 1, 2, 3))):
            if rng.random() < RATE_FOREIGN:
                items.append(
                    {
                        "titulaire": {
                            "typeIdentifiant": "TVA",
                            "id": "BE0" + str(rng.randint(10**8, 10**9 - 1)),
                        }
                    }
                )
                continue
            siret, _ = self.suppliers[_skewed(rng, len(self.suppliers))]
            if rng.random() < RATE_BAD_SIRET:
                siret = (
                    siret[:-1] + str((int(siret[-1]) + 1) % 10)
                    if rng.random() < 0.7
                    else siret[:13]
                )
            items.append({"titulaire": {"typeIdentifiant": "SIRET", "id": siret}})
        return items

    def marche(self, number: int) -> dict:
        rng = self.rng
        buyer, _ = self.buyers[_skewed(rng, len(self.buyers))]
        code, label = self._cpv()
        objet = f"{VERBS.get(code[0], 'Prestations de')} {label.lower()} - lot {rng.randint(1, 12)}"
        if rng.random() < RATE_GARBLED:
            objet = _garble(objet)
        offset = rng.randint(0, 6 * 365)
        record = {
            "id": f"{2019 + offset // 365}{number:08d}",
            "acheteur": {"id": buyer},
            "nature": rng.choice(NATURES),
            "objet": objet,
            "codeCPV": code,
            "procedure": rng.choices(self.procedures, self.weights)[0],
            "lieuExecution": {"code": f"{rng.randint(1, 95):02d}", "typeCode": "Code département"},
            "dureeMois": rng.choice((1, 3, 6, 12, 12, 24, 36, 48)),
            "datePublicationDonnees": self._day(offset + rng.randint(1, 60)),
            "montant": self._amount(),
            "formePrix": rng.choice(PRICE_FORMS),
            "offresRecues": rng.randint(1, 12),
            "marcheInnovant": rng.random() < 0.02,
            "titulaires": self._suppliers(),
        }
        if rng.random() >= RATE_MISSING_DATE:
            record["dateNotification"] = self._day(offset)
        if rng.random() < RATE_MODIFIED:
            record["modifications"] = [
                {
                    "modification": {
                        "id": 1,
                        "montant": round(record["montant"] * 1.1, 2) if record["montant"] else 1,
                        "dureeMois": record["dureeMois"] + 6,
                        "dateNotificationModification": self._day(offset + 200),
                        "datePublicationDonneesModification": self._day(offset + 210),
                    }
                }
            ]
        return record

    def concession(self, number: int) -> dict:
        rng = self.rng
        buyer, _ = self.buyers[_skewed(rng, len(self.buyers))]
        supplier, _ = self.suppliers[_skewed(rng, len(self.suppliers))]
        offset = rng.randint(0, 6 * 365)
        return {
            "id": f"C{number:09d}",
            "autoriteConcedante": {"id": buyer},
            "nature": "Concession de service",
            "objet": "Délégation de service public",
            "procedure": rng.choice(CONCESSION_PROCEDURES),
            "dureeMois": rng.choice((60, 120, 240)),
            "dateSignature": self._day(offset),
            "datePublicationDonnees": self._day(offset + 30),
            "valeurGlobale": round(rng.lognormvariate(13, 1.5), 2),
            "concessionnaires": [{"concessionnaire": {"typeIdentifiant": "SIRET", "id": supplier}}],
        }


def _write_list(handle, records) -> None:
    first = True
    for record in records:
        handle.write(b"\n" if first else b",\n")
        handle.write(orjson.dumps(record))
        first = False


def generate_decp_2024(
    path: Path | str,
    contracts: int = 1_800_000,
    buyers: int = 30_000,
    suppliers: int = 220_000,
    seed: int = 0,
) -> dict[str, int]:
    """Write the synthetic file; returns what was written (records, duplicates, concessions)."""
    generator = Generator(buyers, suppliers, seed)
    rng = generator.rng
    concessions = int(contracts * RATE_CONCESSION)
    marches = contracts - concessions
    duplicates = 0

    def marche_records():
        nonlocal duplicates
        previous = None
        for number in range(marches):
            if previous is not None and rng.random() < RATE_DUPLICATE:
                duplicates += 1
                yield previous  # the same contract published twice
                previous = None
                continue
            previous = generator.marche(number)
            yield previous

    with open(path, "wb", buffering=1 << 20) as handle:
        handle.write(b'{"marches": {"marche": [')
        _write_list(handle, marche_records())
        handle.write(b'\n], "contrat-concession": [')
        _write_list(handle, (generator.concession(n) for n in range(concessions)))
        handle.write(b"\n]}}\n")
    return {"records": contracts, "duplicates": duplicates, "concessions": concessions}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--contracts", type=int, default=1_800_000)
    parser.add_argument("--buyers", type=int, default=30_000)
    parser.add_argument("--suppliers", type=int, default=220_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    stats = generate_decp_2024(args.out, args.contracts, args.buyers, args.suppliers, args.seed)
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size / 1e6
    print(f"{args.out}: {stats} — {size:.0f} MB in {elapsed:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
