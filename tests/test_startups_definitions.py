"""The start-up definitions: loading, the SQL condition and `explain` agree."""

from __future__ import annotations

import itertools
from datetime import date

import duckdb
import pytest

from vivier.errors import BadValueError, NotFound
from vivier.startups import available_definitions, explain, load_definition
from vivier.startups.definitions import definition_from_dict
from vivier.warehouse import companies as company_store
from vivier.warehouse import ensure_schema
from vivier.warehouse import startups as startup_store

# Valid SIRENs (Luhn) used as fixtures below.
YOUNG_PME = "908595879"  # created 2022-01-01, SAS (5710), PME
UNKNOWN_SIZE_SMALL = "880878145"  # created 2020-01-13, size unknown, band NN
UNKNOWN_SIZE_BIG = "839517323"  # created 2018-05-06, size unknown, band 41 (≥ 500)
OLD_GE = "552032534"  # created 1955, GE
COMMUNE = "217500016"  # 1983, legal category 7229
LEAP = "843701079"  # created 2016-02-29, SAS, PME
LISTED = "433572203"  # only in lists
WEAK = "988494795"  # list member with a low confidence
NOWHERE = "732829320"  # unknown everywhere


@pytest.fixture
def connection():
    con = duckdb.connect()
    ensure_schema(con)
    company_store.upsert_rows(
        con,
        [
            _company(YOUNG_PME, date(2022, 1, 1), "5710", "PME", "01"),
            _company(UNKNOWN_SIZE_SMALL, date(2020, 1, 13), "5710", None, "NN"),
            _company(UNKNOWN_SIZE_BIG, date(2018, 5, 6), "5499", None, "41"),
            _company(OLD_GE, date(1955, 1, 1), "5599", "GE", "42"),
            _company(COMMUNE, date(1983, 3, 1), "7229", "PME", "53"),
            _company(LEAP, date(2016, 2, 29), "5710", "PME", "03", naf="62.01Z"),
        ],
    )
    startup_store.replace_label(
        con,
        "ilab",
        "ilab",
        None,
        None,
        "test",
        [
            _member(LISTED, date(2019, 1, 1), None, 1.0),
            _member(YOUNG_PME, date(2023, 1, 1), date(2023, 12, 31), 1.0),
        ],
    )
    startup_store.replace_label(
        con, "next", "next40", None, None, "test", [_member(WEAK, None, None, 0.8)]
    )
    yield con
    con.close()


def _company(siren, created, legal, size, band, naf="70.22Z"):
    return {
        "siren": siren,
        "name": f"SOCIETE {siren}",
        "created_on": created,
        "legal_category": legal,
        "size_category": size,
        "headcount_band": band,
        "naf": naf,
        "active": True,
        "source": "test",
    }


def _member(siren, start, end, confidence):
    return {
        "siren": siren,
        "name": f"START {siren}",
        "valid_from": start,
        "valid_to": end,
        "confidence": confidence,
    }


def test_shipped_definitions_load():
    names = available_definitions()
    assert {"registry", "criteria", "registry-or-criteria"} <= set(names)
    combined = load_definition("registry-or-criteria")
    assert combined.kind == "any"
    assert [part.name for part in combined.parts] == ["registry", "criteria"]
    for name in names:
        definition = load_definition(name)
        assert definition.version and definition.description_fr


def test_definition_by_path_and_errors(tmp_path):
    path = tmp_path / "numerique.toml"
    path.write_text(
        'name = "numerique"\nversion = "2"\nkind = "criteria"\n'
        'description_fr = "Jeunes PME du numérique."\n'
        '[criteria]\nmax_age_years = 5\nnaf_prefixes = ["62"]\n',
        encoding="utf-8",
    )
    definition = load_definition(str(path))
    assert (definition.name, definition.version, definition.naf_prefixes) == (
        "numerique",
        "2",
        ("62",),
    )
    with pytest.raises(NotFound, match="inconnue"):
        load_definition("nope")
    with pytest.raises(BadValueError, match="kind"):
        definition_from_dict({"name": "x", "version": "1", "description_fr": "x", "kind": "?"})
    with pytest.raises(BadValueError, match="max_age_years"):
        definition_from_dict(
            {"name": "x", "version": "1", "description_fr": "x", "kind": "criteria"}
        )
    broken = tmp_path / "broken.toml"
    broken.write_text("name = ", encoding="utf-8")
    with pytest.raises(BadValueError, match="TOML"):
        load_definition(str(broken))


def test_explain_reasons(connection):
    criteria = load_definition("criteria")
    verdict = explain(connection, criteria, YOUNG_PME, date(2024, 6, 1))
    assert verdict.is_startup
    assert any("créée le 01/01/2022" in reason for reason in verdict.reasons)
    old = explain(connection, criteria, OLD_GE, date(2024, 6, 1))
    assert not old.is_startup and any("GE" in reason for reason in old.reasons)
    registry = load_definition("registry")
    weak = explain(connection, registry, WEAK, date(2024, 6, 1))
    assert not weak.is_startup and "confiance 0.80" in weak.reasons[0]
    expired = explain(connection, registry, YOUNG_PME, date(2024, 6, 1))
    assert not expired.is_startup and "terminée le 31/12/2023" in expired.reasons[0]


def _custom_definitions():
    yield from (load_definition(name) for name in available_definitions())
    base = {"version": "1", "description_fr": "test"}
    customs = [
        {
            "name": "naf",
            "kind": "criteria",
            "criteria": {"max_age_years": 9, "naf_prefixes": ["62"], "labels": ["ilab"]},
        },
        {
            "name": "strict",
            "kind": "criteria",
            "criteria": {"max_age_years": 3, "accept_unknown_size": False},
        },
        {"name": "next-only", "kind": "registry"}
        | {"registry": {"labels": ["next"], "min_confidence": 0.5}},
        {"name": "both", "kind": "all", "parts": ["registry", "criteria"]},
        {"name": "recent", "kind": "registry", "registry": {"max_years_listed": 2}},
    ]
    for custom in customs:
        yield definition_from_dict(base | custom)


def test_sql_and_explain_agree(connection):
    sirens = [YOUNG_PME, UNKNOWN_SIZE_SMALL, UNKNOWN_SIZE_BIG, OLD_GE, COMMUNE, LEAP]
    sirens += [LISTED, WEAK, NOWHERE]
    days = [
        date(2015, 1, 1),
        date(2019, 1, 1),
        date(2021, 12, 31),
        date(2022, 1, 1),
        date(2023, 12, 31),
        date(2024, 1, 1),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2026, 3, 1),
        date(2028, 2, 29),
        date(2032, 1, 1),
    ]
    pairs = list(itertools.product(sirens, days))
    seen = set()
    for definition in _custom_definitions():
        by_sql = startup_store.evaluate(connection, definition, pairs)
        by_python = [explain(connection, definition, s, d).is_startup for s, d in pairs]
        assert by_sql == by_python, definition.name
        seen.update(by_sql)
    assert seen == {True, False}


def test_candidates_hold_every_startup(connection):
    """A definition's candidate SIRENs (its date-free part) include every SIREN that meets it
    on some date, and leave out some that never can."""
    sirens = [YOUNG_PME, UNKNOWN_SIZE_SMALL, UNKNOWN_SIZE_BIG, OLD_GE, COMMUNE, LEAP]
    sirens += [LISTED, WEAK, NOWHERE]
    days = [date(year, month, 1) for year in range(2014, 2033) for month in (1, 7)]
    pairs = list(itertools.product(sirens, days))
    for definition in _custom_definitions():
        found = startup_store.evaluate(connection, definition, pairs)
        startups = {siren for (siren, _), yes in zip(pairs, found, strict=True) if yes}
        query = definition.sql_candidates()
        candidates = {siren for (siren,) in connection.execute(query).fetchall()}
        assert startups <= candidates, definition.name
        assert NOWHERE not in candidates, definition.name
        if definition.name == "registry":  # listed with confidence ≥ 0.9 (not WEAK)
            assert candidates == {LISTED, YOUNG_PME}


def test_condition_is_set_based_over_a_table(connection):
    connection.execute("CREATE TABLE deals (siren VARCHAR, day DATE)")
    connection.executemany(
        "INSERT INTO deals VALUES (?, ?)",
        [(YOUNG_PME, date(2024, 1, 1)), (OLD_GE, date(2024, 1, 1)), (None, date(2024, 1, 1))]
        + [(LISTED, None)],
    )
    condition = load_definition("registry-or-criteria").sql_condition("d.siren", "d.day")
    flags = connection.execute(f"SELECT {condition} FROM deals d ORDER BY rowid").fetchall()
    assert [flag for (flag,) in flags] == [True, False, False, False]
