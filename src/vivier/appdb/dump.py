"""Dump and restore of the whole app database as one JSON file.

The file is deterministic (tables by name, rows by primary key, columns by name), so that
dumping a restored database gives the same bytes. It records the schema revision; restore
brings an empty database to that revision, then loads every row.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from vivier.appdb import upgrade
from vivier.errors import BadValueError, SourceError

FORMAT = "vivier-appdb-dump"
VERSION = 1
SKIPPED = {"alembic_version"}


def current_revision(connection: Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _tables(connection: Connection) -> list[sa.Table]:
    """The database's tables (reflected), parents before children."""
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    return [table for table in metadata.sorted_tables if table.name not in SKIPPED]


def _encode(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(column: sa.Column, value: object) -> object:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    return value


def dump_data(engine: Engine) -> dict:
    with engine.connect() as connection:
        revision = current_revision(connection)
        tables = {}
        for table in sorted(_tables(connection), key=lambda t: t.name):
            columns = sorted(column.name for column in table.columns)
            order = list(table.primary_key.columns) or [table.c[name] for name in columns]
            rows = connection.execute(
                sa.select(*(table.c[name] for name in columns)).order_by(*order)
            )
            tables[table.name] = {
                "columns": columns,
                "rows": [[_encode(value) for value in row] for row in rows],
            }
    return {"format": FORMAT, "version": VERSION, "revision": revision, "tables": tables}


def dump(engine: Engine, path: Path) -> dict[str, int]:
    """Write the dump file; returns the number of rows per table."""
    data = dump_data(engine)
    Path(path).write_text(_dump_text(data), encoding="utf-8")
    return {name: len(table["rows"]) for name, table in data["tables"].items()}


def _dump_text(data: dict) -> str:
    """JSON with one line per row: readable, diffable, and the same for the same data."""

    def compact(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    head = {key: value for key, value in data.items() if key != "tables"}
    lines = [compact(head)[:-1] + ',"tables":{']
    for index, (name, table) in enumerate(data["tables"].items()):
        lines.append(f'{compact(name)}:{{"columns":{compact(table["columns"])},"rows":[')
        lines.append(",\n".join(compact(row) for row in table["rows"]))
        lines.append("]}" + ("," if index < len(data["tables"]) - 1 else ""))
    lines.append("}}")
    return "\n".join(line for line in lines if line) + "\n"


def read_dump(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError("fichier introuvable", path=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"ce n'est pas une sauvegarde JSON ({error})", path=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SourceError("ce n'est pas une sauvegarde de vivier (appdb dump)", path=str(path))
    if data.get("version") != VERSION:
        raise SourceError(f"version de sauvegarde non prise en charge : {data.get('version')}")
    return data


def restore(engine: Engine, path: Path) -> dict[str, int]:
    """Load a dump into an empty database (created at the dump's revision)."""
    data = read_dump(path)
    if data.get("revision"):
        upgrade(engine, data["revision"])
    with engine.begin() as connection:
        tables = {table.name: table for table in _tables(connection)}
        _check_target(connection, tables, data["tables"])
        counts = {}
        for name, table in tables.items():
            content = data["tables"].get(name, {"columns": [], "rows": []})
            counts[name] = _load_table(connection, table, content)
        _reset_sequences(connection, tables.values())
    return counts


def _check_target(connection: Connection, tables: dict, dumped: dict) -> None:
    missing = sorted(set(dumped) - set(tables))
    if missing:
        raise BadValueError(f"Tables de la sauvegarde absentes de la base : {', '.join(missing)}.")
    for table in tables.values():
        if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            raise BadValueError(
                f"La base n'est pas vide (table {table.name}) : restaurez dans une base neuve."
            )


def _load_table(connection: Connection, table: sa.Table, content: dict) -> int:
    columns = content["columns"]
    unknown = sorted(set(columns) - set(table.columns.keys()))
    if unknown:
        raise BadValueError(f"Colonnes inconnues dans {table.name} : {', '.join(unknown)}.")
    rows = [
        {name: _decode(table.c[name], value) for name, value in zip(columns, row, strict=True)}
        for row in content["rows"]
    ]
    if rows:
        connection.execute(table.insert(), rows)
    return len(rows)


def _reset_sequences(connection: Connection, tables) -> None:
    """PostgreSQL: move each serial id's sequence past the restored ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
            continue
        sequence = connection.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar()
        if sequence:
            connection.execute(
                sa.text(
                    f"SELECT setval('{sequence}', COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"  # noqa: E501
                )
            )
