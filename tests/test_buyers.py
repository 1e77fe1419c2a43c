"""Buyer perimeters and ministries, computed from contracts (and companies when known)."""

from __future__ import annotations

import json

import pytest

from vivier.buyers import PERIMETERS, UNATTRIBUTED, classify, perimeter_of_legal_category

AIFE = "decp-2019/data.gouv.fr_aife.json"


@pytest.mark.parametrize(
    ("category", "perimeter"),
    [
        ("7113", "etat"),
        ("7120", "etat"),
        ("7389", "etat_ep"),
        ("4110", "etat_ep"),
        ("7210", "collectivites"),
        ("7348", "collectivites"),
        ("7331", "collectivites"),
        ("7364", "hopitaux"),
        ("7470", "hopitaux"),
        ("7410", "autres"),
        ("5710", "autres"),
        (None, None),
    ],
)
def test_perimeter_of_legal_category(category, perimeter):
    assert perimeter_of_legal_category(category) == perimeter


def test_classification_order_and_evidence():
    by_category = classify("217500016", ["CENTRE HOSPITALIER X"], "7229")
    assert by_category.perimeter == "collectivites"
    assert "catégorie juridique 7229" in by_category.evidence
    by_name = classify("267500452", ["Assistance publique - Hôpitaux de Paris"], None)
    assert by_name.perimeter == "hopitaux" and "motif" in by_name.evidence
    by_prefix = classify("213800185", ["BUDGET PRINCIPAL"], None)
    assert by_prefix.perimeter == "collectivites" and "présomption" in by_prefix.evidence
    unknown = classify("552032534", ["DANONE"], None)
    assert unknown.perimeter == "autres" and "aucun indice" in unknown.evidence
    assert set(PERIMETERS) == {"etat", "etat_ep", "collectivites", "hopitaux", "autres"}


def test_ministry_attribution():
    army = classify("130015407", ["Ministère des armées - Plate forme achats"], None)
    assert (army.perimeter, army.ministry) == ("etat", "Armées")
    by_siren = classify("130025265", ["DINUM"], "7120")
    assert by_siren.ministry == "Services du Premier ministre"
    both = classify("110000000", ["TRIBUNAL JUDICIAIRE", "MINISTERE DES ARMEES"], "7120")
    assert both.ministry == UNATTRIBUTED and "plusieurs" in both.evidence
    none = classify("110000000", ["SERVICE DES ACHATS"], "7120")
    assert none.ministry == UNATTRIBUTED
    local = classify("217500016", ["VILLE DE PARIS"], "7229")
    assert local.ministry is None


def test_buyers_after_ingest_and_company_import(cli, samples):
    ingest = cli("ingest", samples / AIFE)
    assert ingest.exit_code == 0, ingest.output
    listed = json.loads(cli("buyers", "--json").stdout)["buyers"]
    assert len(listed) > 100
    assert {buyer["perimeter"] for buyer in listed} <= set(PERIMETERS)
    state = json.loads(cli("buyers", "--perimeter", "etat", "--json").stdout)["buyers"]
    assert state and all(buyer["perimeter"] == "etat" for buyer in state)
    assert any(buyer["ministry"] == "Armées" for buyer in state)
    assert all(buyer["ministry"] for buyer in state)
    assert all(buyer["evidence"] for buyer in listed)
    text = cli("buyers", "--perimeter", "hopitaux")
    assert text.exit_code == 0 and "acheteur(s)" in text.stdout


def test_company_import_reclassifies_buyers(cli, samples, tmp_path):
    contract = {
        "marches": [
            {
                "id": "2019-001",
                "uid": "130025265000132019-001",
                "acheteur": {"id": "13002526500013", "nom": "SERVICE X"},
                "nature": "Marché",
                "objet": "Hébergement",
                "codeCPV": "72000000",
                "procedure": "Procédure adaptée",
                "montant": 1000,
                "dateNotification": "2019-02-01",
                "dureeMois": 12,
                "formePrix": "Ferme",
                "lieuExecution": {"code": "75", "typeCode": "Code département", "nom": "Paris"},
                "titulaires": [{"id": "90859587900015", "typeIdentifiant": "SIRET"}],
            }
        ]
    }
    path = tmp_path / "decp.json"
    path.write_text(json.dumps(contract), encoding="utf-8")
    assert cli("ingest", path).exit_code == 0
    before = json.loads(cli("buyers", "--json").stdout)["buyers"]
    assert [(b["siret"], b["perimeter"]) for b in before] == [("13002526500013", "autres")]
    folder = samples / "sirene" / "recherche-entreprises"
    assert cli("companies", "import", folder / "search-130025265.json").exit_code == 0
    after = json.loads(cli("buyers", "--json").stdout)["buyers"][0]
    assert (after["perimeter"], after["ministry"]) == ("etat", "Services du Premier ministre")
    assert after["region"] == "11" and "7120" in after["evidence"]


def test_bad_perimeter(cli, samples):
    cli("ingest", samples / AIFE)
    result = cli("buyers", "--perimeter", "ministeres")
    assert result.exit_code == 1 and "Périmètre inconnu" in result.stderr
