"""The barometer on the real DECP samples, checked against a plain-Python reference
implementation of the method (docs/barometer-method.md) over the same warehouse rows."""

from __future__ import annotations

from collections import defaultdict

import pytest

from vivier.barometer import compute_barometer, latest_year
from vivier.config import load_settings
from vivier.pipeline.demo import demo_data_dir
from vivier.pipeline.ingest import ingest_paths
from vivier.report.demo_step import barometer_step
from vivier.startups.definitions import load_definition
from vivier.warehouse import open_warehouse
from vivier.warehouse.buyers import refresh_buyers

SAMPLES = ("decp-2019", "decp-consolidated-csv")
STARTUPS = 6  # the most frequent suppliers of the year are declared start-ups


@pytest.fixture(scope="module")
def real_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("samples") / "vivier-data"
    settings = load_settings(home=home)
    paths = sorted(path for name in SAMPLES for path in (demo_data_dir() / name).iterdir())
    report = ingest_paths(settings, paths)
    assert not report.errors
    with open_warehouse(settings) as connection:
        refresh_buyers(connection)
        year = latest_year(connection, 100)
        frequent = connection.execute(
            "SELECT s.siren FROM contract_suppliers s JOIN contracts c USING (uid) "
            "WHERE s.siren IS NOT NULL AND year(c.notification_date) = ? "
            "GROUP BY s.siren ORDER BY count(*) DESC, s.siren LIMIT ?",
            [year, STARTUPS],
        ).fetchall()
        for index, (siren,) in enumerate(frequent):
            # the last one is labelled only after the year: it must not count
            start = f"{year + 1}-01-01" if index == STARTUPS - 1 else "2000-01-01"
            connection.execute(
                "INSERT INTO startup_members (label, siren, name, valid_from, confidence) "
                "VALUES ('échantillon', ?, ?, ?, 1.0)",
                [siren, f"Start-up {siren}", start],
            )
    return settings, year


def reference(connection, year: int) -> dict:
    """The method in plain Python over raw rows (no shared code with the SQL)."""
    members = {
        siren: start
        for siren, start in connection.execute(
            "SELECT siren, valid_from FROM startup_members"
        ).fetchall()
    }
    suppliers = defaultdict(list)
    for uid, siren in connection.execute("SELECT uid, siren FROM contract_suppliers").fetchall():
        suppliers[uid].append(siren)
    totals = defaultdict(float)
    undated = 0
    for uid, amount, day in connection.execute(
        "SELECT uid, amount, notification_date FROM contracts"
    ).fetchall():
        if day is None:
            undated += 1
            continue
        if day.year != year:
            continue
        names = suppliers.get(uid, [])
        startups = sum(1 for s in names if s is not None and s in members and members[s] <= day)
        fraction = startups / len(names) if names else 0.0
        totals["contracts"] += 1
        totals["contracts_with_startup"] += startups > 0
        totals["startup_contracts"] += fraction
        if amount is None:
            totals["excluded_amounts"] += 1
        else:
            totals["amount_total"] += amount
            totals["amount_startup"] += amount * fraction
    totals["undated_contracts"] = undated
    return totals


def test_real_samples_match_the_reference(real_home):
    settings, year = real_home
    with open_warehouse(settings, read_only=True) as connection:
        expected = reference(connection, year)
        result = compute_barometer(connection, year, load_definition("registry"), settings)
    assert expected["contracts"] > 1000 and expected["startup_contracts"] > 0
    for key in ("contracts", "contracts_with_startup", "excluded_amounts", "undated_contracts"):
        assert result[key] == expected[key], key
    for key in ("startup_contracts", "amount_total", "amount_startup"):
        assert result[key] == pytest.approx(expected[key], rel=1e-9, abs=0.01), key
    assert result["startup_amount_share"] == pytest.approx(
        expected["amount_startup"] / expected["amount_total"], abs=1e-6
    )


def test_breakdowns_add_up_on_real_samples(real_home):
    settings, year = real_home
    with open_warehouse(settings, read_only=True) as connection:
        result = compute_barometer(connection, year, load_definition("registry"), settings)
    for name in ("perimeter", "buyer", "cpv_division", "procedure", "nature", "amount_band"):
        rows = result["breakdowns"][name]
        assert sum(row["contracts"] for row in rows) == result["contracts"], name
        total = sum(row["amount_total"] for row in rows)
        assert total == pytest.approx(result["amount_total"], abs=1), name
        assert all(0 <= (row["startup_amount_share"] or 0) <= 1 for row in rows)
    trend = {row["year"]: row for row in result["trend"]}
    assert trend[year]["contracts"] == result["contracts"]
    assert 0 < result["coverage"]["valid_siren_share"] <= 1


def test_demo_step_writes_the_report(real_home):
    settings, year = real_home
    lines = list(barometer_step(settings))
    assert f"Baromètre {year}" in lines[0]
    assert (settings.home / "rapports" / f"barometre-{year}.html").exists()
    assert str(settings.home / "rapports") in lines[1]


def test_award_notices_from_ted_and_boamp_are_not_counted_twice(tmp_path):
    """TED/BOAMP award notices feed the warehouse (matching) but the barometer counts the
    DECP only: the same contracts are published there under another key."""
    settings = load_settings(home=tmp_path / "vivier-data")
    definition = load_definition("registry")
    ingest_paths(settings, sorted((demo_data_dir() / "decp-2024").iterdir()))

    def figures() -> dict[int, int]:
        with open_warehouse(settings) as connection:
            years = range(2019, 2026)
            return {
                year: compute_barometer(connection, year, definition, settings)["contracts"]
                for year in years
            }

    before = figures()
    notices = sorted((demo_data_dir() / "ted-eforms" / "real-notices").iterdir())
    ingest_paths(settings, notices)
    with open_warehouse(settings) as connection:
        from_notices = connection.execute(
            "SELECT count(*) FROM contracts WHERE source IN ('ted', 'boamp')"
        ).fetchone()[0]
    assert from_notices > 0
    assert figures() == before
