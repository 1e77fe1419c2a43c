"""Data-quality figures per source: contracts, flags by reason, rejects, valid SIRENs."""

from __future__ import annotations

import duckdb


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def quality_report(connection: duckdb.DuckDBPyConnection) -> dict:
    """{"sources": [{source, contracts, publications, flags{reason: n}, suppliers,
    suppliers_valid_siren, suppliers_valid_siren_pct}], "rejects": [{format, reason, count}],
    "files": n}."""
    sources: dict[str, dict] = {}
    for source, contracts in _rows(
        connection, "SELECT source, count(*) FROM contracts GROUP BY source ORDER BY 2 DESC"
    ):
        sources[source] = {
            "source": source,
            "contracts": contracts,
            "publications": 0,
            "flags": {},
            "suppliers": 0,
            "suppliers_valid_siren": 0,
            "suppliers_valid_siren_pct": None,
        }
    for source, count in _rows(
        connection, "SELECT source, count(*) FROM contract_sources GROUP BY source"
    ):
        if source in sources:
            sources[source]["publications"] = count
    for source, reason, count in _rows(
        connection,
        "SELECT c.source, f.reason, count(*) FROM flags f JOIN contracts c USING (uid) "
        "WHERE f.entity IN ('contract', 'supplier') GROUP BY ALL ORDER BY 3 DESC",
    ):
        sources[source]["flags"][reason] = count
    for source, total, valid in _rows(
        connection,
        "SELECT c.source, count(*), count(s.siren) FROM contract_suppliers s "
        "JOIN contracts c USING (uid) GROUP BY ALL",
    ):
        entry = sources[source]
        entry["suppliers"], entry["suppliers_valid_siren"] = total, valid
        entry["suppliers_valid_siren_pct"] = round(100.0 * valid / total, 1) if total else None
    rejects = [
        {"format": fmt, "reason": reason, "count": count}
        for fmt, reason, count in _rows(
            connection,
            "SELECT f.format, r.reason, count(*) FROM rejects r "
            "JOIN ingest_files f USING (file_id) GROUP BY ALL ORDER BY 3 DESC",
        )
    ]
    files = _rows(connection, "SELECT count(*) FROM ingest_files")[0][0]
    return {"files": files, "sources": list(sources.values()), "rejects": rejects}
