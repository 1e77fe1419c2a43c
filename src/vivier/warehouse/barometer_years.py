"""The barometer's SQL over every year: the trend, the undated contracts and the coverage
of publications.

It reads only warehouse tables and its own temporary table (`barometer_publications`, per
buyer and year: contracts, valid amount, amounts left out, first and last publication), so
it can run on a second cursor while `vivier.warehouse.barometer` builds the year's scope.
"""

from __future__ import annotations

import duckdb

from vivier.warehouse.barometer import (
    DECP_CONTRACTS,
    StartupTest,
    buyers_relation,
    candidate_filter,
    hits_cte,
    perimeter_clause,
)
from vivier.warehouse.results import arrow_rows, query_rows

PUBLICATIONS_TABLE = "barometer_publications"


def undated_contracts(connection: duckdb.DuckDBPyConnection, perimeter: str) -> int:
    clause, params = perimeter_clause(perimeter)
    sql = f"""SELECT count(*) FROM {DECP_CONTRACTS} c LEFT JOIN {buyers_relation(connection)} b
  ON b.siret = c.buyer_siret WHERE c.notification_date IS NULL {clause}"""
    return connection.execute(sql, params).fetchone()[0]


def trend_startups(
    connection: duckdb.DuckDBPyConnection, perimeter: str, test: StartupTest
) -> dict[int, dict]:
    """Year → the start-up aggregates of every year in the warehouse (same perimeter and
    test). Reads only warehouse tables, so it can run on its own cursor.

    Only the candidate supplier rows are dated and tested, and only contracts with a
    start-up have their suppliers counted."""
    clause, params = perimeter_clause(perimeter)
    join = f"LEFT JOIN {buyers_relation(connection)} b ON b.siret = c.buyer_siret" if clause else ""
    extra = ", any_value(year(s.notification_date)) AS year, any_value(s.amount) AS amount"
    sql = f"""WITH candidate_rows AS MATERIALIZED (
  SELECT s.cid, s.siren FROM contract_suppliers s WHERE {candidate_filter(test)}),
supplier_rows AS MATERIALIZED (
  SELECT s.cid, s.siren, c.notification_date, c.amount
  FROM candidate_rows s JOIN {DECP_CONTRACTS} c ON c.cid = s.cid {join}
  WHERE c.notification_date IS NOT NULL {clause}),
{hits_cte(0, test, "supplier_rows", extra, prefiltered=True)},
counted AS (
  SELECT s.cid, count(*) AS n_suppliers FROM contract_suppliers s
  WHERE s.cid IN (SELECT cid FROM hits0) GROUP BY s.cid)
SELECT h.year, count(*) AS contracts_with_startup,
  sum(h.n0 / c.n_suppliers) AS startup_contracts,
  sum(h.amount * (h.n0 / c.n_suppliers)) AS amount_startup
FROM hits0 h JOIN counted c USING (cid) GROUP BY h.year"""
    return {row.pop("year"): row for row in query_rows(connection, sql, params)}


def trend(connection: duckdb.DuckDBPyConnection, startups: dict[int, dict]) -> list[dict]:
    """The aggregates of every year: totals from the publications table
    (`build_publications` first), start-up figures from `trend_startups`."""
    sql = f"""SELECT year, CAST(sum(contracts) AS BIGINT) AS contracts,
  coalesce(sum(amount_total), 0) AS amount_total,
  CAST(sum(excluded_amounts) AS BIGINT) AS excluded_amounts
FROM {PUBLICATIONS_TABLE} GROUP BY year ORDER BY year"""
    none = {"contracts_with_startup": 0, "startup_contracts": 0.0, "amount_startup": 0.0}
    return [{**row, **startups.get(row["year"], none)} for row in query_rows(connection, sql, [])]


def build_publications(connection: duckdb.DuckDBPyConnection, perimeter: str) -> None:
    """(Re)create the publications table: per buyer and year, contracts published (with
    their valid amount and the number left out, for the trend's totals).

    Contracts are grouped first, then the (small) buyers table is joined. A group's SIRET
    is its key when one of its contracts has a valid SIRET (the key is the SIRET then):
    counted, not carried as a string through the grouping."""
    clause, params = perimeter_clause(perimeter)
    where = clause.replace("AND", "WHERE", 1)
    sql = f"""CREATE OR REPLACE TEMP TABLE {PUBLICATIONS_TABLE} AS
WITH p AS (
  SELECT coalesce(c.buyer_siret, c.buyer_id_raw) AS buyer_key,
    count(c.buyer_siret) > 0 AS has_siret, year(c.notification_date) AS year,
    count(*) AS contracts, any_value(c.buyer_name) AS raw_name,
    coalesce(sum(c.amount), 0) AS amount_total,
    count(*) FILTER (WHERE c.amount IS NULL) AS excluded_amounts,
    min(coalesce(c.publication_date, c.notification_date)) AS first_publication,
    max(coalesce(c.publication_date, c.notification_date)) AS last_publication
  FROM {DECP_CONTRACTS} c WHERE c.notification_date IS NOT NULL GROUP BY 1, 3)
SELECT p.buyer_key, coalesce(b.name, p.raw_name) AS name,
  coalesce(b.perimeter, 'autres') AS perimeter, p.year, p.contracts, p.amount_total,
  p.excluded_amounts, p.first_publication, p.last_publication
FROM p LEFT JOIN {buyers_relation(connection)} b ON p.has_siret AND b.siret = p.buyer_key
{where}"""
    connection.execute(sql, params)


def perimeter_publications(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per perimeter and year: contracts, buyers, first and last publication."""
    sql = f"""SELECT perimeter, year, CAST(sum(contracts) AS BIGINT) AS contracts,
  count(DISTINCT buyer_key) AS buyers,
  CAST(min(first_publication) AS VARCHAR) AS first_publication,
  CAST(max(last_publication) AS VARCHAR) AS last_publication
FROM {PUBLICATIONS_TABLE} GROUP BY perimeter, year ORDER BY perimeter, year"""
    return query_rows(connection, sql, [])


def buyer_publications(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per buyer: first and last publication, then `suppliers`, `suppliers_valid_siren`
    and `valid_siren_share` left None (the year's valid SIRENs come with the buyer
    breakdown of the scope table), then the contracts published per year
    (`contracts_by_year`, year as text → count).

    The years are pivoted into columns: flat rows come out of DuckDB much faster than
    nested ones."""
    years = [
        int(year)
        for (year,) in connection.execute(
            f"SELECT DISTINCT year FROM {PUBLICATIONS_TABLE} ORDER BY year"
        ).fetchall()
    ]
    pivot = "".join(
        f",\n    CAST(sum(contracts) FILTER (WHERE year = {year}) AS BIGINT) AS y{year}"
        for year in years
    )
    sql = f"""SELECT buyer_key AS buyer, any_value(name) AS name,
    any_value(perimeter) AS perimeter,
    CAST(min(first_publication) AS VARCHAR) AS first_publication,
    CAST(max(last_publication) AS VARCHAR) AS last_publication{pivot}
FROM {PUBLICATIONS_TABLE} GROUP BY buyer_key ORDER BY buyer NULLS LAST"""
    table = connection.sql(sql).to_arrow_table()
    buyers, names, perimeters, firsts, lasts, *counts = (
        column.to_pylist() for column in table.columns
    )
    labels = [str(year) for year in years]
    rows = []
    for buyer, name, perimeter, first, last, by_year in zip(
        buyers, names, perimeters, firsts, lasts, zip(*counts, strict=True), strict=True
    ):
        contracts_by_year = dict(zip(labels, by_year, strict=True))
        if None in by_year:  # years the buyer published nothing in
            contracts_by_year = {
                label: count for label, count in contracts_by_year.items() if count is not None
            }
        rows.append(
            {
                "buyer": buyer,
                "name": name,
                "perimeter": perimeter,
                "first_publication": first,
                "last_publication": last,
                "suppliers": None,
                "suppliers_valid_siren": None,
                "valid_siren_share": None,
                "contracts_by_year": contracts_by_year,
            }
        )
    return rows


def silent_buyers(connection: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Buyers that published in an earlier year but nothing in `year`."""
    sql = f"""WITH silent AS (
  SELECT buyer_key FROM {PUBLICATIONS_TABLE} GROUP BY buyer_key
  HAVING count(*) FILTER (WHERE year = ?) = 0 AND count(*) FILTER (WHERE year < ?) > 0)
SELECT p.buyer_key AS buyer, p.name, p.perimeter, p.year AS last_year,
       p.contracts AS contracts_last_year
FROM {PUBLICATIONS_TABLE} p JOIN silent USING (buyer_key) WHERE p.year < ?
QUALIFY row_number() OVER (PARTITION BY p.buyer_key ORDER BY p.year DESC) = 1
ORDER BY contracts_last_year DESC, buyer NULLS LAST"""
    return arrow_rows(connection, sql, [year, year, year])
