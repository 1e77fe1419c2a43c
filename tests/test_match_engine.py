"""The matching engine on the real samples: 2019 DECP awards and the i-Lab laureates."""

from __future__ import annotations

import json

import match_data
import numpy as np
import pytest
from match_data import run_cli

from vivier.config import load_settings
from vivier.match import MatchEngine
from vivier.match.embed import EmbeddingCache, encoder

matched_home = match_data.matched_home


@pytest.fixture(scope="session")
def engine(matched_home) -> MatchEngine:
    return MatchEngine.load(load_settings(home=matched_home))


def test_need_to_startups_is_explained(engine):
    results = engine.need_to_startups("détecter les fuites sur le réseau d'eau potable", k=5)
    assert results and len(results) <= 5
    assert [m.score for m in results] == sorted((m.score for m in results), reverse=True)
    top = results[0]
    assert top.reasons[0].startswith("décrit : « ")
    assert any(r.startswith("labels : ilab") for r in top.reasons)
    assert "841218118" in [m.id for m in results]  # robots that find leaks in water networks


def test_unaccented_query_finds_the_same_startups(engine):
    accented = [m.id for m in engine.need_to_startups("télésurveillance médicale à domicile")]
    plain = [m.id for m in engine.need_to_startups("TELESURVEILLANCE medicale a domicile")]
    assert accented == plain


def test_region_adds_a_reason_and_never_removes_young_companies(engine):
    results = engine.need_to_startups("robot chirurgical", region="Île-de-France", k=10)
    assert any("même région (Île-de-France)" in r for m in results for r in m.reasons)
    assert all(m.id in engine.startups.row_of for m in results)


def test_nonsense_gives_no_result(engine):
    assert engine.need_to_startups("zzqx wvvbk") == []


def test_suppliers_for_uses_cpv_and_history(engine):
    results = engine.suppliers_for("maintenance des ascenseurs", cpv=["50750000"], k=3)
    assert results[0].name.upper() in {"OTIS", "KONE"}
    assert any(r.startswith("a remporté") and "CPV 50750000" in r for r in results[0].reasons)


def test_startup_to_buyers_by_text_and_by_siren(engine):
    by_text = engine.startup_to_buyers(text="nettoyage et entretien des locaux", k=3)
    assert by_text and all(m.kind == "buyer_siret" and len(m.id) == 14 for m in by_text)
    assert any(r.startswith("a acheté : « ") for r in by_text[0].reasons)
    supplier = engine.history.suppliers.ids[int(np.argmax(engine.history.suppliers.contracts))]
    assert engine.startup_to_buyers(siren=supplier, k=3)


def test_cli_json_shapes(matched_home):
    out = json.loads(run_cli(matched_home, "match", "need", "drone d'inspection", "--json").stdout)
    assert set(out["results"][0]) >= {"siren", "name", "score", "reasons"}
    out = json.loads(
        run_cli(
            matched_home, "match", "buyers", "--texte", "fourniture de carburants", "--json"
        ).stdout
    )
    assert set(out["results"][0]) >= {"buyer_siret", "name", "score", "reasons"}
    out = json.loads(
        run_cli(
            matched_home, "match", "suppliers", "carburants", "--cpv", "09132100", "--json"
        ).stdout
    )
    assert "siren" in out["results"][0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("match", "need", ""), "vide"),
        (("match", "need", "x" * 5001), "5000"),
        (("match", "need", "drone", "--cpv", "12345678"), "CPV inconnu"),
        (("match", "buyers", "123"), "SIREN invalide"),
        (("match", "buyers", "732829320"), "SIREN inconnu"),
        (("match", "need", "drone", "-k", "0"), "au moins 1"),
        (("eval", "--split", "demain"), "Date de découpage invalide"),
    ],
)
def test_bad_input_is_a_french_message(matched_home, args, message):
    result = run_cli(matched_home, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_nothing_relevant_is_said(matched_home):
    result = run_cli(matched_home, "match", "need", "zzqx wvvbk")
    assert result.exit_code == 0 and "Aucun résultat pertinent" in result.stdout


def test_english_query_gets_a_warning(matched_home):
    result = run_cli(matched_home, "match", "need", "we need a drone for the building")
    assert "anglais" in result.stderr


def test_missing_index_is_explained(tmp_path):
    result = run_cli(tmp_path / "empty", "match", "need", "drone")
    assert result.exit_code == 1 and "vivier index" in result.stderr


def test_embedding_cache_only_embeds_new_texts(tmp_path):
    model = encoder("use")
    cache = EmbeddingCache(tmp_path, model)
    first = cache.embed(["logiciel de planification", "robot de nettoyage"])
    cache.save()
    again = EmbeddingCache(tmp_path, model)
    second = again.embed(["robot de nettoyage", "logiciel de planification", "drone"])
    assert again.embedded == 1
    assert np.allclose(second[0], first[1]) and np.allclose(second[1], first[0])
    similar = float(second[0].astype(np.float32) @ model.query("robot nettoyeur"))
    assert similar > float(second[2].astype(np.float32) @ model.query("robot nettoyeur"))


def test_rank_texts_orders_documents_and_explains(engine):
    documents = [
        {"id": "lot-1", "text": "Travaux de voirie. Réfection des trottoirs.", "cpv": ["45233140"]},
        {
            "id": "lot-2",
            "text": "Logiciel de gestion des fuites du réseau d'eau.",
            "cpv": ["72260000"],
        },
        {"id": "lot-3", "text": "Fourniture de papier.", "cpv": ["30197630"]},
    ]
    ranked = engine.rank_texts(
        "détection des fuites d'eau par logiciel", ["72212000"], documents, 5
    )
    assert [m.id for m in ranked][:1] == ["lot-2"]
    assert "lot-3" not in [m.id for m in ranked]
    assert ranked[0].kind == "document" and ranked[0].reasons[0].startswith("mentionne : « ")
    assert any(r.startswith("CPV proche") for r in ranked[0].reasons)
