"""SQL of the start-up lists and of the start-up definitions (set-based conditions)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from vivier.warehouse.results import dict_rows

if TYPE_CHECKING:  # the definition is plain data; only its type is needed here
    from vivier.startups.definitions import Definition

MEMBER_COLUMNS = (
    "label",
    "siren",
    "name",
    "description",
    "domain",
    "region",
    "year",
    "valid_from",
    "valid_to",
    "confidence",
)

_MEMBER_SCHEMA = pa.schema(
    [(column, pa.string()) for column in MEMBER_COLUMNS[:6]]
    + [
        ("year", pa.int32()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
        ("confidence", pa.float64()),
    ]
)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in_list(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(_quote(v) for v in values)})"


def _prefixes(column: str, prefixes: Iterable[str]) -> str:
    return "(" + " OR ".join(f"starts_with({column}, {_quote(p)})" for p in prefixes) + ")"


def definition_condition(definition: Definition, siren_expr: str, date_expr: str) -> str:
    """A DuckDB boolean expression (never NULL) for `definition` on (siren, date)."""
    day = f"CAST({date_expr} AS DATE)"
    if definition.kind == "registry":
        inner = _registry_condition(definition, siren_expr, day)
    elif definition.kind == "criteria":
        inner = _criteria_condition(definition, siren_expr, day)
    else:
        joiner = " OR " if definition.kind == "any" else " AND "
        inner = joiner.join(
            definition_condition(part, siren_expr, date_expr) for part in definition.parts
        )
    return f"COALESCE(({inner}), FALSE)"


def definition_candidates(definition: Definition) -> str:
    """A query of the SIRENs that can meet `definition` on some date (a superset of them):
    the condition's date-free part, so that a caller can drop every other supplier row
    before evaluating the dated condition on the few that are left."""
    if definition.kind == "registry":
        where = " AND ".join(_registry_filters(definition))
        return f"SELECT m.siren FROM startup_members m WHERE {where}"
    if definition.kind == "criteria":
        where = " AND ".join(_criteria_filters(definition))
        return f"SELECT c.siren FROM companies c WHERE {where}"
    joiner = " UNION " if definition.kind == "any" else " INTERSECT "
    return joiner.join(f"({definition_candidates(part)})" for part in definition.parts)


def _registry_filters(definition: Definition) -> list[str]:
    """The registry condition's date-free filters on `m` (startup_members)."""
    where = [f"COALESCE(m.confidence, 0) >= {float(definition.min_confidence)!r}"]
    if definition.labels:
        where.append(_in_list("m.label", definition.labels))
    return where


def _registry_condition(definition: Definition, siren: str, day: str) -> str:
    where = [
        f"m.siren = {siren}",
        f"(m.valid_from IS NULL OR m.valid_from <= {day})",
        f"(m.valid_to IS NULL OR {day} <= m.valid_to)",
        *_registry_filters(definition),
    ]
    if definition.max_years_listed is not None:
        years = int(definition.max_years_listed)
        where.append(f"m.valid_from >= {day} - INTERVAL {years} YEAR")
    return f"EXISTS (SELECT 1 FROM startup_members m WHERE {' AND '.join(where)})"


def _criteria_filters(definition: Definition) -> list[str]:
    """The criteria condition's date-free filters on `c` (companies)."""
    from vivier.startups.definitions import SMALL_HEADCOUNT_BANDS

    size = _in_list("c.size_category", definition.size_categories)
    if definition.accept_unknown_size:
        small = _in_list("c.headcount_band", SMALL_HEADCOUNT_BANDS)
        size = f"({size} OR (c.size_category IS NULL AND (c.headcount_band IS NULL OR {small})))"
    where = [size]
    if definition.legal_category_prefixes:
        where.append(_prefixes("c.legal_category", definition.legal_category_prefixes))
    if definition.naf_prefixes:
        where.append(_prefixes("c.naf", definition.naf_prefixes))
    if definition.labels:
        labels = _in_list("l.label", definition.labels)
        where.append(
            f"EXISTS (SELECT 1 FROM startup_members l WHERE l.siren = c.siren AND {labels})"
        )
    return where


def _criteria_condition(definition: Definition, siren: str, day: str) -> str:
    where = [
        f"c.siren = {siren}",
        f"c.created_on <= {day}",
        f"c.created_on >= {day} - INTERVAL {int(definition.max_age_years or 0)} YEAR",
        *_criteria_filters(definition),
    ]
    return f"EXISTS (SELECT 1 FROM companies c WHERE {' AND '.join(where)})"


def evaluate(
    connection: duckdb.DuckDBPyConnection, definition: Definition, pairs: list[tuple[str, date]]
) -> list[bool]:
    """Evaluate the definition's SQL condition on (siren, date) pairs, in order."""
    if not pairs:
        return []
    connection.execute("CREATE OR REPLACE TEMP TABLE _startup_probe (i INTEGER, s VARCHAR, d DATE)")
    connection.executemany(
        "INSERT INTO _startup_probe VALUES (?, ?, ?)",
        [(i, siren, day) for i, (siren, day) in enumerate(pairs)],
    )
    condition = definition_condition(definition, "p.s", "p.d")
    rows = connection.execute(f"SELECT {condition} FROM _startup_probe p ORDER BY p.i").fetchall()
    connection.execute("DROP TABLE _startup_probe")
    return [bool(row[0]) for row in rows]


def replace_label(
    connection: duckdb.DuckDBPyConnection,
    label: str,
    kind: str,
    valid_from: date | None,
    valid_to: date | None,
    source_file: str,
    members: list[dict],
) -> None:
    """Replace a label and all its members, in one transaction."""
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.execute("DELETE FROM startup_members WHERE label = ?", [label])
        connection.execute("DELETE FROM startup_labels WHERE label = ?", [label])
        connection.execute(
            "INSERT INTO startup_labels VALUES (?, ?, ?, ?, ?, ?)",
            [label, kind, valid_from, valid_to, source_file, datetime.now()],
        )
        if members:
            table = pa.Table.from_pylist(
                [{column: member.get(column) for column in MEMBER_COLUMNS} for member in members],
                schema=_MEMBER_SCHEMA,
            )
            connection.register("_member_rows", table)
            connection.execute(
                f"INSERT INTO startup_members ({', '.join(MEMBER_COLUMNS)}) "
                f"SELECT {', '.join(MEMBER_COLUMNS)} FROM _member_rows"
            )
            connection.unregister("_member_rows")
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise


def members_of(connection: duckdb.DuckDBPyConnection, siren: str) -> list[dict]:
    """Every list membership of a SIREN."""
    cursor = connection.execute(
        f"SELECT {', '.join(MEMBER_COLUMNS)} FROM startup_members WHERE siren = ? ORDER BY label",
        [siren],
    )
    return [dict(zip(MEMBER_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def labels(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every imported label with its member count."""
    cursor = connection.execute(
        "SELECT l.label, l.kind, l.valid_from, l.valid_to, l.source_file, l.imported_at, "
        "count(m.siren) AS members FROM startup_labels l "
        "LEFT JOIN startup_members m ON m.label = l.label "
        "GROUP BY ALL ORDER BY l.label"
    )
    return dict_rows(cursor)


def list_startups(connection: duckdb.DuckDBPyConnection, label: str | None = None) -> list[dict]:
    """One row per SIREN member of a list (or of `label`), with its labels and names."""
    where = "WHERE m.siren IN (SELECT siren FROM startup_members WHERE label = ?)" if label else ""
    cursor = connection.execute(
        "SELECT m.siren, coalesce(any_value(c.name), min(m.name)) AS name, "
        "list(DISTINCT m.label ORDER BY m.label) AS labels, "
        "min(m.year) AS first_year, any_value(m.region) AS region, "
        "string_agg(DISTINCT m.domain, ' ; ') AS domain, "
        "max(m.confidence) AS confidence, any_value(c.created_on) AS created_on, "
        "any_value(c.size_category) AS size_category "
        "FROM startup_members m LEFT JOIN companies c ON c.siren = m.siren "
        f"{where} GROUP BY m.siren ORDER BY name, m.siren",
        [label] if label else [],
    )
    return dict_rows(cursor)


def known_names(
    connection: duckdb.DuckDBPyConnection, exclude_label: str, prefixes: Iterable[str]
) -> list[tuple[str, str]]:
    """(siren, name) pairs known from companies and other lists, for name resolution:
    only names with a word starting with one of `prefixes` (upper case, no accents), so
    that the candidates of a few hundred names are read from millions of companies in
    one scan."""
    words = sorted({p for p in prefixes if p.isalnum()})
    if not words:
        return []
    pattern = r"\b(?:" + "|".join(words) + ")"
    return connection.execute(
        "WITH known AS (SELECT siren, name FROM companies WHERE name IS NOT NULL "
        "UNION SELECT siren, name FROM startup_members "
        "WHERE name IS NOT NULL AND label <> ? AND confidence >= 1.0) "
        "SELECT siren, name FROM known WHERE regexp_matches(upper(strip_accents(name)), ?)",
        [exclude_label, pattern],
    ).fetchall()
