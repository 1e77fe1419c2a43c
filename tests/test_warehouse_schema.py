"""The contracts' integer key (`cid`) and the migration of a warehouse made by an older
version (columns added and filled, figures unchanged)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from vivier.warehouse import missing_columns, open_warehouse
from vivier.warehouse.web_buyers import open_for_web

FILES = (
    "decp-2019/data.gouv.fr_pes.json",  # 8 duplicates inside the file
    "decp-2019/e-marchespublics.json",
    "decp-2024/marches_concessions.json",
    "decp-consolidated-csv",  # several rows per contract
)


def _ingest(cli, samples: Path, names=FILES) -> None:
    paths = []
    for name in names:
        path = samples / name
        paths += sorted(path.glob("*.csv")) if path.is_dir() else [path]
    result = cli("ingest", *paths)
    assert result.exit_code == 0, result.output


def _key_checks(connection) -> tuple:
    return connection.execute(
        """SELECT (SELECT count(*) FROM contracts WHERE cid IS NULL),
  (SELECT count(*) - count(DISTINCT cid) FROM contracts),
  (SELECT count(*) FROM contract_suppliers s LEFT JOIN contracts c USING (uid)
   WHERE s.cid IS DISTINCT FROM c.cid),
  (SELECT count(*) FROM contract_suppliers)"""
    ).fetchone()


def test_every_contract_and_supplier_row_gets_the_contracts_integer_key(cli, samples, settings):
    _ingest(cli, samples)
    with open_warehouse(settings, read_only=True) as connection:
        nulls, repeated, mismatched, supplier_rows = _key_checks(connection)
        file_ids = connection.execute(
            "SELECT count(*) FROM contracts WHERE cid >> 32 IS DISTINCT FROM file_id"
        ).fetchone()[0]
    assert (nulls, repeated, mismatched) == (0, 0, 0)
    assert supplier_rows > 1000
    assert file_ids == 0  # file_id << 32 | record index in the file


def _register_startups(settings) -> None:
    """One supplier SIREN in seven becomes a member of a start-up list."""
    with open_warehouse(settings) as connection:
        connection.execute(
            "INSERT INTO startup_members (label, siren, name, valid_from, confidence) "
            "SELECT 'test', siren, 'Start-up ' || siren, DATE '2010-01-01', 1.0 FROM ("
            "SELECT DISTINCT siren FROM contract_suppliers WHERE siren IS NOT NULL) "
            "WHERE hash(siren) % 7 = 0"
        )


def _figures(cli) -> dict:
    result = cli("barometer", "--year", "2019", "--definition", "registry", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_warehouse_without_the_key_is_migrated_with_the_same_figures(cli, samples, settings):
    _ingest(cli, samples, FILES[:2])
    _register_startups(settings)
    before = _figures(cli)
    assert before["startup_contracts"] > 5 and before["contracts"] > 500
    path = str(settings.warehouse_path)
    with duckdb.connect(path) as connection:  # as an older version left it
        connection.execute("ALTER TABLE contract_suppliers DROP COLUMN cid")
        connection.execute("ALTER TABLE contracts DROP COLUMN cid")
        assert missing_columns(connection) == [("contracts", "cid"), ("contract_suppliers", "cid")]
    with open_warehouse(settings, read_only=True) as connection:  # reading migrates first
        assert missing_columns(connection) == []
        nulls, repeated, mismatched, _ = _key_checks(connection)
    assert (nulls, repeated, mismatched) == (0, 0, 0)
    assert _figures(cli) == before
    _ingest(cli, samples, FILES[2:3])  # later files get keys that collide with none
    with open_warehouse(settings, read_only=True) as connection:
        assert _key_checks(connection)[:3] == (0, 0, 0)


def test_the_web_app_upgrades_an_older_warehouse_before_attaching_it(cli, samples, settings):
    _ingest(cli, samples, FILES[:1])
    path = settings.warehouse_path
    with duckdb.connect(str(path)) as connection:
        connection.execute("ALTER TABLE contract_suppliers DROP COLUMN cid")
    web = open_for_web(path)
    try:
        unkeyed = web.execute("SELECT count(*) FROM contract_suppliers WHERE cid IS NULL")
        assert unkeyed.fetchone()[0] == 0
    finally:
        web.close()
