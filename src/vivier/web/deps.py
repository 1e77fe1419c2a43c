"""Request dependencies: the settings and a read-only cursor on the warehouse.

The warehouse is attached read-only once per application to an in-memory DuckDB that
also holds the web's per-buyer sheets (lazily, so that a server started before the first
ingest works as soon as the warehouse exists). Requests borrow cursors from a pool:
a request has its own cursor while it runs (DuckDB runs cursors in parallel threads) and
gives it back after; every warehouse table is a view in the default catalog, so any
cursor (including one a feature opens from it) reads the warehouse.
The dependencies are coroutines: FastAPI runs them on the event loop, without a hop to
the thread pool per dependency.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import duckdb
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from vivier.config import Settings
from vivier.warehouse import connect
from vivier.warehouse.web_buyers import open_for_web

_lock = threading.Lock()


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


class CursorPool:
    """Cursors on one connection, reused across requests."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        self.idle: list[duckdb.DuckDBPyConnection] = []
        self.lock = threading.Lock()

    def take(self) -> duckdb.DuckDBPyConnection:
        with self.lock:
            if self.idle:
                return self.idle.pop()
        return self.connection.cursor()

    def give(self, cursor: duckdb.DuckDBPyConnection) -> None:
        with self.lock:
            self.idle.append(cursor)

    def close(self) -> None:
        with self.lock:
            for cursor in self.idle:
                cursor.close()
            self.idle.clear()
        self.connection.close()


def cursor_pool(app) -> CursorPool:
    """The application's cursor pool over the warehouse, opened on first use (slow: the
    per-buyer sheets are built then)."""
    state = app.state
    if getattr(state, "warehouse", None) is None:
        with _lock:
            if getattr(state, "warehouse", None) is None:
                connect(state.settings, read_only=True).close()  # French error if missing
                state.warehouse = CursorPool(open_for_web(state.settings.warehouse_path))
    return state.warehouse


async def get_db(request: Request) -> AsyncIterator[duckdb.DuckDBPyConnection]:
    pool = getattr(request.app.state, "warehouse", None)
    if pool is None:
        pool = await run_in_threadpool(cursor_pool, request.app)
    cursor = pool.take()
    try:
        yield cursor
    finally:
        pool.give(cursor)


def close_warehouse(app) -> None:
    pool = getattr(app.state, "warehouse", None)
    if pool is not None:
        pool.close()
        app.state.warehouse = None
