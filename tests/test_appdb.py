"""The app database: migrations up and down (SQLite and PostgreSQL), dump and restore."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from census_support import SIREN_2, build_world, make_need, private_postgres

from vivier.appdb import downgrade, make_engine, session_scope, upgrade
from vivier.appdb import dump as appdb_dump
from vivier.config import load_settings
from vivier.needs import curation, workflow

CENSUS_TABLES = {
    "organisations",
    "users",
    "api_tokens",
    "needs",
    "list_entries",
    "interests",
    "audit_log",
}


def tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def check_up_and_down(engine) -> None:
    upgrade(engine)
    assert CENSUS_TABLES | {"saved_searches"} <= tables(engine)
    downgrade(engine, "0001")
    assert not CENSUS_TABLES & tables(engine)
    assert "saved_searches" in tables(engine)
    downgrade(engine, "base")
    assert tables(engine) <= {"alembic_version"}
    upgrade(engine)
    assert tables(engine) >= CENSUS_TABLES


def test_migrations_up_and_down_on_sqlite(settings):
    check_up_and_down(make_engine(settings))


@pytest.mark.postgres
def test_migrations_up_and_down_on_postgres():
    with private_postgres() as settings:
        engine = make_engine(settings)
        check_up_and_down(engine)
        engine.dispose()


def head_revision(settings) -> str:
    from alembic.script import ScriptDirectory

    from vivier.appdb import alembic_config

    return ScriptDirectory.from_config(alembic_config(make_engine(settings))).get_current_head()


def test_appdb_commands_move_between_revisions(cli, settings):
    head = head_revision(settings)
    result = cli("appdb", "upgrade")
    assert result.exit_code == 0 and f"révision {head}." in result.stdout
    result = cli("appdb", "downgrade", "0001")
    assert result.exit_code == 0 and "révision 0001." in result.stdout
    assert cli("appdb", "current").stdout.strip() == "0001"
    assert cli("appdb", "upgrade", "0002").exit_code == 0
    assert cli("appdb", "current").stdout.strip() == "0002"
    assert f"révision {head}." in cli("appdb", "upgrade").stdout


def populate(settings) -> None:
    """Every kind of row: accounts, token, needs in several states, list, interest, audit."""
    world = build_world(settings)
    make_need(world, "draft", title="Brouillon « accentué » : é à ç œ")
    published = make_need(world, "published")
    make_need(world, "submitted", author="buyer_a2", confidential=True)
    with session_scope(world.engine) as session:
        startup = world.user(session, "startup2")
        curation.declare_interest(session, startup, published, "Nous sommes intéressés.")
        workflow.delete_need(session, world.user(session, "buyer_a"), published - 1)
        from vivier.needs.accounts import create_token

        create_token(session, world.user(session, "buyer_a"), "script")
    world.engine.dispose()


def test_dump_then_restore_gives_the_same_file(settings, cli, tmp_path):
    populate(settings)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert cli("appdb", "dump", first).exit_code == 0
    other = tmp_path / "other-home"
    restored = load_settings(home=other)
    appdb_dump.restore(make_engine(restored), first)
    appdb_dump.dump(make_engine(restored), second)
    assert first.read_bytes() == second.read_bytes()
    data = appdb_dump.read_dump(first)
    assert len(data["tables"]["needs"]["rows"]) == 3
    assert len(data["tables"]["interests"]["rows"]) == 1
    assert "Brouillon « accentué » : é à ç œ" in first.read_text(encoding="utf-8")
    assert any(row[0] == "delete" for row in data["tables"]["audit_log"]["rows"])


def test_restore_refuses_a_database_that_is_not_empty(settings, cli, tmp_path):
    populate(settings)
    dumped = tmp_path / "dump.json"
    cli("appdb", "dump", dumped)
    result = cli("appdb", "restore", dumped)
    assert result.exit_code == 1
    assert "n'est pas vide" in result.stderr


def test_restore_refuses_a_file_that_is_not_a_dump(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    result = cli("appdb", "restore", bad)
    assert result.exit_code == 1 and "sauvegarde de vivier" in result.stderr
    result = cli("appdb", "restore", tmp_path / "missing.json")
    assert result.exit_code == 1 and "introuvable" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.postgres
def test_sqlite_dump_restored_on_postgres_dumps_the_same(settings, tmp_path):
    populate(settings)
    first, second = tmp_path / "sqlite.json", tmp_path / "postgres.json"
    appdb_dump.dump(make_engine(settings), first)
    with private_postgres() as pg_settings:
        engine = make_engine(pg_settings)
        appdb_dump.restore(engine, first)
        appdb_dump.dump(engine, second)
        assert first.read_bytes() == second.read_bytes()
        with session_scope(engine) as session:  # sequences moved past the restored ids
            mission = session.scalar(
                sa.select(workflow.User).where(workflow.User.role == "mission")
            )
            need_id = workflow.visible_needs(session, mission)[0].id
            curation.add_entry(session, mission, need_id, SIREN_2, name="Beta")
        engine.dispose()
