"""Coverage: is a low share a low share, or a reporting gap? Contracts published per year,
per perimeter and per buyer, silent buyers, and suppliers identified by a valid SIREN."""

from __future__ import annotations

import duckdb

from vivier.barometer.figures import share
from vivier.barometer.labels import perimeter_label
from vivier.warehouse import barometer as sql


def perimeters(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = sql.perimeter_coverage(connection)
    for row in rows:
        row["label"] = perimeter_label(row["perimeter"])
    return rows


def coverage(connection: duckdb.DuckDBPyConnection, year: int) -> dict:
    """The coverage section, from the publications table (`sql.build_publications`) and,
    for valid SIRENs, the scope table of the barometer's year."""
    perimeter_rows = perimeters(connection)
    buyer_rows = sql.buyer_coverage(connection)
    of_year = [row for row in perimeter_rows if row["year"] == year]
    suppliers = sum(row["suppliers"] or 0 for row in of_year)
    valid = sum(row["suppliers_valid_siren"] or 0 for row in of_year)
    return {
        "year": year,
        "suppliers": suppliers,
        "suppliers_valid_siren": valid,
        "valid_siren_share": share(valid, suppliers),
        "buyers_publishing": sum(row["buyers"] for row in of_year),
        "silent_buyers": sql.silent_buyers(connection, year),
        "perimeters": perimeter_rows,
        "buyers": buyer_rows,
    }
