"""Queries of the supplier ranker: the facts of dated contracts (place, amount, procedure,
nature) beside the award rows of `vivier.warehouse.match`."""

from __future__ import annotations

import duckdb


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
