"""Text normalisation, BM25 against a plain-Python reference, CPV proximity, regions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vivier.errors import BadValueError
from vivier.match.bm25 import BM25
from vivier.match.cpv import CpvProfiles, check_cpv_codes, prefixes
from vivier.match.region import normalise_region, region_of_place
from vivier.match.text import analyse, best_passage, fold, looks_english


def test_accents_and_stemming_meet_unaccented_queries():
    assert fold("Équipements MÉDICAUX œuvre") == "equipements medicaux oeuvre"
    assert analyse("équipement médical") == analyse("EQUIPEMENTS medicaux")[:1] + analyse("médical")
    assert analyse("Soci\ufffdt\ufffd") == analyse("Société")
    assert "pour" not in " ".join(analyse("logiciel pour les hôpitaux"))


def test_english_is_detected_french_is_not():
    assert looks_english("we need a software platform for the hospital")
    assert not looks_english("nous cherchons un logiciel pour l'hôpital")
    assert not looks_english("logiciel")


def test_best_passage_is_the_sentence_sharing_most_terms():
    text = "Nous faisons des drones. Notre logiciel détecte les fuites d'eau. Fin."
    assert best_passage(text, set(analyse("fuite du réseau d'eau"))).startswith("Notre logiciel")
    assert best_passage(text, set(analyse("piano"))) is None


def reference_bm25(docs, query, k1=1.2, b=0.75):
    n = len(docs)
    avg = sum(len(d) for d in docs) / n
    out = []
    for doc in docs:
        score = 0.0
        for term in query:
            df = sum(1 for d in docs if term in d)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = doc.count(term)
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avg))
        out.append(score)
    return out


def test_bm25_equals_the_reference_implementation():
    texts = [
        "maintenance des ascenseurs et monte-charges",
        "nettoyage des locaux et de la vitrerie",
        "logiciel de gestion des ascenseurs connectés ascenseurs",
        "fourniture de carburants",
        "nettoyage nettoyage nettoyage des ascenseurs",
    ]
    docs = [analyse(t) for t in texts]
    index = BM25.build(docs)
    for query in ("ascenseurs nettoyage", "carburant", "ascenseur ascenseur", "piano"):
        terms = analyse(query)
        assert np.allclose(index.scores(terms), reference_bm25(docs, terms), atol=1e-5)


def test_bm25_survives_save_and_load(tmp_path):
    index = BM25.build([analyse("drones d'inspection"), analyse("robot chirurgical")])
    index.save(tmp_path / "bm25")
    again = BM25.load(tmp_path / "bm25")
    assert np.allclose(again.scores(analyse("drone")), index.scores(analyse("drone")))


def test_cpv_tree_deeper_shared_levels_score_more():
    assert prefixes("72260000") == ("72", "722", "7226", "72260000")
    profiles = CpvProfiles.build([["72260000"], ["72212000"], ["45000000"], []])
    scores = profiles.scores(["72261000"])
    assert scores[0] > scores[1] > scores[2] == scores[3] == 0
    assert profiles.evidence(0, ["72261000"]) == ("7226", 1)


def test_unknown_cpv_and_region_are_refused_in_french():
    assert check_cpv_codes(["72260000-5", "9132100"]) == ["72260000", "09132100"]
    with pytest.raises(BadValueError, match="CPV inconnu"):
        check_cpv_codes(["12345678"])
    with pytest.raises(BadValueError, match="Région inconnue"):
        normalise_region("Atlantide")
    assert normalise_region("bretagne") == "53"
    assert normalise_region("R84") == "84"
    assert region_of_place("75013") == "11"
    assert region_of_place("2A") == "94"
    assert region_of_place("974") == "04"
