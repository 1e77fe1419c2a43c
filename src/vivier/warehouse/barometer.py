"""The barometer's SQL: set-based aggregates over contracts, suppliers and buyers.

One temporary table (`barometer_scope`, one row per contract of the perimeter notified in
the barometer's year, with its start-up counts under each compared definition) feeds the
headline, every breakdown, the target, the sensitivity and the valid SIRENs of the coverage.
The figures over every year are in `vivier.warehouse.barometer_years`.

A start-up test is a `StartupTest`: a DuckDB boolean condition over `s.siren` and
`s.notification_date` (from `vivier.startups.definitions`), and optionally a query of the
SIRENs that can meet it on some date. Only the supplier rows whose SIREN is such a candidate
reach the dated condition, which is where the time goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import NamedTuple

import duckdb

from vivier.warehouse.results import arrow_tuples, query_rows

SCOPE_TABLE = "barometer_scope"


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
    "cpv_division": ("cpv_division", None),
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

# The barometer counts awards as DECP publishes them: award notices read from TED and
# BOAMP feed the warehouse too (for matching), but the same contracts are in the DECP
# under another key, so counting them here would count them twice.
NOTICE_SOURCES = ("ted", "boamp")
DECP_CONTRACTS = "(SELECT * FROM contracts WHERE source IS NULL OR source NOT IN ({}))".format(
    ", ".join(f"'{source}'" for source in NOTICE_SOURCES)
)


@contextmanager
def one_thread_per_cursor(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB runs each cursor's queries on its own thread only (`threads` = 1), restored
    afterwards (it is a setting of the database instance). The barometer's two halves
    run on two cursors at once: both cores stay busy without DuckDB's parallel plans,
    whose overhead cost about 10 % more CPU and wall time at national scale."""
    previous = connection.execute("SELECT current_setting('threads')").fetchone()[0]
    connection.execute("SET threads = 1")
    try:
        yield
    finally:
        connection.execute(f"SET threads = {int(previous)}")


def sibling_cursor(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A second cursor on the same database, in the same current catalog and schema (the
    web app reads the warehouse attached to an in-memory database). It sees only what
    `connection` has committed, and none of its temporary tables."""
    where = connection.execute("SELECT current_database(), current_schema()").fetchall()
    catalog, schema = where[0]
    cursor = connection.cursor()
    quoted = ".".join('"' + name.replace('"', '""') + '"' for name in (catalog, schema))
    cursor.execute(f"USE {quoted}")
    return cursor


def table_exists(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def buyers_relation(connection: duckdb.DuckDBPyConnection) -> str:
    return _BUYERS if table_exists(connection, "buyers") else _NO_BUYERS


def perimeter_clause(perimeter: str) -> tuple[str, list]:
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
    """The contracts of the scope with what the breakdowns group by (the CPV division cut
    once here, not per query)."""
    return f"""scoped AS MATERIALIZED (
  SELECT c.cid, CASE WHEN c.amount IS NULL THEN c.uid END AS uid,
         coalesce(c.buyer_siret, c.buyer_id_raw) AS buyer_key,
         coalesce(b.name, c.buyer_name) AS buyer_name,
         coalesce(b.perimeter, 'autres') AS perimeter, b.siret IS NULL AS buyer_unlisted,
         b.ministry, b.region, substr(c.cpv, 1, 2) AS cpv_division, c.procedure, c.nature,
         c.innovative, c.amount, c.notification_date
  FROM {DECP_CONTRACTS} c LEFT JOIN {buyers} b ON b.siret = c.buyer_siret
  WHERE c.notification_date IS NOT NULL {perimeter_clause} {year_clause})"""


def _lean_scoped_cte(buyers: str, perimeter_clause: str, year_clause: str = "") -> str:
    """Only what the figures need (no names): for the target of another perimeter."""
    join = f"LEFT JOIN {buyers} b ON b.siret = c.buyer_siret" if perimeter_clause else ""
    return f"""scoped AS MATERIALIZED (
  SELECT c.cid, c.amount, c.notification_date
  FROM {DECP_CONTRACTS} c {join}
  WHERE c.notification_date IS NOT NULL {perimeter_clause} {year_clause})"""


def candidate_filter(test: StartupTest) -> str:
    """Supplier `s` can be a start-up under `test` on some date."""
    return f"s.siren IN ({test.candidates})" if test.candidates else "s.siren IS NOT NULL"


def hits_cte(
    index: int, test: StartupTest, rows: str, extra: str = "", prefiltered: bool = False
) -> str:
    """Per contract of `rows` (supplier rows with `notification_date`): its start-up suppliers
    under `test` (`n{index}`), only for contracts that have one."""
    candidate = "true" if prefiltered else candidate_filter(test)
    return f"""hits{index} AS (
  SELECT s.cid{extra}, count(*) AS n{index} FROM {rows} s
  WHERE {candidate} AND ({test.condition}) GROUP BY s.cid)"""


def _any_candidate(tests: list[StartupTest]) -> str:
    """Supplier `s` can be a start-up under one of `tests` on some date."""
    if all(test.candidates for test in tests):
        union = " UNION ".join(f"({test.candidates})" for test in tests)
        return f"s.siren IN ({union})"
    return "s.siren IS NOT NULL"


def _scope_ctes(tests: list[StartupTest]) -> str:
    """Over `scoped`: its supplier rows, their counts per contract, and each test's hits.

    Only the rows of a candidate supplier are dated (joined back to their contract) and
    tested: a few percent of the rows. Rows are joined on the contracts' integer `cid`:
    joining on the text `uid` cost three times more."""
    hits = "".join(f",\n{hits_cte(index, test, 'tested')}" for index, test in enumerate(tests))
    return f"""supplier_rows AS MATERIALIZED (
  SELECT s.cid, s.siren FROM contract_suppliers s SEMI JOIN scoped USING (cid)),
supplied AS (
  SELECT cid, count(*) AS n_suppliers, count(siren) AS n_valid_siren
  FROM supplier_rows GROUP BY cid),
tested AS MATERIALIZED (
  SELECT s.cid, s.siren, scoped.notification_date
  FROM supplier_rows s JOIN scoped USING (cid) WHERE {_any_candidate(tests)}){hits}"""


def _scope_joins(count: int) -> str:
    return "LEFT JOIN supplied USING (cid)" + "".join(
        f" LEFT JOIN hits{index} USING (cid)" for index in range(count)
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
    its start-up count under each test (`n0` = the barometer's definition). Its `uid` is
    kept only where the amount was left out (for `excluded_amount_reasons`)."""
    clause, params = perimeter_clause(perimeter)
    year_clause, year_params = _year_clause(year)
    counts = "".join(f", coalesce(n{i}, 0) AS n{i}" for i in range(len(tests)))
    sql = f"""CREATE OR REPLACE TEMP TABLE {SCOPE_TABLE} AS
WITH {_scoped_cte(buyers_relation(connection), clause, year_clause)},
{_scope_ctes(tests)}
SELECT scoped.* EXCLUDE (cid, notification_date), coalesce(n_suppliers, 0) AS n_suppliers,
       coalesce(n_valid_siren, 0) AS n_valid_siren{counts},
       CASE WHEN n_suppliers > 0 THEN coalesce(n0, 0) / n_suppliers ELSE 0 END
         AS startup_fraction,
       coalesce(n0, 0) > 0 AS has_startup
FROM scoped {_scope_joins(len(tests))}"""
    connection.execute(sql, [*params, *year_params])


def headline(connection: duckdb.DuckDBPyConnection, perimeter: str | None = None) -> dict:
    """The aggregates of the scope table (of one perimeter of it when given)."""
    where, params = ("WHERE perimeter = ?", [perimeter]) if perimeter else ("", [])
    sql = f"""SELECT {_AGGREGATES},
  count(*) FILTER (WHERE buyer_unlisted) AS unlisted_buyer_contracts
FROM {SCOPE_TABLE} {where}"""
    return query_rows(connection, sql, params)[0]


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


_VALID_SIREN = """CAST(sum(n_suppliers) AS BIGINT) AS suppliers,
  CAST(sum(n_valid_siren) AS BIGINT) AS suppliers_valid_siren"""
_VALID_SHARE = "round(v.suppliers_valid_siren / nullif(v.suppliers, 0), 6)"


def breakdown(connection: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    """One row per key of the breakdown, biggest amounts first: the key (for buyers, then
    their name and perimeter), then the `PUBLISHED_COLUMNS` (for buyers, then their
    supplier rows, rows with a valid SIREN and their share: the coverage's valid SIRENs,
    grouped once with the figures)."""
    key, extra = BREAKDOWN_KEYS[name]
    where = f"WHERE {extra}" if extra else ""
    names = sirens = outer = tail = ""
    if name == "buyer":
        names = ", any_value(buyer_name) AS name, any_value(perimeter) AS buyer_perimeter"
        sirens = f",\n  {_VALID_SIREN}"
        outer = ", name, buyer_perimeter"
        tail = f",\n  suppliers, suppliers_valid_siren, {_VALID_SHARE} AS valid_siren_share"
    sql = f"""SELECT key{outer}, {_PUBLISHED}{tail} FROM (
  SELECT {key} AS key{names}, {_AGGREGATES}{sirens} FROM {SCOPE_TABLE} {where} GROUP BY 1) v
ORDER BY amount_total DESC, contracts DESC, key NULLS LAST"""
    return arrow_tuples(connection, sql, [])[1]


def headline_of(
    connection: duckdb.DuckDBPyConnection, year: int, perimeter: str, test: StartupTest
) -> dict:
    """The aggregates of one year and perimeter, without the scope table."""
    clause, params = perimeter_clause(perimeter)
    year_clause, year_params = _year_clause(year)
    sql = f"""WITH {_lean_scoped_cte(buyers_relation(connection), clause, year_clause)},
{_scope_ctes([test])}
SELECT {_aggregates_of(0)} FROM scoped {_scope_joins(1)}"""
    return query_rows(connection, sql, [*params, *year_params])[0]


def excluded_amount_reasons(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Why amounts of the year (scope table) were left out: the ingest's flags on the
    amount field."""
    if not table_exists(connection, "flags"):
        return []
    sql = f"""SELECT f.reason AS reason,
  count(DISTINCT s.uid) AS contracts
FROM {SCOPE_TABLE} s LEFT JOIN flags f
  ON f.uid = s.uid AND f.entity = 'contract' AND f.field = 'amount'
WHERE s.amount IS NULL GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST"""
    return query_rows(connection, sql, [])


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
    row = query_rows(connection, sql, [])[0]
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


def valid_sirens(connection: duckdb.DuckDBPyConnection) -> dict:
    """Per perimeter of the scope table: (supplier rows, rows with a valid SIREN, their
    share). Per buyer, they come with the buyer breakdown (`breakdown`)."""
    sql = f"""SELECT key, suppliers, suppliers_valid_siren, {_VALID_SHARE} AS share
FROM (SELECT perimeter AS key, {_VALID_SIREN} FROM {SCOPE_TABLE} GROUP BY perimeter) v"""
    return {row[0]: row[1:] for row in connection.execute(sql).fetchall()}


def years_with_contracts(connection: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """(year, dated contracts) for every year in the warehouse."""
    sql = f"""SELECT year(notification_date) AS year, count(*) FROM {DECP_CONTRACTS}
WHERE notification_date IS NOT NULL GROUP BY 1 ORDER BY 1"""
    return [(int(year), int(count)) for year, count in connection.execute(sql).fetchall()]
