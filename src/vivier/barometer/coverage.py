"""Coverage: is a low share a low share, or a reporting gap? Contracts published per year,
per perimeter and per buyer, silent buyers, and suppliers identified by a valid SIREN."""

from __future__ import annotations

import duckdb

from vivier.barometer.figures import share
from vivier.barometer.labels import perimeter_label
from vivier.warehouse import barometer as sql


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


def perimeters(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    return [
        {
            "perimeter": row["perimeter"],
            "label": perimeter_label(row["perimeter"]),
            "year": int(row["year"]),
            "contracts": int(row["contracts"]),
            "buyers": int(row["buyers"]),
            "first_publication": _date(row["first_publication"]),
            "last_publication": _date(row["last_publication"]),
            "suppliers": int(row["suppliers"]),
            "suppliers_valid_siren": int(row["suppliers_valid_siren"]),
            "valid_siren_share": share(row["suppliers_valid_siren"], row["suppliers"]),
        }
        for row in sql.perimeter_coverage(connection)
    ]


def buyers(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    return [
        {
            "buyer": row["key"],
            "name": row["name"],
            "perimeter": row["perimeter"],
            "first_publication": _date(row["first_publication"]),
            "last_publication": _date(row["last_publication"]),
            "contracts_by_year": {
                str(item["year"]): int(item["contracts"]) for item in row["years"]
            },
            "suppliers": int(row["suppliers"]),
            "suppliers_valid_siren": int(row["suppliers_valid_siren"]),
            "valid_siren_share": share(row["suppliers_valid_siren"], row["suppliers"]),
        }
        for row in sql.buyer_coverage(connection)
    ]


def silent_buyers(buyer_rows: list[dict], year: int) -> list[dict]:
    """Buyers that published contracts in an earlier year but none in `year`."""
    silent = []
    for row in buyer_rows:
        years = [int(y) for y in row["contracts_by_year"]]
        earlier = [y for y in years if y < year]
        if earlier and year not in years:
            silent.append(
                {
                    "buyer": row["buyer"],
                    "name": row["name"],
                    "perimeter": row["perimeter"],
                    "last_year": max(earlier),
                    "contracts_last_year": row["contracts_by_year"][str(max(earlier))],
                }
            )
    silent.sort(key=lambda item: (-item["contracts_last_year"], item["buyer"] or ""))
    return silent


def coverage(connection: duckdb.DuckDBPyConnection, year: int) -> dict:
    """The coverage section (uses the scope table built for the barometer)."""
    perimeter_rows = perimeters(connection)
    buyer_rows = buyers(connection)
    of_year = [row for row in perimeter_rows if row["year"] == year]
    suppliers = sum(row["suppliers"] for row in of_year)
    valid = sum(row["suppliers_valid_siren"] for row in of_year)
    return {
        "year": year,
        "suppliers": suppliers,
        "suppliers_valid_siren": valid,
        "valid_siren_share": share(valid, suppliers),
        "buyers_publishing": sum(1 for row in buyer_rows if str(year) in row["contracts_by_year"]),
        "silent_buyers": silent_buyers(buyer_rows, year),
        "perimeters": perimeter_rows,
        "buyers": buyer_rows,
    }
