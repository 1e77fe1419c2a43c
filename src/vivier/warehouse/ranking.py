"""Queries of the supplier ranker: the facts of contracts (place, amount, procedure,
nature) and their aggregates per supplier, beside the award rows of
`vivier.warehouse.match`."""

from __future__ import annotations

import duckdb

_AWARDS = "contracts c JOIN contract_suppliers s USING (uid)"
# The département of a place of execution, as `vivier.match.features.departement` (tested
# to agree): none for region and country codes; a postcode that lost its leading zero.
_CODE = "upper(trim(coalesce(c.place_code, '')))"
_KIND = "lower(coalesce(c.place_type, ''))"
DEPARTEMENT = f"""CASE
    WHEN {_KIND} LIKE '%pays%' OR {_KIND} LIKE '%gion%' THEN NULL
    WHEN {_KIND} LIKE '%postal%' AND regexp_full_match({_CODE}, '[0-9]{{4}}')
        THEN '0' || left({_CODE}, 1)
    WHEN left({_CODE}, 2) = '97' THEN left({_CODE}, 3)
    WHEN left({_CODE}, 2) = '20' AND length({_CODE}) = 5 THEN '20'
    ELSE left({_CODE}, 2) END"""


def contract_facts(
    connection: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None
) -> dict:
    """Column arrays, one row per contract notified in [start, end) (either bound optional;
    contracts without a notification date are left out, as in the evaluation)."""
    conditions, params = ["c.notification_date IS NOT NULL"], []
    if start:
        conditions.append("c.notification_date >= CAST(? AS DATE)")
        params.append(start)
    if end:
        conditions.append("c.notification_date < CAST(? AS DATE)")
        params.append(end)
    return connection.execute(
        f"""
        SELECT c.uid, coalesce(c.place_code, '') AS place_code,
               coalesce(c.place_type, '') AS place_type, c.amount,
               coalesce(c.procedure, '') AS procedure, coalesce(c.nature, '') AS nature,
               c.notification_date
        FROM contracts c
        WHERE {" AND ".join(conditions)}
        ORDER BY c.uid
        """,
        params,
    ).fetchnumpy()


def supplier_aggregates(
    connection: duckdb.DuckDBPyConnection,
    departements: list[str] | None = None,
    before: str | None = None,
) -> dict:
    """Per supplier SIREN, over its awards (notified before `before` when given, as
    `vivier.warehouse.match.awards`): contracts per département of execution (among
    `departements`), per département and CPV division or group ('35|45', '35|452'),
    procedure and nature; framework agreements per buyer organisation;
    mean log10 amount, last notification date, distinct buyers. Per buyer SIRET: the
    département of most of its contracts (ties: the one of the smallest place code, then
    type), among `departements` (every département code by default)."""
    if departements is None:
        from vivier.match.region import DEPARTEMENT_REGION  # (vivier.match imports this module)

        departements = sorted(DEPARTEMENT_REGION)
    where, params = "s.siren IS NOT NULL", []
    if before:
        where += " AND c.notification_date < CAST(? AS DATE)"
        params.append(before)

    def run(select: str, group: str, extra: str = "") -> dict:
        return connection.execute(
            f"SELECT {select}, count(*) AS n FROM {_AWARDS} WHERE {where} {extra} "
            f"GROUP BY {group} ORDER BY ALL",
            params,
        ).fetchnumpy()

    return {
        "places": connection.execute(
            f"""SELECT siren, dept, count(*) AS n FROM (
                SELECT s.siren, {DEPARTEMENT} AS dept FROM {_AWARDS} WHERE {where})
            WHERE dept IN (SELECT unnest(?)) GROUP BY ALL ORDER BY ALL""",
            [*params, departements],
        ).fetchnumpy(),
        "local": connection.execute(
            f"""SELECT siren, dept || '|' || left(cpv, level) AS key, count(*) AS n FROM (
                SELECT s.siren, c.cpv, {DEPARTEMENT} AS dept FROM {_AWARDS}
                WHERE {where} AND length(coalesce(c.cpv, '')) = 8)
            CROSS JOIN (VALUES (2), (3)) v(level)
            WHERE dept IN (SELECT unnest(?)) GROUP BY ALL ORDER BY ALL""",
            [*params, departements],
        ).fetchnumpy(),
        "procedures": run("s.siren, coalesce(c.procedure, '?') AS key", "ALL"),
        "natures": run("s.siren, coalesce(c.nature, '?') AS key", "ALL"),
        "frameworks": run(
            "s.siren, left(coalesce(c.buyer_siret, ''), 9) AS key",
            "ALL",
            "AND lower(c.nature) LIKE '%accord%'",
        ),
        "buyer_places": connection.execute(
            f"""SELECT buyer, arg_min(dept, {{'n': -n, 'place': place}}) AS dept
            FROM (
                SELECT buyer, dept, count(DISTINCT uid) AS n,
                       min({{'code': code, 'kind': kind}}) AS place
                FROM (
                    SELECT c.buyer_siret AS buyer, c.uid, {DEPARTEMENT} AS dept,
                           coalesce(c.place_code, '') AS code, coalesce(c.place_type, '') AS kind
                    FROM {_AWARDS} WHERE {where} AND coalesce(c.buyer_siret, '') <> '')
                WHERE dept IN (SELECT unnest(?)) GROUP BY ALL)
            GROUP BY ALL ORDER BY ALL""",
            [*params, departements],
        ).fetchnumpy(),
        "totals": connection.execute(
            f"""SELECT s.siren, avg(log10(c.amount)) FILTER (
                       WHERE c.amount > 0 AND c.amount < 1e15) AS log_amount,
                   max(c.notification_date) AS last_date,
                   count(DISTINCT c.buyer_siret) AS buyers
            FROM {_AWARDS} WHERE {where} GROUP BY ALL ORDER BY ALL""",
            params,
        ).fetchnumpy(),
    }
