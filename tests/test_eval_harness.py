"""`vivier eval --split` and `vivier eval needs` on the real samples."""

from __future__ import annotations

import json

import match_data
import numpy as np
from match_data import run_cli

from vivier.match.evaluate import rank_metrics
from vivier.match.judged import load_judgements, need_metrics

matched_home = match_data.matched_home


def test_rank_metrics_by_hand():
    scores = np.array([0.1, 0.9, 0.5, 0.0])
    assert rank_metrics(scores, {2}, 10) == (1.0, 0.5, 1 / np.log2(3))
    assert rank_metrics(scores, {3}, 10) == (0.0, 0.0, 0.0)  # a zero score is no hit
    assert rank_metrics(scores, {0}, 2) == (0.0, 0.0, 0.0)


def test_need_metrics_by_hand():
    scores = np.array([3.0, 2.0, 1.0, 0.0])
    ndcg, precision, recall = need_metrics(scores, {1: 2, 3: 1})
    ideal = 3 + 1 / np.log2(3)
    assert np.isclose(ndcg, (3 / np.log2(3)) / ideal)
    assert precision == 0.1 and recall == 0.5


def test_split_evaluation_on_the_2019_samples(matched_home):
    result = run_cli(matched_home, "eval", "--split", "2019-02-01", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["split"] == "2019-02-01"
    assert report["test_contracts"] > report["warm_test_contracts"] > 250
    assert 0 < report["cold_share"] < 1
    methods = report["methods"]
    assert {"fusion", "popularity", "cpv_tree", "buyer_history", "bm25"} <= set(methods)
    for values in methods.values():
        assert set(values) == {"hr@10", "mrr@10", "ndcg@10"}
    singles = [v["hr@10"] for k, v in methods.items() if k not in {"fusion", "rrf"}]
    assert methods["fusion"]["hr@10"] >= max(singles)
    assert methods["fusion"]["hr@10"] > methods["popularity"]["hr@10"]
    assert methods["cpv_tree"]["hr@10"] > 0.3


def test_split_evaluation_prints_a_french_table(matched_home):
    result = run_cli(matched_home, "eval", "--split", "2019-02-01", "--k", "5")
    assert "marchés de test" in result.stdout and "fusion" in result.stdout


def test_a_split_after_every_award_is_refused_in_french(matched_home):
    result = run_cli(matched_home, "eval", "--split", "2030-01-01", "--json")
    assert result.exit_code == 1
    assert "rien à évaluer, choisissez une date plus ancienne" in result.stderr
    assert "Traceback" not in result.output


def test_judged_needs_are_enough_and_graded():
    needs = load_judgements()
    assert len(needs) >= 20
    assert all(set(n["relevant"].values()) <= {1, 2} and n["relevant"] for n in needs)


def test_eval_needs_reports_every_method(matched_home):
    result = run_cli(matched_home, "eval", "needs", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["needs"] >= 20 and report["missing"] == 0
    fusion = report["methods"]["fusion"]
    assert set(fusion) == {"ndcg@10", "p@10", "recall@50"}
    assert fusion["ndcg@10"] >= report["methods"]["bm25"]["ndcg@10"]
