"""The JSON file and one CSV per breakdown (and per coverage table)."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson

from vivier.barometer.labels import CSV_NAMES

FIGURE_COLUMNS = {
    "contracts": "contrats",
    "contracts_with_startup": "contrats_avec_startup",
    "startup_contracts": "contrats_startup",
    "startup_contract_share": "part_nombre",
    "amount_total": "montant_total",
    "amount_startup": "montant_startup",
    "startup_amount_share": "part_valeur",
    "excluded_amounts": "montants_exclus",
}
BREAKDOWN_COLUMNS = {"key": "cle", "label": "libelle", "perimeter": "perimetre", **FIGURE_COLUMNS}
TREND_COLUMNS = {"year": "annee", **FIGURE_COLUMNS}
SENSITIVITY_COLUMNS = {"definition": "definition", "version": "version", **FIGURE_COLUMNS}
PERIMETER_COVERAGE_COLUMNS = {
    "perimeter": "perimetre",
    "year": "annee",
    "contracts": "contrats",
    "buyers": "acheteurs",
    "first_publication": "premiere_publication",
    "last_publication": "derniere_publication",
    "suppliers": "titulaires",
    "suppliers_valid_siren": "titulaires_siren_valide",
    "valid_siren_share": "part_siren_valide",
}
BUYER_COVERAGE_COLUMNS = {
    "buyer": "acheteur",
    "name": "nom",
    "perimeter": "perimetre",
    "first_publication": "premiere_publication",
    "last_publication": "derniere_publication",
    "contracts_by_year": "contrats_par_annee",
    "suppliers": "titulaires",
    "suppliers_valid_siren": "titulaires_siren_valide",
    "valid_siren_share": "part_siren_valide",
}
SILENT_COLUMNS = {
    "buyer": "acheteur",
    "name": "nom",
    "perimeter": "perimetre",
    "last_year": "derniere_annee",
    "contracts_last_year": "contrats_derniere_annee",
}


def write_json(result: dict, path: Path) -> Path:
    path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    return path


def _cell(value) -> object:
    if isinstance(value, dict):
        return " ".join(f"{key}:{count}" for key, count in value.items())
    return "" if value is None else value


def write_csv(rows: list[dict], columns: dict[str, str], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns.values())
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
    return path


def csv_files(result: dict, out: Path, stem: str) -> dict[str, Path]:
    """Write every CSV; returns name → path (breakdown names, then the extra tables)."""
    written = {
        name: write_csv(rows, BREAKDOWN_COLUMNS, out / f"{stem}-{CSV_NAMES[name]}.csv")
        for name, rows in result["breakdowns"].items()
    }
    coverage = result["coverage"]
    extra = {
        "trend": (result["trend"], TREND_COLUMNS, "evolution"),
        "sensitivity": (result["sensitivity"], SENSITIVITY_COLUMNS, "sensibilite"),
        "coverage_perimeters": (
            coverage["perimeters"],
            PERIMETER_COVERAGE_COLUMNS,
            "couverture-perimetres",
        ),
        "coverage_buyers": (coverage["buyers"], BUYER_COVERAGE_COLUMNS, "couverture-acheteurs"),
        "silent_buyers": (coverage["silent_buyers"], SILENT_COLUMNS, "acheteurs-silencieux"),
    }
    for name, (rows, columns, suffix) in extra.items():
        written[name] = write_csv(rows, columns, out / f"{stem}-{suffix}.csv")
    return written
