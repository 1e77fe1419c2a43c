"""Small helpers turning DuckDB query results into plain Python values."""

from __future__ import annotations

import duckdb


def dict_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    """The remaining rows of an executed query, as dicts keyed by column name."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
