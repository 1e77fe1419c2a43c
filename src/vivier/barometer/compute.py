"""The barometer of one year: headline, breakdowns, trend, target gap, coverage, sensitivity.

The method is `docs/barometer-method.md`; the SQL is `vivier.warehouse.barometer`.
"""

from __future__ import annotations

import heapq
from concurrent.futures import ThreadPoolExecutor

import duckdb

from vivier.barometer import coverage as coverage_section
from vivier.barometer.definitions import Definition
from vivier.barometer.figures import figures, share
from vivier.barometer.labels import BREAKDOWNS, PERIMETERS, key_label, perimeter_label
from vivier.config import Settings
from vivier.errors import BadValueError
from vivier.match.packing import gc_paused
from vivier.sources.normalise import FLAG_REASONS
from vivier.warehouse import barometer as sql
from vivier.warehouse import barometer_years as years_sql

SIREN_EXPR = "s.siren"
DATE_EXPR = "s.notification_date"
TOP_BUYERS = 10


def check_perimeter(perimeter: str) -> str:
    if perimeter not in PERIMETERS:
        choices = ", ".join(PERIMETERS)
        raise BadValueError(f"Périmètre inconnu : « {perimeter} » (choix : {choices}).")
    return perimeter


def condition_of(definition: Definition) -> str:
    return definition.sql_condition(SIREN_EXPR, DATE_EXPR)


def startup_test(definition: Definition) -> sql.StartupTest:
    """The definition's condition, with its candidate SIRENs when it can tell them."""
    candidates = getattr(definition, "sql_candidates", None)
    return sql.StartupTest(condition_of(definition), candidates() if candidates else None)


def breakdown_rows(connection: duckdb.DuckDBPyConnection, name: str) -> list[dict]:
    """The rows of one breakdown (not buyers: `buyer_rows`): key, French label, then the
    published figures."""
    columns = ["key", "label", *sql.PUBLISHED_COLUMNS]
    return [
        dict(zip(columns, (row[0], key_label(name, row[0]), *row[1:]), strict=True))
        for row in sql.breakdown(connection, name)
    ]


def buyer_rows(connection: duckdb.DuckDBPyConnection) -> tuple[list[dict], dict]:
    """The buyer breakdown's rows (key, name or French label, perimeter, then the published
    figures), and per buyer its valid SIRENs of the year, for the coverage."""
    columns = ["key", "label", "perimeter", *sql.PUBLISHED_COLUMNS]
    width = len(columns)
    rows, sirens = [], {}
    for row in sql.breakdown(connection, "buyer"):
        key = row[0]
        shaped = (key, row[1] or key_label("buyer", key), *row[2:width])
        rows.append(dict(zip(columns, shaped, strict=True)))
        sirens[key] = row[width:]
    return rows, sirens


def all_breakdowns(connection: duckdb.DuckDBPyConnection) -> tuple[dict, dict]:
    """Every breakdown (in `BREAKDOWNS` order), and the valid SIRENs per buyer."""
    breakdowns, by_buyer = {}, {}
    for name in BREAKDOWNS:
        if name == "buyer":
            breakdowns[name], by_buyer = buyer_rows(connection)
        else:
            breakdowns[name] = breakdown_rows(connection, name)
    return breakdowns, by_buyer


def excluded_reasons(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Why amounts were left out: the ingest's flag reasons, with their French label."""
    return [
        {**row, "label": FLAG_REASONS.get(row["reason"], row["reason"]) or "montant absent"}
        for row in sql.excluded_amount_reasons(connection)
    ]


def top_buyers(buyer_rows: list[dict]) -> list[dict]:
    """The buyers that bought most from start-ups (value, then fractional count)."""
    buying = (row for row in buyer_rows if row["startup_contracts"] > 0)
    return heapq.nsmallest(  # = sorted(...)[:TOP_BUYERS], without sorting every buyer
        TOP_BUYERS,
        buying,
        key=lambda row: (-row["amount_startup"], -row["startup_contracts"], row["key"]),
    )


def target_gap(
    connection: duckdb.DuckDBPyConnection,
    year: int,
    definition: Definition,
    settings: Settings,
    perimeter: str,
) -> dict:
    """The State's target: the gap in points and in euros at the year's volume."""
    target_perimeter = settings.target_perimeter
    if perimeter in ("all", target_perimeter):  # the scope table holds it
        row = sql.headline(connection, target_perimeter)
    else:
        row = sql.headline_of(connection, year, target_perimeter, startup_test(definition))
    current = share(row["amount_startup"], row["amount_total"])
    target = settings.target_share
    gap_points = round((target - current) * 100, 4) if current is not None else None
    gap_amount = round(target * row["amount_total"] - row["amount_startup"], 2)
    return {
        "share": target,
        "year": settings.target_year,
        "perimeter": target_perimeter,
        "perimeter_label": perimeter_label(target_perimeter),
        "amount_total": round(row["amount_total"], 2),
        "amount_startup": round(row["amount_startup"], 2),
        "current_share": current,
        "gap_points": gap_points,
        "gap_amount": gap_amount if current is not None else None,
        "reached": current is not None and current >= target,
    }


def sensitivity(connection: duckdb.DuckDBPyConnection, definitions: list[Definition]) -> list[dict]:
    rows = sql.sensitivity(connection, len(definitions))
    return [
        {"definition": definition.name, "version": str(definition.version), **figures(row)}
        for definition, row in zip(definitions, rows, strict=True)
    ]


def count(number: int) -> str:
    """A count as French readers write it: 12 345."""
    return f"{number:,}".replace(",", " ")


def notes(result: dict, unlisted: int) -> list[str]:
    """What a reader must know to read the figures right (French)."""
    lines = []
    undated, excluded = count(result["undated_contracts"]), count(result["excluded_amounts"])
    if unlisted:
        lines.append(
            f"{count(unlisted)} contrat(s) d'acheteurs absents de la table des acheteurs "
            "sont comptés dans le périmètre « autres »."
        )
    if result["undated_contracts"]:
        lines.append(
            f"{undated} contrat(s) sans date de notification valide "
            "sont hors des chiffres annuels (« non datés »)."
        )
    if result["excluded_amounts"]:
        lines.append(
            f"{excluded} contrat(s) au montant invalide ou absent sont "
            "comptés en nombre mais exclus des montants."
        )
    if not result["contracts"]:
        lines.append("Aucun contrat daté pour cette année et ce périmètre.")
    return lines


def compute_barometer(
    connection: duckdb.DuckDBPyConnection,
    year: int,
    definition: Definition,
    settings: Settings,
    perimeter: str = "all",
    sensitivity_definitions: list[Definition] | None = None,
) -> dict:
    """Every figure of the barometer of `year`, as one JSON-ready dict.

    Two halves run at once, each on its own cursor and DuckDB thread, so that both cores
    stay busy: the figures of the year (scope table) on `connection`, the figures over
    every year (trend, publications) on a second cursor, which sees only what
    `connection` has committed."""
    check_perimeter(perimeter)
    others = [item for item in sensitivity_definitions or [] if item.name != definition.name]
    compared = [definition, *others]
    tests = [startup_test(item) for item in compared]
    with (
        gc_paused(),  # tens of thousands of rows become dicts: no collection walks them
        sql.one_thread_per_cursor(connection),
        ThreadPoolExecutor(max_workers=1) as pool,
        sql.sibling_cursor(connection) as cursor,
    ):
        every_year = pool.submit(_every_year, cursor, year, perimeter, tests[0])
        sql.build_scope(connection, perimeter, tests, year)
        head = sql.headline(connection)
        breakdowns, by_buyer = all_breakdowns(connection)
        of_year = {
            "excluded_amount_reasons": excluded_reasons(connection),
            "breakdowns": breakdowns,
            "top_buyers": top_buyers(breakdowns["buyer"]),
            "target": target_gap(connection, year, definition, settings, perimeter),
        }
        sensitivity_rows = sensitivity(connection, compared)
        valid_sirens = coverage_section.sirens(connection, by_buyer)
        undated, trend, published = every_year.result()
    of_year["coverage"] = coverage_section.coverage(year, published, valid_sirens)
    result = {
        "year": year,
        "perimeter": perimeter,
        "perimeter_label": perimeter_label(perimeter),
        "definition": definition.name,
        "definition_version": str(definition.version),
        **figures(head),
        "undated_contracts": undated,
        **of_year,
        "sensitivity": sensitivity_rows,
    }
    result["notes"] = notes(result, int(head["unlisted_buyer_contracts"]))
    result["trend"] = trend
    return result


def _every_year(
    cursor: duckdb.DuckDBPyConnection, year: int, perimeter: str, test: sql.StartupTest
) -> tuple[int, list[dict], dict]:
    """The undated contracts, the trend and the publications of every year (warehouse
    tables and this cursor's own publications table only)."""
    undated = years_sql.undated_contracts(cursor, perimeter)
    startups = years_sql.trend_startups(cursor, perimeter, test)
    years_sql.build_publications(cursor, perimeter)
    trend = [
        {"year": int(row["year"]), **figures(row)} for row in years_sql.trend(cursor, startups)
    ]
    return undated, trend, coverage_section.publications(cursor, year)


def latest_year(connection: duckdb.DuckDBPyConnection, minimum_contracts: int = 1) -> int | None:
    """The most recent year with at least `minimum_contracts` dated contracts."""
    years = [
        year for year, count in sql.years_with_contracts(connection) if count >= minimum_contracts
    ]
    return max(years) if years else None
