"""Request dependencies: the settings and a read-only cursor on the warehouse.

The warehouse is attached read-only once per application to an in-memory DuckDB that
also holds the web's per-buyer tables (lazily, so that a server started before the first
ingest works as soon as the warehouse exists); each request gets its own cursor, which
DuckDB allows to run in parallel threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import duckdb
from fastapi import Request

from vivier.config import Settings
from vivier.warehouse import connect
from vivier.warehouse.web_buyers import open_for_web, use_warehouse

_lock = threading.Lock()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def shared_connection(app) -> duckdb.DuckDBPyConnection:
    """The application's read-only warehouse connection, opened on first use."""
    state = app.state
    if getattr(state, "warehouse", None) is None:
        with _lock:
            if getattr(state, "warehouse", None) is None:
                connect(state.settings, read_only=True).close()  # French error if missing
                state.warehouse = open_for_web(state.settings.warehouse_path)
    return state.warehouse


def get_db(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    cursor = use_warehouse(shared_connection(request.app).cursor())
    try:
        yield cursor
    finally:
        cursor.close()


def close_warehouse(app) -> None:
    connection = getattr(app.state, "warehouse", None)
    if connection is not None:
        connection.close()
        app.state.warehouse = None
