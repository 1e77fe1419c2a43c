"""How the web app serves at scale: per-buyer sheets in one indexed table, pooled cursors
that read the warehouse from any catalog, warm-up before serving, `serve --workers`."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from fastapi.testclient import TestClient

from vivier.config import load_settings
from vivier.warehouse.web_buyers import SHEETS, buyer_sheet, open_for_web
from vivier.web import create_app


@pytest.fixture(scope="module")
def web_db(demo_home):
    con = open_for_web(demo_home.warehouse_path)
    yield con
    con.close()


def busiest_buyers(con, count: int = 5) -> list[str]:
    rows = con.execute(
        "SELECT buyer_siren FROM contracts WHERE buyer_siren IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?",
        [count],
    ).fetchall()
    return [row[0] for row in rows]


def rows(con, sql: str, siren: str) -> list[dict]:
    cursor = con.execute(sql, [siren])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_sheet_agrees_with_queries_on_the_warehouse(web_db):
    cursor = web_db.cursor()
    for siren in busiest_buyers(cursor):
        sheet = buyer_sheet(cursor, siren)
        recent = rows(
            cursor,
            "SELECT uid, left(object, 160) AS object, amount, notification_date FROM contracts "
            "WHERE buyer_siren = ? ORDER BY notification_date DESC NULLS LAST, uid LIMIT 10",
            siren,
        )
        assert sheet["recent"] == recent
        years = rows(
            cursor,
            "SELECT year(notification_date) AS year, count(*) AS contracts, "
            "sum(amount) AS amount FROM contracts WHERE buyer_siren = ? "
            "AND notification_date IS NOT NULL GROUP BY 1 ORDER BY 1",
            siren,
        )
        assert [(y["year"], y["contracts"]) for y in sheet["by_year"]] == [
            (y["year"], y["contracts"]) for y in years
        ]
        suppliers = rows(
            cursor,
            "SELECT s.siren, count(DISTINCT c.uid) AS contracts, sum(c.amount) AS amount "
            "FROM contract_suppliers s JOIN contracts c USING (uid) WHERE c.buyer_siren = ? "
            "AND s.siren IS NOT NULL GROUP BY 1 "
            "ORDER BY amount DESC NULLS LAST, contracts DESC, siren LIMIT 15",
            siren,
        )
        assert [s["siren"] for s in sheet["suppliers"]] == [s["siren"] for s in suppliers]
        divisions = sheet["cpv_divisions"]
        assert len(divisions) <= 12
        keys = [(-(d["amount"] or 0), -d["contracts"], d["division"]) for d in divisions]
        assert keys == sorted(keys)  # ties broken by code, the same way every time
        sirets = [e["siret"] for e in sheet["establishments_list"]]
        assert sirets == sorted(sirets)
        assert sheet["coverage"]["contracts"] == sheet["contracts"] >= len(recent)


def test_one_indexed_row_per_buyer(web_db):
    cursor = web_db.cursor()
    count, buyers = cursor.execute(
        f"SELECT count(*), count(DISTINCT buyer_siren) FROM {SHEETS}"
    ).fetchone()
    assert count == buyers == len(busiest_buyers(cursor, 10**6))
    indexes = cursor.execute(
        "SELECT is_unique, expressions FROM duckdb_indexes() WHERE table_name = ?",
        [SHEETS.rsplit(".", 1)[1]],
    ).fetchall()
    assert indexes == [(True, "[buyer_siren]")]
    assert buyer_sheet(cursor, "552100554") is None  # buys nothing here


def test_any_cursor_reads_the_warehouse_without_use(web_db):
    """A feature may open its own cursor from the one it is given (e.g. the barometer)."""
    child = web_db.cursor().cursor()
    assert child.execute("SELECT count(*) FROM contracts").fetchone()[0] > 0
    with pytest.raises(duckdb.Error):  # and the warehouse stays read-only
        child.execute("DELETE FROM contracts")


def test_warm_app_is_ready_before_the_first_request(demo_home):
    app = create_app(demo_home, warm=True)
    with TestClient(app) as client:
        assert app.state.warehouse is not None
        assert app.state.match_engine is not None
        siren = busiest_buyers(app.state.warehouse.connection.cursor(), 1)[0]
        assert client.get(f"/api/acheteurs/{siren}").status_code == 200
    assert app.state.warehouse is None  # closed on shutdown


def test_an_index_that_does_not_load_does_not_stop_the_site(demo_home, tmp_path):
    home = tmp_path / "vivier-data"
    (home / "index").mkdir(parents=True)
    shutil.copy(demo_home.warehouse_path, home / "warehouse.duckdb")
    (home / "index" / "engine.pkl").write_bytes(b"not a pickle of this version")
    app = create_app(load_settings(home=home), warm=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/").status_code == 200
        need = client.get("/api/trouver", params={"besoin": "logiciel"})
        assert need.status_code >= 400 and "erreur" in need.json()


def test_serve_refuses_zero_workers_in_french(cli):
    result = cli("serve", "--workers", "0")
    assert result.exit_code == 1
    assert "processus" in result.stdout + result.stderr
