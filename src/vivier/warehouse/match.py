"""Queries of the matching engine: award history, start-up profiles, company facts.

Tables of other topics (start-ups, companies) may be absent from an older warehouse; the
functions then return empty results instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb


def columns_of(connection: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return {row[0] for row in rows}


def awards(connection: duckdb.DuckDBPyConnection, before: str | None = None) -> dict:
    """One row per (contract, supplier SIREN), oldest first, as column arrays."""
    where = "WHERE s.siren IS NOT NULL"
    params: list = []
    if before:
        where += " AND c.notification_date < CAST(? AS DATE)"
        params.append(before)
    return connection.execute(
        f"""
        SELECT c.uid, coalesce(c.buyer_siret, '') AS buyer_siret,
               coalesce(c.buyer_name, '') AS buyer_name, coalesce(c.object, '') AS object,
               coalesce(c.cpv, '') AS cpv, c.notification_date,
               coalesce(c.place_code, '') AS place_code, s.siren,
               coalesce(s.name, '') AS supplier_name
        FROM contracts c JOIN contract_suppliers s USING (uid)
        {where}
        ORDER BY c.notification_date NULLS FIRST, c.uid, s.siren
        """,
        params,
    ).fetchnumpy()


AWARD_ORDER = "coalesce(c.file_id, 0), c.notification_date NULLS FIRST, c.uid, s.siren"


def award_batches(
    connection: duckdb.DuckDBPyConnection, after_file: int = 0, size: int = 200_000
) -> Iterator[dict[str, list]]:
    """The award rows of the files after `after_file`, in ingest order (file, then date),
    as batches of column lists: a later file's rows always come after an earlier one's."""
    cursor = connection.cursor()  # its own result: the connection stays usable
    reader = cursor.sql(
        f"""
        SELECT c.uid, coalesce(c.buyer_siret, '') AS buyer_siret,
               coalesce(c.buyer_name, '') AS buyer_name, coalesce(c.object, '') AS object,
               coalesce(c.cpv, '') AS cpv, CAST(c.notification_date AS VARCHAR)
               AS notification_date, coalesce(c.place_code, '') AS place_code, s.siren,
               coalesce(s.name, '') AS supplier_name,
               coalesce(c.place_type, '') AS place_type, c.amount, c.procedure, c.nature
        FROM contracts c JOIN contract_suppliers s USING (uid)
        WHERE s.siren IS NOT NULL AND coalesce(c.file_id, 0) > ?
        ORDER BY {AWARD_ORDER}
        """,
        params=[after_file],
    ).to_arrow_reader(size)
    try:
        for batch in reader:
            yield {name: batch.column(name).to_pylist() for name in batch.schema.names}
    finally:
        reader.close()
        cursor.close()


def award_watermark(connection: duckdb.DuckDBPyConnection, upto: int = 0) -> tuple:
    """(last file, award rows up to it, award rows up to the file `upto`): what a build now
    reads, and how many rows the files an earlier build read hold now (if that changed,
    history was rewritten)."""
    row = connection.execute(
        "SELECT coalesce(max(coalesce(c.file_id, 0)), 0), count(*), "
        "count(*) FILTER (WHERE coalesce(c.file_id, 0) <= ?) "
        "FROM contracts c JOIN contract_suppliers s USING (uid) WHERE s.siren IS NOT NULL",
        [upto],
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def files_digest(connection: duckdb.DuckDBPyConnection, upto: int) -> str:
    """A digest of the contents (sha256) of the ingested files up to `upto`, in order: it
    changes if one of them was removed or replaced (another warehouse, say)."""
    return connection.execute(
        "SELECT md5(coalesce(string_agg(sha256, ',' ORDER BY file_id), '')) "
        "FROM ingest_files WHERE file_id <= ?",
        [upto],
    ).fetchone()[0]


def dated_contracts(connection: duckdb.DuckDBPyConnection, start: str, end: str | None) -> list:
    """Contracts notified in [start, end) with their supplier SIRENs (the evaluation's test)."""
    params: list = [start]
    condition = "c.notification_date >= CAST(? AS DATE)"
    if end:
        condition += " AND c.notification_date < CAST(? AS DATE)"
        params.append(end)
    return connection.execute(
        f"""
        SELECT c.uid, coalesce(c.object, ''), coalesce(c.cpv, ''), coalesce(c.buyer_siret, ''),
               coalesce(c.place_code, ''), list(DISTINCT s.siren ORDER BY s.siren)
        FROM contracts c JOIN contract_suppliers s USING (uid)
        WHERE {condition} AND s.siren IS NOT NULL
        GROUP BY ALL ORDER BY c.uid
        """,
        params,
    ).fetchall()


def startup_members(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(siren, name, description, domain, region, label, year) of every start-up list row."""
    available = columns_of(connection, "startup_members")
    if not available:
        return []
    wanted = ["siren", "name", "description", "domain", "region", "label", "year"]
    select = ", ".join(col if col in available else f"NULL AS {col}" for col in wanted)
    return connection.execute(
        f"SELECT {select} FROM startup_members ORDER BY siren NULLS LAST, name"
    ).fetchall()


def company_facts(connection: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """siren → (name, naf, created_on, region) from the companies table, when present."""
    available = columns_of(connection, "companies")
    if "siren" not in available:
        return {}
    wanted = ["name", "naf", "created_on", "region"]
    select = ", ".join(col if col in available else f"NULL AS {col}" for col in wanted)
    rows = connection.execute(f"SELECT siren, {select} FROM companies").fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}
