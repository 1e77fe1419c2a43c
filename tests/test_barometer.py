"""The barometer on a hand-built warehouse: every figure below is worked out by hand.

2024, all perimeters (see tests/barometer_fixture.py):
- C1 ETAT 100 000 €, S1 → 1 start-up contract, 100 000 €
- C2 ETAT 90 000 €, S1 + N1 + no SIREN → 1/3, 30 000 €
- C3 COLL 50 000 €, S2 labelled only from 2024-06-01, notified 2024-03-01 → 0
- C4 COLL amount flagged invalid, S1 → 1 in counts, excluded from values
- C5 UNLISTED 20 000 €, N1, published by two sources → counted once, 0
- C6 HOSP 40 000 €, S2 (labelled by then) + N1 → 1/2, 20 000 €
- C7 ETAT 10 000 €, no supplier → 0
- C8 undated; C9, C10 notified in 2023.
"""

from __future__ import annotations

import json

import duckdb
import pytest
from barometer_fixture import MEMBERS, ListDefinition, fill

from vivier.barometer import compute_barometer
from vivier.startups.definitions import load_definition
from vivier.warehouse import connect

REQUIRED_KEYS = {
    "year", "perimeter", "definition", "contracts", "undated_contracts",
    "contracts_with_startup", "startup_contracts", "startup_contract_share", "amount_total",
    "amount_startup", "startup_amount_share", "excluded_amounts", "breakdowns",
}  # fmt: skip


@pytest.fixture
def warehouse(settings):
    connection = connect(settings)
    fill(connection)
    yield connection
    connection.close()


def register_members(connection) -> None:
    """The same start-ups as the test definition, as an imported list (the real registry)."""
    for siren, start, end in MEMBERS:
        connection.execute(
            "INSERT INTO startup_members (label, siren, name, valid_from, valid_to, confidence) "
            "VALUES ('test', ?, ?, ?, ?, 1.0)",
            [siren, f"Start-up {siren}", start, end],
        )


def test_headline_figures_by_hand(warehouse, settings):
    result = compute_barometer(warehouse, 2024, ListDefinition(), settings)
    assert result["contracts"] == 7  # C5 published twice, counted once; C8 undated
    assert result["undated_contracts"] == 1
    assert result["contracts_with_startup"] == 4  # C1, C2, C4, C6 (not C3: label too late)
    assert result["startup_contracts"] == pytest.approx(1 + 1 / 3 + 1 + 1 / 2, abs=1e-4)
    assert result["startup_contract_share"] == pytest.approx((2 + 5 / 6) / 7, abs=1e-6)
    assert result["amount_total"] == 310000.0  # C4 left out
    assert result["amount_startup"] == 150000.0  # 100 000 + 90 000 / 3 + 40 000 / 2
    assert result["startup_amount_share"] == pytest.approx(150000 / 310000, abs=1e-6)
    assert result["excluded_amounts"] == 1
    [reason] = result["excluded_amount_reasons"]
    assert (reason["reason"], reason["contracts"]) == ("amount_placeholder", 1)
    assert reason["label"].startswith("montant de remplissage")
    assert any("absents de la table des acheteurs" in note for note in result["notes"])


def test_duckdb_threads_setting_is_restored(warehouse, settings):
    warehouse.execute("SET threads = 2")
    single = compute_barometer(warehouse, 2024, ListDefinition(), settings)
    assert warehouse.execute("SELECT current_setting('threads')").fetchone()[0] == 2
    warehouse.execute("SET threads = 1")
    assert compute_barometer(warehouse, 2024, ListDefinition(), settings) == single
    assert warehouse.execute("SELECT current_setting('threads')").fetchone()[0] == 1


def test_breakdowns_by_hand(warehouse, settings):
    breakdowns = compute_barometer(warehouse, 2024, ListDefinition(), settings)["breakdowns"]
    perimeters = {row["key"]: row for row in breakdowns["perimeter"]}
    assert set(perimeters) == {"etat", "collectivites", "hopitaux", "autres"}
    assert perimeters["etat"]["contracts"] == 3
    assert perimeters["etat"]["amount_startup"] == 130000.0
    assert perimeters["collectivites"]["excluded_amounts"] == 1
    assert perimeters["collectivites"]["startup_contracts"] == 1.0  # C4 counts, not its value
    assert perimeters["autres"]["label"] == "Autres acheteurs"  # the unlisted buyer
    assert [row["key"] for row in breakdowns["ministry"]] == ["Ministère A"]
    cpv = {row["key"]: row for row in breakdowns["cpv_division"]}
    assert cpv["72"]["amount_total"] == 200000.0 and cpv[None]["contracts"] == 1
    bands = {row["key"]: row["contracts"] for row in breakdowns["amount_band"]}
    assert bands == {"1": 2, "2": 2, "3": 2, None: 1}  # < 40 k€: C5, C7; 40–90 k€: C3, C6
    innovative = {row["key"]: row["contracts"] for row in breakdowns["innovative"]}
    assert innovative == {"oui": 1, "non": 1, None: 5}
    assert sum(row["contracts"] for row in breakdowns["buyer"]) == 7
    procedures = {row["label"]: row["contracts"] for row in breakdowns["procedure"]}
    assert procedures == {"Procédure adaptée": 5, "Appel d'offres ouvert": 2}
    regions = {row["label"]: row["contracts"] for row in breakdowns["region"]}
    assert regions["Île-de-France"] == 3


def test_trend_target_and_perimeter(warehouse, settings):
    settings = settings.model_copy(update={"target_share": 0.9})
    result = compute_barometer(warehouse, 2024, ListDefinition(), settings)
    trend = {row["year"]: row for row in result["trend"]}
    assert set(trend) == {2023, 2024}
    assert trend[2023]["contracts"] == 2 and trend[2023]["amount_startup"] == 60000.0
    target = result["target"]
    assert target["perimeter"] == "etat" and target["current_share"] == 0.65
    assert target["gap_points"] == pytest.approx(25.0)  # 90 % − 65 %
    assert target["gap_amount"] == pytest.approx(50000.0)  # 0.9 × 200 000 − 130 000
    assert target["reached"] is False
    state = compute_barometer(warehouse, 2024, ListDefinition(), settings, perimeter="etat")
    assert (state["contracts"], state["amount_total"]) == (3, 200000.0)
    assert state["undated_contracts"] == 1  # C8 is a State contract
    assert {row["perimeter"] for row in state["coverage"]["perimeters"]} == {"etat"}
    assert [row["buyer"] for row in state["coverage"]["buyers"]] == ["ETAT"]
    assert state["coverage"]["silent_buyers"] == []  # OLD is a local authority


def test_coverage_and_sensitivity(warehouse, settings):
    empty = ListDefinition(name="vide", members=[])
    both = [ListDefinition(), empty]
    result = compute_barometer(
        warehouse, 2024, ListDefinition(), settings, sensitivity_definitions=both
    )
    coverage = result["coverage"]
    assert coverage["suppliers"] == 9 and coverage["suppliers_valid_siren"] == 8
    assert coverage["buyers_publishing"] == 4
    assert [row["buyer"] for row in coverage["silent_buyers"]] == ["OLD"]
    buyers = {row["buyer"]: row for row in coverage["buyers"]}
    etat = buyers["ETAT"]
    assert etat["contracts_by_year"] == {"2023": 1, "2024": 3}
    assert buyers["OLD"]["contracts_by_year"] == {"2023": 1}  # nothing in 2024
    assert buyers["COLL"]["contracts_by_year"] == {"2024": 2}  # nothing in 2023
    assert buyers["OLD"]["suppliers"] is None  # no supplier row in 2024
    assert buyers["COLL"]["suppliers"] == 2 and buyers["COLL"]["suppliers_valid_siren"] == 2
    assert etat["first_publication"] == "2023-05-01"
    sensitivity = {row["definition"]: row for row in result["sensitivity"]}
    assert sensitivity["liste-test"]["amount_startup"] == result["amount_startup"]
    assert sensitivity["vide"]["startup_contracts"] == 0 and sensitivity["vide"]["contracts"] == 7


def test_registry_definition_gives_the_same_figures(warehouse, settings):
    register_members(warehouse)
    registry = compute_barometer(warehouse, 2024, load_definition("registry"), settings)
    by_list = compute_barometer(warehouse, 2024, ListDefinition(), settings)
    for key in ("contracts_with_startup", "startup_contracts", "amount_startup"):
        assert registry[key] == by_list[key]
    assert registry["definition"] == "registry"


def test_warehouse_attached_to_another_database(warehouse, settings):
    """As the web app reads it: attached read-only to an in-memory database, current
    catalog (the trend runs on a second cursor, which must find the same tables)."""
    expected = compute_barometer(warehouse, 2024, ListDefinition(), settings)
    warehouse.close()
    attached = duckdb.connect(":memory:")
    attached.execute(f"ATTACH '{settings.warehouse_path}' AS entrepot (READ_ONLY)")
    cursor = attached.cursor()
    cursor.execute("USE entrepot")
    result = compute_barometer(cursor, 2024, ListDefinition(), settings)
    assert result == expected
    assert [row["contracts"] for row in result["trend"]] == [2, 7]


def test_candidate_sirens_change_no_figure(warehouse, settings):
    """The registry definition names its candidate SIRENs (only their supplier rows are
    tested); the test definition does not (every valid SIREN is): same figures throughout."""
    register_members(warehouse)
    registry = compute_barometer(warehouse, 2024, load_definition("registry"), settings)
    by_list = compute_barometer(warehouse, 2024, ListDefinition(), settings)
    assert load_definition("registry").sql_candidates()
    assert not hasattr(ListDefinition(), "sql_candidates")
    for key in ("breakdowns", "top_buyers", "trend", "target", "coverage"):
        assert registry[key] == by_list[key], key
    assert [row["year"] for row in registry["trend"]] == [2023, 2024]
    assert registry["trend"][0]["startup_contracts"] == 1.0  # C9 (S1), 2023


def test_cli_json_keys(warehouse, cli):
    register_members(warehouse)
    warehouse.close()
    result = cli("barometer", "--year", "2024", "--json", "--definition", "registry")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= REQUIRED_KEYS
    assert data["year"] == 2024 and data["perimeter"] == "all"
    assert data["startup_contracts"] == pytest.approx(2.8333)
    assert {"registry", "criteria"} <= {row["definition"] for row in data["sensitivity"]}
    summary = cli("barometer", "--year", "2024", "--perimeter", "etat")
    assert summary.exit_code == 0 and "130 000 €" in summary.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--perimeter", "ministere"], "Périmètre inconnu"),
        (["--definition", "inconnue"], "Définition de start-up inconnue"),
        (["--year", "1789"], "Année invalide"),
        (["--year", "deux-mille"], "Année invalide"),
    ],
)
def test_cli_bad_input(warehouse, cli, args, message):
    warehouse.close()
    result = cli("barometer", "--year", "2024", *args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_cli_without_warehouse(cli):
    result = cli("barometer", "--year", "2024")
    assert result.exit_code == 1 and "vivier ingest" in result.stderr


def test_cli_default_year_is_the_latest_with_enough_contracts(warehouse, cli):
    warehouse.close()  # 2024 has 7 dated contracts, 2023 has 2: too few, the latest is taken
    result = cli("barometer", "--json", "--definition", "registry")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["year"] == 2024


def test_cli_definition_from_a_toml_file(warehouse, cli, tmp_path):
    register_members(warehouse)
    warehouse.close()
    path = tmp_path / "ma-definition.toml"
    path.write_text(
        'name = "liste-observatoire"\nversion = "2"\nkind = "registry"\n'
        'description_fr = "Membres des listes importées."\n'
        "[registry]\nlabels = []\nmin_confidence = 0.9\n",
        encoding="utf-8",
    )
    result = cli("barometer", "--year", "2024", "--json", "--definition", path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["definition"], data["definition_version"]) == ("liste-observatoire", "2")
    assert data["amount_startup"] == 150000.0
    assert data["sensitivity"][0]["definition"] == "liste-observatoire"
    broken = tmp_path / "cassée.toml"
    broken.write_text("name = ", encoding="utf-8")
    failed = cli("barometer", "--year", "2024", "--definition", broken)
    assert failed.exit_code == 1 and "illisible" in failed.stderr
