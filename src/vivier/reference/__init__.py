"""Reference nomenclatures shipped as package data: CPV 2008, NAF, legal categories,
headcount bands, départements and regions. Loaded lazily, once per process."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class CpvEntry:
    code: str
    label_fr: str
    label_en: str
    parent: str | None
    significant_digits: int


def data_file(name: str):
    return resources.files("vivier.reference").joinpath("data", name)


@cache
def cpv_table() -> dict[str, CpvEntry]:
    """Every CPV 2008 code (8 digits, no check digit) with its labels."""
    with data_file("cpv_2008_fr_en.csv").open(encoding="utf-8") as handle:
        return {
            row["code"]: CpvEntry(
                code=row["code"],
                label_fr=row["label_fr"],
                label_en=row["label_en"],
                parent=row["parent_code"] or None,
                significant_digits=int(row["significant_digits"]),
            )
            for row in csv.DictReader(handle)
        }


def cpv_known(code: str | None) -> bool:
    return bool(code) and code in cpv_table()


def cpv_label(code: str | None) -> str | None:
    entry = cpv_table().get(code or "")
    return entry.label_fr if entry else None


@cache
def labels(name: str) -> dict[str, str]:
    """A code → French label mapping: 'codes-NAF', 'departements', 'regions',
    'natures-juridiques', 'tranches-effectifs', 'sections-codes-NAF', 'natures-entreprises'."""
    with data_file(f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)
