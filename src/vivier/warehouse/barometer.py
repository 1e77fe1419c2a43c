"""The barometer's SQL: set-based aggregates over contracts, suppliers and buyers.

One temporary table (`barometer_scope`, one row per dated contract of the perimeter, with
its start-up fraction under the chosen definition) feeds every breakdown and the coverage of
suppliers; another (`barometer_publications`, per buyer and year, every year) feeds the
coverage of publications and the trend's totals.

A start-up test is a `StartupTest`: a DuckDB boolean condition over `s.siren` and
`s.notification_date` (from `vivier.startups.definitions`), and optionally a query of the
SIRENs that can meet it on some date. Only the supplier rows whose SIREN is such a candidate
reach the dated condition, which is where the time goes.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import duckdb

SCOPE_TABLE = "barometer_scope"
PUBLICATIONS_TABLE = "barometer_publications"


class StartupTest(NamedTuple):
    """Is supplier `s` a start-up on `s.notification_date`: the condition, and the query of
    the SIRENs that can meet it on some date (None: every valid SIREN is a candidate)."""

    condition: str
    candidates: str | None = None


# Every buyer once (a buyer listed twice must not count its contracts twice).
_BUYERS = """(SELECT siret, any_value(perimeter) AS perimeter, any_value(ministry) AS ministry,
       any_value(region) AS region, any_value(name) AS name
  FROM buyers GROUP BY siret)"""
_NO_BUYERS = """(SELECT NULL::VARCHAR AS siret, NULL::VARCHAR AS perimeter,
       NULL::VARCHAR AS ministry, NULL::VARCHAR AS region, NULL::VARCHAR AS name WHERE false)"""

# The amount bands (EUR excl. VAT): French procurement thresholds.
AMOUNT_BAND_SQL = """CASE
  WHEN amount IS NULL THEN NULL
  WHEN amount < 40000 THEN '1'
  WHEN amount < 90000 THEN '2'
  WHEN amount < 221000 THEN '3'
  WHEN amount < 1000000 THEN '4'
  WHEN amount < 5538000 THEN '5'
  ELSE '6' END"""

# Breakdown name → (key expression over the scope table, extra filter or None).
BREAKDOWN_KEYS: dict[str, tuple[str, str | None]] = {
    "perimeter": ("perimeter", None),
    "ministry": ("coalesce(ministry, 'non attribué')", "perimeter IN ('etat', 'etat_ep')"),
    "buyer": ("buyer_key", None),
    "cpv_division": ("substr(cpv, 1, 2)", None),
    "procedure": ("procedure", None),
    "nature": ("nature", None),
    "region": ("region", None),
    "amount_band": (AMOUNT_BAND_SQL, None),
    "innovative": ("CASE WHEN innovative THEN 'oui' WHEN NOT innovative THEN 'non' END", None),
}

_AGGREGATES = """count(*) AS contracts,
  count(*) FILTER (WHERE has_startup) AS contracts_with_startup,
  coalesce(sum(startup_fraction), 0) AS startup_contracts,
  coalesce(sum(amount), 0) AS amount_total,
  coalesce(sum(amount * startup_fraction), 0) AS amount_startup,
  count(*) FILTER (WHERE amount IS NULL) AS excluded_amounts"""

AGGREGATE_COLUMNS = [
    "contracts",
    "contracts_with_startup",
    "startup_contracts",
    "amount_total",
    "amount_startup",
    "excluded_amounts",
]

# The barometer counts awards as DECP publishes them: award notices read from TED and
# BOAMP feed the warehouse too (for matching), but the same contracts are in the DECP
# under another key, so counting them here would count them twice.
NOTICE_SOURCES = ("ted", "boamp")
DECP_CONTRACTS = "(SELECT * FROM contracts WHERE source IS NULL OR source NOT IN ({}))".format(
    ", ".join(f"'{source}'" for source in NOTICE_SOURCES)
)


def sibling_cursor(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A second cursor on the same database, in the same current catalog and schema (the
    web app reads the warehouse attached to an in-memory database). It sees only what
    `connection` has committed, and none of its temporary tables."""
    catalog, schema = connection.execute("SELECT current_database(), current_schema()").fetchall()[
        0
    ]
    cursor = connection.cursor()
    quoted = ".".join('"' + name.replace('"', '""') + '"' for name in (catalog, schema))
    cursor.execute(f"USE {quoted}")
    return cursor


def table_exists(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def _buyers(connection: duckdb.DuckDBPyConnection) -> str:
    return _BUYERS if table_exists(connection, "buyers") else _NO_BUYERS


def _perimeter_clause(perimeter: str) -> tuple[str, list]:
    if perimeter == "all":
        return "", []
    return "AND coalesce(b.perimeter, 'autres') = ?", [perimeter]


def _year_clause(year: int) -> tuple[str, list]:
    """Notified in `year` (a date range, so DuckDB can skip row groups)."""
    return "AND c.notification_date >= ? AND c.notification_date < ?", [
        date(year, 1, 1),
        date(year + 1, 1, 1),
    ]


def _scoped_cte(buyers: str, perimeter_clause: str, year_clause: str = "") -> str:
    return f"""scoped AS MATERIALIZED (
  SELECT c.uid, coalesce(c.buyer_siret, c.buyer_id_raw) AS buyer_key,
         coalesce(b.name, c.buyer_name) AS buyer_name,
         coalesce(b.perimeter, 'autres') AS perimeter, b.siret IS NULL AS buyer_unlisted,
         b.ministry, b.region, c.cpv, c.procedure, c.nature, c.innovative, c.amount,
         c.notification_date, year(c.notification_date) AS year,
         coalesce(c.publication_date, c.notification_date) AS published
  FROM {DECP_CONTRACTS} c LEFT JOIN {buyers} b ON b.siret = c.buyer_siret
  WHERE c.notification_date IS NOT NULL {perimeter_clause} {year_clause})"""


def _lean_scoped_cte(buyers: str, perimeter_clause: str, year_clause: str = "") -> str:
    """Only what the figures need (no names): for the trend and the target."""
    join = f"LEFT JOIN {buyers} b ON b.siret = c.buyer_siret" if perimeter_clause else ""
    return f"""scoped AS MATERIALIZED (
  SELECT c.uid, c.amount, c.notification_date, year(c.notification_date) AS year
  FROM {DECP_CONTRACTS} c {join}
  WHERE c.notification_date IS NOT NULL {perimeter_clause} {year_clause})"""


def _candidate(test: StartupTest) -> str:
    """Supplier `s` can be a start-up under `test` on some date."""
    return f"s.siren IN ({test.candidates})" if test.candidates else "s.siren IS NOT NULL"


def _hits_cte(
    index: int, test: StartupTest, rows: str, extra: str = "", prefiltered: bool = False
) -> str:
    """Per contract of `rows` (supplier rows with `notification_date`): its start-up suppliers
    under `test` (`n{index}`), only for contracts that have one."""
    candidate = "true" if prefiltered else _candidate(test)
    return f"""hits{index} AS (
  SELECT s.uid{extra}, count(*) AS n{index} FROM {rows} s
  WHERE {candidate} AND ({test.condition}) GROUP BY s.uid)"""


def _scope_ctes(tests: list[StartupTest]) -> str:
    """Over `scoped`: its supplier rows, their counts per contract, and each test's hits."""
    hits = "".join(
        f",\n{_hits_cte(index, test, 'supplier_rows')}" for index, test in enumerate(tests)
    )
    return f"""supplier_rows AS MATERIALIZED (
  SELECT s.uid, s.siren, scoped.notification_date
  FROM contract_suppliers s JOIN scoped ON scoped.uid = s.uid),
supplied AS (
  SELECT uid, count(*) AS n_suppliers, count(siren) AS n_valid_siren
  FROM supplier_rows GROUP BY uid){hits}"""


def _scope_joins(count: int) -> str:
    return "LEFT JOIN supplied USING (uid)" + "".join(
        f" LEFT JOIN hits{index} USING (uid)" for index in range(count)
    )


def _fraction(index: int) -> str:
    return f"CASE WHEN n_suppliers > 0 THEN n{index} / n_suppliers ELSE 0 END"


def _aggregates_of(index: int) -> str:
    """The aggregates of test `index` over `scoped` and its `_scope_joins`."""
    fraction = f"CASE WHEN n_suppliers > 0 THEN coalesce(n{index}, 0) / n_suppliers ELSE 0 END"
    return f"""count(*) AS contracts,
  count(*) FILTER (WHERE n{index} > 0) AS contracts_with_startup,
  coalesce(sum({fraction}), 0) AS startup_contracts,
  coalesce(sum(amount), 0) AS amount_total,
  coalesce(sum(amount * {fraction}), 0) AS amount_startup,
  count(*) FILTER (WHERE amount IS NULL) AS excluded_amounts"""


def build_scope(
    connection: duckdb.DuckDBPyConnection, perimeter: str, tests: list[StartupTest], year: int
) -> None:
    """(Re)create the scope table: every contract of the perimeter notified in `year`, with
    its start-up count under each test (`n0` = the barometer's definition)."""
    clause, params = _perimeter_clause(perimeter)
    year_clause, year_params = _year_clause(year)
    counts = "".join(f", coalesce(n{i}, 0) AS n{i}" for i in range(len(tests)))
    sql = f"""CREATE OR REPLACE TEMP TABLE {SCOPE_TABLE} AS
WITH {_scoped_cte(_buyers(connection), clause, year_clause)},
{_scope_ctes(tests)}
SELECT scoped.*, coalesce(n_suppliers, 0) AS n_suppliers,
       coalesce(n_valid_siren, 0) AS n_valid_siren{counts},
       CASE WHEN n_suppliers > 0 THEN coalesce(n0, 0) / n_suppliers ELSE 0 END
         AS startup_fraction,
       coalesce(n0, 0) > 0 AS has_startup
FROM scoped {_scope_joins(len(tests))}"""
    connection.execute(sql, [*params, *year_params])


def _arrow_tuples(connection, sql: str, params: list) -> tuple[list[str], list[tuple]]:
    """Column names and rows as tuples, through Arrow column by column (for many rows:
    twice as fast as converting row by row)."""
    table = connection.sql(sql, params=params or None).to_arrow_table()
    columns = [column.to_pylist() for column in table.columns]
    return table.column_names, list(zip(*columns, strict=True))


def _arrow_rows(connection, sql: str, params: list) -> list[dict]:
    names, rows = _arrow_tuples(connection, sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _rows(connection, sql: str, params: list) -> list[dict]:
    cursor = connection.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def headline(connection: duckdb.DuckDBPyConnection, perimeter: str | None = None) -> dict:
    """The aggregates of the scope table (of one perimeter of it when given)."""
    where, params = ("WHERE perimeter = ?", [perimeter]) if perimeter else ("", [])
    sql = f"""SELECT {_AGGREGATES},
  count(*) FILTER (WHERE buyer_unlisted) AS unlisted_buyer_contracts
FROM {SCOPE_TABLE} {where}"""
    return _rows(connection, sql, params)[0]


PUBLISHED_COLUMNS = [
    "contracts",
    "contracts_with_startup",
    "startup_contracts",
    "startup_contract_share",
    "amount_total",
    "amount_startup",
    "startup_amount_share",
    "excluded_amounts",
]
_PUBLISHED = """contracts, contracts_with_startup,
  round(startup_contracts, 4) AS startup_contracts,
  round(startup_contracts / nullif(contracts, 0), 6) AS startup_contract_share,
  round(amount_total, 2) AS amount_total, round(amount_startup, 2) AS amount_startup,
  round(amount_startup / nullif(amount_total, 0), 6) AS startup_amount_share,
  excluded_amounts"""


def breakdown(connection: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    """One row per key of the breakdown, biggest amounts first: the key (for buyers, then
    their name and perimeter), then the `PUBLISHED_COLUMNS`."""
    key, extra = BREAKDOWN_KEYS[name]
    where = f"WHERE {extra}" if extra else ""
    names = (
        ", any_value(buyer_name) AS name, any_value(perimeter) AS buyer_perimeter"
        if name == "buyer"
        else ""
    )
    outer = ", name, buyer_perimeter" if name == "buyer" else ""
    sql = f"""SELECT key{outer}, {_PUBLISHED} FROM (
  SELECT {key} AS key{names}, {_AGGREGATES} FROM {SCOPE_TABLE} {where} GROUP BY 1)
ORDER BY amount_total DESC, contracts DESC, key NULLS LAST"""
    return _arrow_tuples(connection, sql, [])[1]


def trend_startups(
    connection: duckdb.DuckDBPyConnection, perimeter: str, test: StartupTest
) -> dict[int, dict]:
    """Year → the start-up aggregates of every year in the warehouse (same perimeter and
    test). Reads only warehouse tables, so it can run on its own cursor.

    Only the candidate supplier rows are dated and tested, and only contracts with a
    start-up have their suppliers counted."""
    clause, params = _perimeter_clause(perimeter)
    join = f"LEFT JOIN {_buyers(connection)} b ON b.siret = c.buyer_siret" if clause else ""
    extra = ", any_value(year(s.notification_date)) AS year, any_value(s.amount) AS amount"
    sql = f"""WITH candidate_rows AS MATERIALIZED (
  SELECT s.uid, s.siren FROM contract_suppliers s WHERE {_candidate(test)}),
supplier_rows AS MATERIALIZED (
  SELECT s.uid, s.siren, c.notification_date, c.amount
  FROM candidate_rows s JOIN {DECP_CONTRACTS} c ON c.uid = s.uid {join}
  WHERE c.notification_date IS NOT NULL {clause}),
{_hits_cte(0, test, "supplier_rows", extra, prefiltered=True)},
counted AS (
  SELECT s.uid, count(*) AS n_suppliers FROM contract_suppliers s
  WHERE s.uid IN (SELECT uid FROM hits0) GROUP BY s.uid)
SELECT h.year, count(*) AS contracts_with_startup,
  sum(h.n0 / c.n_suppliers) AS startup_contracts,
  sum(h.amount * (h.n0 / c.n_suppliers)) AS amount_startup
FROM hits0 h JOIN counted c USING (uid) GROUP BY h.year"""
    return {row.pop("year"): row for row in _rows(connection, sql, params)}


def trend(connection: duckdb.DuckDBPyConnection, startups: dict[int, dict]) -> list[dict]:
    """The aggregates of every year: totals from the publications table
    (`build_publications` first), start-up figures from `trend_startups`."""
    sql = f"""SELECT year, CAST(sum(contracts) AS BIGINT) AS contracts,
  coalesce(sum(amount_total), 0) AS amount_total,
  CAST(sum(excluded_amounts) AS BIGINT) AS excluded_amounts
FROM {PUBLICATIONS_TABLE} GROUP BY year ORDER BY year"""
    none = {"contracts_with_startup": 0, "startup_contracts": 0.0, "amount_startup": 0.0}
    return [{**row, **startups.get(row["year"], none)} for row in _rows(connection, sql, [])]


def headline_of(
    connection: duckdb.DuckDBPyConnection, year: int, perimeter: str, test: StartupTest
) -> dict:
    """The aggregates of one year and perimeter, without the scope table."""
    clause, params = _perimeter_clause(perimeter)
    year_clause, year_params = _year_clause(year)
    sql = f"""WITH {_lean_scoped_cte(_buyers(connection), clause, year_clause)},
{_scope_ctes([test])}
SELECT {_aggregates_of(0)} FROM scoped {_scope_joins(1)}"""
    return _rows(connection, sql, [*params, *year_params])[0]


def undated_contracts(connection: duckdb.DuckDBPyConnection, perimeter: str) -> int:
    clause, params = _perimeter_clause(perimeter)
    sql = f"""SELECT count(*) FROM {DECP_CONTRACTS} c LEFT JOIN {_buyers(connection)} b
  ON b.siret = c.buyer_siret WHERE c.notification_date IS NULL {clause}"""
    return connection.execute(sql, params).fetchone()[0]


def excluded_amount_reasons(connection: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Why amounts of the year were left out: the ingest's flags on the amount field."""
    if not table_exists(connection, "flags"):
        return []
    sql = f"""SELECT f.reason AS reason,
  count(DISTINCT s.uid) AS contracts
FROM {SCOPE_TABLE} s LEFT JOIN flags f
  ON f.uid = s.uid AND f.entity = 'contract' AND f.field = 'amount'
WHERE s.year = ? AND s.amount IS NULL GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST"""
    return _rows(connection, sql, [year])


def sensitivity(connection: duckdb.DuckDBPyConnection, count: int) -> list[dict]:
    """The scope's aggregates under each of its `count` start-up conditions."""
    selects = ",\n  ".join(
        f"count(*) FILTER (WHERE n{i} > 0) AS contracts_with_startup_{i}, "
        f"coalesce(sum({_fraction(i)}), 0) AS startup_contracts_{i}, "
        f"coalesce(sum(amount * {_fraction(i)}), 0) AS amount_startup_{i}"
        for i in range(count)
    )
    sql = f"""SELECT count(*) AS contracts, coalesce(sum(amount), 0) AS amount_total,
  {selects}
FROM {SCOPE_TABLE}"""
    row = _rows(connection, sql, [])[0]
    return [
        {
            "contracts": row["contracts"],
            "amount_total": row["amount_total"],
            "contracts_with_startup": row[f"contracts_with_startup_{i}"],
            "startup_contracts": row[f"startup_contracts_{i}"],
            "amount_startup": row[f"amount_startup_{i}"],
        }
        for i in range(count)
    ]


def build_publications(connection: duckdb.DuckDBPyConnection, perimeter: str) -> None:
    """(Re)create the publications table: per buyer and year, contracts published (with
    their valid amount and the number left out, for the trend's totals).

    Contracts are grouped first, then the (small) buyers table is joined."""
    clause, params = _perimeter_clause(perimeter)
    where = clause.replace("AND", "WHERE", 1)
    sql = f"""CREATE OR REPLACE TEMP TABLE {PUBLICATIONS_TABLE} AS
WITH p AS (
  SELECT coalesce(c.buyer_siret, c.buyer_id_raw) AS buyer_key,
    any_value(c.buyer_siret) AS siret, year(c.notification_date) AS year,
    count(*) AS contracts, any_value(c.buyer_name) AS raw_name,
    coalesce(sum(c.amount), 0) AS amount_total,
    count(*) FILTER (WHERE c.amount IS NULL) AS excluded_amounts,
    min(coalesce(c.publication_date, c.notification_date)) AS first_publication,
    max(coalesce(c.publication_date, c.notification_date)) AS last_publication
  FROM {DECP_CONTRACTS} c WHERE c.notification_date IS NOT NULL GROUP BY 1, 3)
SELECT p.buyer_key, coalesce(b.name, p.raw_name) AS name,
  coalesce(b.perimeter, 'autres') AS perimeter, p.year, p.contracts, p.amount_total,
  p.excluded_amounts, p.first_publication, p.last_publication
FROM p LEFT JOIN {_buyers(connection)} b ON b.siret = p.siret {where}"""
    connection.execute(sql, params)


_VALID_SIREN = """CAST(sum(n_suppliers) AS BIGINT) AS suppliers,
  CAST(sum(n_valid_siren) AS BIGINT) AS suppliers_valid_siren"""
_VALID_SHARE = "round(v.suppliers_valid_siren / nullif(v.suppliers, 0), 6)"


def valid_sirens(connection: duckdb.DuckDBPyConnection, by: str) -> dict:
    """Per perimeter (`by="perimeter"`) or buyer (`by="buyer_key"`) of the scope table:
    (supplier rows, rows with a valid SIREN, their share)."""
    if by not in ("perimeter", "buyer_key"):
        raise ValueError(by)
    sql = f"""SELECT key, suppliers, suppliers_valid_siren, {_VALID_SHARE} AS share
FROM (SELECT {by} AS key, {_VALID_SIREN} FROM {SCOPE_TABLE} GROUP BY {by}) v"""
    return {row[0]: row[1:] for row in connection.execute(sql).fetchall()}


def perimeter_publications(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per perimeter and year: contracts, buyers, first and last publication."""
    sql = f"""SELECT perimeter, year, CAST(sum(contracts) AS BIGINT) AS contracts,
  count(DISTINCT buyer_key) AS buyers,
  CAST(min(first_publication) AS VARCHAR) AS first_publication,
  CAST(max(last_publication) AS VARCHAR) AS last_publication
FROM {PUBLICATIONS_TABLE} GROUP BY perimeter, year ORDER BY perimeter, year"""
    return _rows(connection, sql, [])


def buyer_publications(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per buyer: first and last publication, then `suppliers`, `suppliers_valid_siren`
    and `valid_siren_share` left None (the year's valid SIRENs come from the scope table:
    `valid_sirens`), then the contracts published per year (`contracts_by_year`, year as
    text → count).

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
    names, found = _arrow_tuples(connection, sql, [])
    width = len(names) - len(years)
    names = [*names[:width], "suppliers", "suppliers_valid_siren", "valid_siren_share"]
    labels = [str(year) for year in years]
    rows = []
    for row in found:
        shaped = dict(zip(names, (*row[:width], None, None, None), strict=True))
        shaped["contracts_by_year"] = {
            label: count
            for label, count in zip(labels, row[width:], strict=True)
            if count is not None
        }
        rows.append(shaped)
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
    return _arrow_rows(connection, sql, [year, year, year])


def years_with_contracts(connection: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """(year, dated contracts) for every year in the warehouse."""
    sql = f"""SELECT year(notification_date) AS year, count(*) FROM {DECP_CONTRACTS}
WHERE notification_date IS NOT NULL GROUP BY 1 ORDER BY 1"""
    return [(int(year), int(count)) for year, count in connection.execute(sql).fetchall()]
