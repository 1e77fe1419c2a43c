"""The learned supplier ranker: places of execution, features, training, evaluation."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import match_data
import numpy as np
import pytest
from match_data import run_cli

from vivier.config import Settings
from vivier.match.bm25 import BM25
from vivier.match.features import (
    DEPARTEMENTS,
    FEATURES,
    QueryFacts,
    SupplierFacts,
    candidate_features,
    local_scores,
    name_abbreviations,
    name_mentions,
    rare_name_terms,
)
from vivier.match.features import departement as dept
from vivier.match.history import AwardHistory
from vivier.match.placenames import name_regions, regional_subsidiaries
from vivier.match.ranker import RankerQuery, fit, mention_reason, train, training_queries
from vivier.match.region import DEPARTEMENT_REGION
from vivier.match.signals import supplier_signals
from vivier.match.text import analyse
from vivier.warehouse import open_warehouse
from vivier.warehouse.match import awards
from vivier.warehouse.ranking import DEPARTEMENT, supplier_aggregates

matched_home = match_data.matched_home


@pytest.mark.parametrize(
    ("code", "kind", "expected"),
    [
        ("75013", "Code postal", "75"),
        ("1116", "Code postal", "01"),  # a postcode that lost its leading zero
        ("97411", "Code commune", "974"),
        ("2A", "Code département", "2A"),
        ("544", "Code arrondissement", "54"),
        ("69123", "Code commune", "69"),
        ("84", "Code région", None),  # a region, not the département 84
        ("FR", "Code pays", None),
        ("", "Code département", None),
    ],
)
def test_departement_of_a_place_of_execution(code, kind, expected):
    assert dept(code, kind) == expected


def test_sql_and_python_agree_on_the_departement():
    places = [
        ("75013", "Code postal"),
        ("1116", "Code postal"),
        ("97411", "Code commune"),
        ("975", "Code département"),
        ("2a", "Code département"),
        ("20167", "Code postal"),
        ("544", "Code arrondissement"),
        ("84", "Code région"),
        ("FR", "Code pays"),
        ("99", "Code département"),
        (" 35 ", "CODE POSTAL"),
        ("", None),
    ]
    connection = duckdb.connect()
    connection.execute("CREATE TABLE c (place_code VARCHAR, place_type VARCHAR)")
    connection.executemany("INSERT INTO c VALUES (?, ?)", places)
    found = connection.execute(f"SELECT {DEPARTEMENT} FROM c").fetchall()
    for (code, kind), (sql,) in zip(places, found, strict=True):
        python = dept(code, kind)
        assert (sql if sql in DEPARTEMENTS else None) == python, (code, kind, sql, python)


def _warehouse(rows):
    """An in-memory warehouse with the award columns the ranker reads."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE contracts (uid VARCHAR, buyer_siret VARCHAR, buyer_name VARCHAR,"
        " object VARCHAR, cpv VARCHAR, place_code VARCHAR, place_type VARCHAR, amount DOUBLE,"
        " procedure VARCHAR, nature VARCHAR, notification_date DATE)"
    )
    connection.execute("CREATE TABLE contract_suppliers (uid VARCHAR, siren VARCHAR, name VARCHAR)")
    for i, (uid, buyer, buyer_name, text, cpv, place, siren) in enumerate(rows):
        connection.execute(
            "INSERT INTO contracts VALUES (?, ?, ?, ?, ?, ?, 'Code département', 10000,"
            " 'open', 'Marché', ?)",
            [uid, buyer, buyer_name, text, cpv, place, dt.date(2018, 11, 1 + i)],
        )
        connection.execute(
            "INSERT INTO contract_suppliers VALUES (?, ?, ?)", [uid, siren, f"ENTREPRISE {siren}"]
        )
    return connection


def test_local_supplier_gets_the_departement_features():
    buyer = "21350238800019"
    connection = _warehouse(
        [
            (
                "u1",
                buyer,
                "Ville de Rennes",
                "Entretien des espaces verts",
                "77310000",
                "35",
                "111",
            ),
            ("u2", buyer, "Ville de Rennes", "Tonte et taille des haies", "77310000", "35", "111"),
            ("u3", "2", "Ville de Nice", "Entretien des espaces verts", "77310000", "06", "222"),
        ]
    )
    history = AwardHistory.build(awards(connection))
    facts = SupplierFacts.build(history, supplier_aggregates(connection, DEPARTEMENTS))
    assert facts.buyer_dept == {buyer: "35", "2": "06"}
    text, codes = "Entretien des espaces verts", ["77310000"]
    signals = supplier_signals(history, text, codes, None, None)
    query = QueryFacts(departement="35", amount=20_000.0, procedure="open", nature="Marché")
    rows, features = candidate_features(history, facts, signals, query, codes, text)
    assert features.shape == (len(rows), len(FEATURES)) == (2, len(FEATURES))
    column = dict(zip(FEATURES, features.T, strict=True))
    local = list(rows).index(history.suppliers.row_of["111"])
    other = 1 - local
    assert column["dept_share"][local] == 1.0 and column["dept_share"][other] == 0.0
    assert column["region_share"][local] == 1.0 and column["home_dept"][local] == 1.0
    assert column["amount_known"][local] == 1.0
    assert np.isclose(column["amount_gap"][local], np.log10(2))
    # the local firm of the trade: 2 contracts in the département under 77 and 773
    assert np.isclose(column["local"][local], 1.0) and column["local"][other] == 0.0
    scores = local_scores(facts, query, codes)
    assert np.isclose(scores[history.suppliers.row_of["111"]], 2 * np.log1p(2))
    assert scores[history.suppliers.row_of["222"]] == 0.0  # in Nice, not in Ille-et-Vilaine
    assert not local_scores(facts, query, ["45000000"]).any()
    # without a place, the buyer's usual département stands in
    query = QueryFacts(buyer=buyer)
    rows, features = candidate_features(history, facts, signals, query, codes, text)
    column = dict(zip(FEATURES, features.T, strict=True))
    assert column["dept_share"][list(rows).index(history.suppliers.row_of["111"])] == 1.0


def test_works_far_from_a_firms_only_region_are_marked_elsewhere():
    connection = _warehouse(
        [
            ("u1", "1", "Ville de Rennes", "Réfection de chaussée", "45233142", "35", "111"),
            ("u2", "2", "Ville de Nice", "Réfection de chaussée", "45233142", "06", "222"),
            ("u3", "3", "Ville de Nice", "Entretien des espaces verts", "77310000", "06", "333"),
        ]
    )
    history = AwardHistory.build(awards(connection))
    facts = SupplierFacts.build(history, supplier_aggregates(connection, DEPARTEMENTS))
    text = "Réfection de chaussée"

    def elsewhere(codes, departement):
        signals = supplier_signals(history, text, codes, None, None)
        query = QueryFacts(departement=departement)
        rows, features = candidate_features(history, facts, signals, query, codes, text)
        column = dict(zip(FEATURES, features.T, strict=True))["elsewhere"]
        return {history.suppliers.ids[r]: float(v) for r, v in zip(rows, column, strict=True)}

    # roadworks in Brittany: the firm that only worked in Nice is marked, the local one not
    marked = elsewhere(["45233142"], "35")
    assert marked["111"] == 0.0 and marked["222"] == 1.0
    # supplies and services are not tied to a site: no one is marked
    assert not any(elsewhere(["77310000"], "35").values())
    # without a known place, no one is marked either
    assert not any(elsewhere(["45233142"], None).values())


def test_an_object_naming_a_rare_name_word_marks_those_suppliers():
    suppliers = ["ORIGIO FRANCE", "MENUISERIE DUPONT", "MENUISERIE MARTIN", "MENUISERIE BLANC"]
    names = BM25.build([analyse(name) for name in suppliers])
    rows = np.arange(len(suppliers))
    text = "Maintenance des équipements de marque ORIGIO et menuiserie"
    # ORIGIO is in one name: named; « menuiserie » is in three: a trade, not a name
    assert name_mentions(names, analyse(text), rows).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert not name_mentions(names, analyse("Travaux de menuiserie"), rows).any()
    cited = rare_name_terms(names, analyse(text))
    assert mention_reason(cited, 0, suppliers[0]) == ["le besoin cite son nom (ORIGIO)"]
    assert mention_reason(cited, 1, suppliers[1]) == []


def test_name_words_that_abbreviate_a_query_term_count_as_name_matches():
    vocabulary = {"telecom": 0, "electr": 1, "bat": 2}
    terms = ["telecommun", "electricit", "batiment", "telecom"]
    # « BAT » is too short to be read as an abbreviation; a whole word is not one
    assert name_abbreviations(vocabulary, terms) == ["telecom", "electr"]


@pytest.mark.parametrize(
    ("name", "regions"),
    [
        ("COLAS SUD OUEST", {"75", "76"}),
        ("EUROVIA ATLANTIQUE SAS", {"52", "53", "75"}),
        ("ATLANTIC ROUTE", {"52", "53", "75"}),  # the English spelling firms use
        ("EIFFAGE ROUTE NORD EST", {"44"}),  # not Hauts-de-France and Grand Est
        ("ENTREPRISE MAYENNE TP", {"52"}),
        ("Côtes-d'Armor Paysage", {"53"}),
        ("Île-de-France Nettoyage", {"11"}),
        ("ORANGE", set()),
        ("LOT 3 SARL DU CHER", set()),  # département names that are common words
        ("EUROVIA CENTRE LOIRE", {"24"}),  # Centre-Val de Loire, not the Loire (42)
        ("EIFFAGE CONSTRUCTION LOIRE", {"84"}),  # the département alone
        ("CEGELEC LOIRE OCEAN", {"52"}),  # Loire-Atlantique: Pays de la Loire
        ("PIGEON TP LOIRE ANJOU", {"52"}),
        ("CENTRE DE FORMATION WANTZ", set()),  # a place, not the region Centre
        ("ODC OPTIMAL DATA CENTRE", set()),
        ("DACTYL BURO DU CENTRE", {"24"}),
    ],
)
def test_company_names_point_to_regions(name, regions):
    assert name_regions(name) == regions


def test_a_subsidiary_named_after_the_query_region_gets_the_feature():
    rows = [
        (
            "u1",
            "1",
            "Ville de Brive",
            "Travaux de voirie",
            "45233141",
            "19",
            "111",
            "COLAS SUD OUEST",
        ),
        (
            "u2",
            "2",
            "Ville de Lyon",
            "Travaux de voirie",
            "45233141",
            "69",
            "222",
            "COLAS RHONE ALPES",
        ),
    ]
    connection = _warehouse([row[:7] for row in rows])
    for row in rows:
        connection.execute(
            "UPDATE contract_suppliers SET name = ? WHERE siren = ?", [row[7], row[6]]
        )
    history = AwardHistory.build(awards(connection))
    facts = SupplierFacts.build(history, supplier_aggregates(connection, DEPARTEMENTS))
    text, codes = "Travaux de voirie communale", ["45233141"]
    signals = supplier_signals(history, text, codes, None, None)
    for place, named in (("24", "111"), ("38", "222"), ("35", None)):  # Dordogne, Isère
        query = QueryFacts(departement=place)
        found, features = candidate_features(history, facts, signals, query, codes, text)
        column = dict(zip(FEATURES, features.T, strict=True))
        expected = [float(history.suppliers.ids[r] == named) for r in found]
        assert column["name_region"].tolist() == expected
        # the group signal kept for the subsidiary named after the region only
        assert (column["regional"] > 0).astype(float).tolist() == expected
    region = DEPARTEMENT_REGION["24"]
    kept = regional_subsidiaries(history.suppliers.names, region, signals["group"])
    assert signals["group"].min() > 0 and np.count_nonzero(kept) == 1
    assert not regional_subsidiaries(history.suppliers.names, None, signals["group"]).any()


def _query(rng, winner_feature):
    features = rng.normal(size=(20, len(FEATURES))).astype(np.float32)
    winner = int(np.argmax(features[:, FEATURES.index(winner_feature)]))
    return RankerQuery("q", {winner}, np.arange(20), features)


def test_fit_learns_the_feature_that_tells_the_winner():
    rng = np.random.default_rng(0)
    queries = [_query(rng, "dept_share") for _ in range(200)]
    model = fit(queries, l2=1.0)
    assert model.weights["dept_share"] > 3 * max(
        abs(w) for name, w in model.weights.items() if name != "dept_share"
    )
    held_out = [_query(rng, "dept_share") for _ in range(200)]
    hits = sum(int(np.argmax(model.ranking(q, 20))) in q.relevant for q in held_out)
    assert hits >= 160  # 1 in 20 by chance
    # the trained model starts from the fused score and departs from it on evidence
    shrunk = train(queries)
    assert shrunk.weights["fused"] != 0 and shrunk.weights["dept_share"] > 0


def test_training_contracts_are_all_before_the_split(matched_home):
    split = dt.date(2019, 2, 1)
    queries = training_queries(Settings(home=matched_home), split)
    assert len(queries) > 100
    uids = [q.uid for q in queries]
    with open_warehouse(Settings(home=matched_home), read_only=True) as connection:
        dates = connection.execute(
            "SELECT max(notification_date), min(notification_date) FROM contracts "
            "WHERE uid IN (SELECT unnest(?))",
            [uids],
        ).fetchone()
    assert dates[0] < split and dates[1] >= split - dt.timedelta(days=124)


def test_split_evaluation_uses_the_ranker_as_fusion(matched_home):
    result = run_cli(matched_home, "eval", "--split", "2019-02-01", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    methods, ranker = report["methods"], report["ranker"]
    assert ranker["training_contracts"] > 100 and set(ranker["weights"]) == set(FEATURES)
    singles = [v for k, v in methods.items() if k not in {"fusion", "rrf", "weighted"}]
    assert methods["fusion"]["hr@10"] >= max(v["hr@10"] for v in singles)
    assert methods["fusion"]["mrr@10"] >= max(v["mrr@10"] for v in singles)
    assert methods["fusion"]["hr@10"] >= methods["weighted"]["hr@10"]
    assert methods["fusion"]["hr@10"] >= 0.5


def test_match_suppliers_ranks_local_firms_and_says_so(matched_home):
    result = run_cli(
        matched_home,
        "match",
        "suppliers",
        "Travaux de voirie et chaussées",
        "--departement",
        "17",
        "-k",
        "5",
        "--json",
    )
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)["results"]
    assert results and results[0]["score"] == 1.0
    local = [
        r
        for r in results
        if any("dans ce département (Charente-Maritime)" in x for x in r["reasons"])
    ]
    assert local and results.index(local[0]) == 0
    # the place of execution is what set it apart: far ahead of the next firm with it,
    # close to the others without it
    anywhere = run_cli(
        matched_home, "match", "suppliers", "Travaux de voirie et chaussées", "-k", "5", "--json"
    )
    others = json.loads(anywhere.stdout)["results"]

    def lead(ranked: list[dict]) -> float:
        own = next((r["score"] for r in ranked if r["siren"] == local[0]["siren"]), 0.0)
        return own - max(r["score"] for r in ranked if r["siren"] != local[0]["siren"])

    assert lead(results) > lead(others) + 0.3
    # « son nom renvoie à cette région » exactly for the names naming Nouvelle-Aquitaine
    said = "son nom renvoie à cette région (Nouvelle-Aquitaine)"
    for r in results:
        assert (said in r["reasons"]) == ("75" in name_regions(r["name"])), r
    assert any(said in r["reasons"] for r in results if "SUD OUEST" in r["name"])
    # every result still has a reason from the signals (the passage or CPV evidence)
    assert all(r["reasons"][0].startswith(("a réalisé", "a remporté")) for r in results)


def test_match_suppliers_refuses_an_unknown_departement(matched_home):
    result = run_cli(matched_home, "match", "suppliers", "voirie", "--departement", "99")
    assert result.exit_code == 1
    assert "Département inconnu" in result.output and "Traceback" not in result.output


def test_too_few_training_contracts_fall_back_to_the_weighted_fusion(matched_home):
    result = run_cli(matched_home, "eval", "--split", "2018-06-01", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ranker"] is None
    assert report["methods"]["fusion"] == report["methods"]["weighted"]
    text = run_cli(matched_home, "eval", "--split", "2019-02-01").stdout
    assert "classement appris sur" in text
