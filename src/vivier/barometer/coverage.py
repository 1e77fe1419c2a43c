"""Coverage: is a low share a low share, or a reporting gap? Contracts published per year,
per perimeter and per buyer, silent buyers, and suppliers identified by a valid SIREN.

Two halves: `publications` reads only the publications table (every year), so it can run
on its own cursor; `sirens` reads the valid SIRENs of the barometer's year (scope table);
`coverage` puts them together."""

from __future__ import annotations

import duckdb

from vivier.barometer.figures import share
from vivier.barometer.labels import perimeter_label
from vivier.warehouse import barometer as sql
from vivier.warehouse import barometer_years as years_sql

NO_SIRENS = (None, None, None)


def publications(connection: duckdb.DuckDBPyConnection, year: int) -> dict:
    """What was published: per perimeter and year, per buyer, and the silent buyers (from
    the publications table of `connection`: `years_sql.build_publications` first)."""
    return {
        "perimeters": years_sql.perimeter_publications(connection),
        "buyers": years_sql.buyer_publications(connection),
        "silent_buyers": years_sql.silent_buyers(connection, year),
    }


def _with_sirens(row: dict, sirens: tuple) -> dict:
    suppliers, valid, valid_share = sirens
    row["suppliers"], row["suppliers_valid_siren"] = suppliers, valid
    row["valid_siren_share"] = valid_share
    return row


def sirens(connection: duckdb.DuckDBPyConnection, by_buyer: dict) -> dict:
    """The valid SIRENs of the barometer's year, per perimeter (scope table of
    `connection`) and per buyer (`by_buyer`: from the buyer breakdown)."""
    return {"perimeters": sql.valid_sirens(connection), "buyers": by_buyer}


def perimeters(year: int, published: list[dict], by_perimeter: dict) -> list[dict]:
    """Per perimeter and year; valid SIRENs on the rows of the barometer's year."""
    rows = []
    for row in published:
        found = by_perimeter.get(row["perimeter"]) if row["year"] == year else None
        rows.append(_with_sirens(row, found or NO_SIRENS))
        row["label"] = perimeter_label(row["perimeter"])
    return rows


def buyers(published: list[dict], by_buyer: dict) -> list[dict]:
    """Per buyer; valid SIRENs of the barometer's year (None when it published nothing)."""
    for row in published:
        found = by_buyer.get(row["buyer"])
        if found:
            _with_sirens(row, found)
    return published


def coverage(year: int, published: dict, valid: dict) -> dict:
    """The coverage section: what was `published` (see `publications`) with the `valid`
    SIRENs of the barometer's year (see `sirens`)."""
    perimeter_rows = perimeters(year, published["perimeters"], valid["perimeters"])
    of_year = [row for row in perimeter_rows if row["year"] == year]
    suppliers = sum(row["suppliers"] or 0 for row in of_year)
    valid_count = sum(row["suppliers_valid_siren"] or 0 for row in of_year)
    return {
        "year": year,
        "suppliers": suppliers,
        "suppliers_valid_siren": valid_count,
        "valid_siren_share": share(valid_count, suppliers),
        "buyers_publishing": sum(row["buyers"] for row in of_year),
        "silent_buyers": published["silent_buyers"],
        "perimeters": perimeter_rows,
        "buyers": buyers(published["buyers"], valid["buyers"]),
    }
