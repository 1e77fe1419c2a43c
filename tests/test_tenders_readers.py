"""Legacy TED, BOAMP XML and BOAMP JSON readers: every sample, and field-by-field checks."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from vivier import sources
from vivier.models import Reject
from vivier.sources import boamp_json, boamp_xml, ted_legacy
from vivier.sources.tender_records import COMPETITION, RESULT, TenderNotice

SAMPLES = Path(__file__).parents[1] / "src" / "vivier" / "demo_data"
LEGACY = sorted((SAMPLES / "ted-eforms" / "ted-xml-converter-fr" / "ted-xml").glob("*.xml"))
BOAMP_XML = sorted((SAMPLES / "boamp" / "boamp-xml-v230").glob("*.xml"))
BOAMP_JSON = sorted((SAMPLES / "boamp" / "boamp-api-v1-json").glob("*.json"))
CASES = (
    [(ted_legacy, p) for p in LEGACY]
    + [(boamp_xml, p) for p in BOAMP_XML]
    + [(boamp_json, p) for p in BOAMP_JSON]
)


@pytest.mark.parametrize("module,path", CASES, ids=lambda c: getattr(c, "name", ""))
def test_every_sample_is_detected_and_loads_or_is_rejected(module, path: Path):
    assert sources.detect_reader(path).name == module.NAME
    records = list(module.read(path))
    assert records
    for record in records:
        if isinstance(record, Reject):
            assert record.reason
        else:
            assert record.notice_id and record.lots
            assert all(flag.reason for flag in record.flags)


def first(module, path: Path) -> TenderNotice:
    record = next(module.read(path))
    assert isinstance(record, TenderNotice)
    return record


def test_legacy_contract_notice_fields():
    notice = first(ted_legacy, LEGACY[1])  # 19-090974-001-EXP.xml, form F21
    assert notice.notice_id == "91489-2019"  # same key as its eForms twin
    assert notice.kind == COMPETITION
    assert notice.procedure == "open"
    assert notice.publication_date == date(2019, 2, 26)
    assert notice.buyer_name == "EPS Paul Guiraud"
    assert notice.buyer_nuts == "FR107"
    [lot] = notice.lots
    assert lot.cpv == "55321000"
    assert lot.deadline == datetime(2019, 3, 22, 15, 0)
    assert ("buyer_id", "buyer_id_missing") in [(f.field, f.reason) for f in notice.flags]


def test_legacy_award_notice_winners():
    notice = first(ted_legacy, LEGACY[0])  # 18-412273-001-EXP.xml, form F06
    assert notice.kind == RESULT
    assert len(notice.lots) == 5
    award = notice.awards[0]
    assert award.contract_id == "18.008.1" and award.lot_id == "1"
    assert award.amount == pytest.approx(4625137.40)
    assert award.winners[0].siret == "39876221100298"


def test_boamp_xml_call_for_tenders_fields():
    notice = first(boamp_xml, SAMPLES / "boamp" / "boamp-xml-v230" / "test-pub.xml")
    assert notice.source == "boamp" and notice.notice_id == "16-186394"
    assert notice.kind == COMPETITION
    assert notice.notice_type_raw == "JOUE/APPEL_OFFRE"
    assert notice.procedure == "open"
    assert notice.publication_date == date(2017, 1, 1)
    assert notice.buyer_name == "Ville de Paris"
    assert [lot.lot_id for lot in notice.lots] == ["1", "2"]
    lot = notice.lots[0]
    assert lot.title.startswith("Prestations de remorquage pour les véhicules légers")
    assert lot.cpv == "50118110"
    assert lot.nuts == "FR10" and lot.departement == "75"
    assert lot.deadline == datetime(2017, 2, 7, 12, 0)


def test_boamp_xml_lot_value_and_award():
    notice = first(boamp_xml, SAMPLES / "boamp" / "boamp-xml-v230" / "test-pub-5.xml")
    assert notice.lots[0].estimated_value == 1083333.0
    award_notice = first(
        boamp_xml, SAMPLES / "boamp" / "boamp-xml-v230" / "test-attribution-12.xml"
    )
    assert award_notice.kind == RESULT
    assert award_notice.buyer_siret == "26830066200015"
    assert award_notice.buyer_siren == "268300662"
    award = award_notice.awards[0]
    assert (award.contract_id, award.lot_id, award.amount) == ("17-2599-1", "1", 130000.0)
    assert award.date == date(2016, 10, 20)
    assert [w.name for w in award.winners] == ["Brake France Service"]


def test_boamp_api_v1_fields():
    notice = first(boamp_json, SAMPLES / "boamp" / "boamp-api-v1-json" / "20-152081.json")
    assert notice.notice_id == "20-152081"
    assert notice.kind == COMPETITION
    assert notice.notice_type_raw == "mapa/appeloffre"
    assert notice.procedure == "adapted"
    assert notice.publication_date == date(2020, 12, 14)
    assert notice.buyer_name == "Commune de Berre l'Etang"
    [lot] = notice.lots
    assert lot.departement == "13"
    assert lot.deadline == datetime(2021, 3, 1, 12, 0)  # epoch ms → Paris local time
    assert ("cpv", "cpv_missing") in [(f.field, f.reason) for f in notice.flags]


def test_boamp_index_notices_are_flagged_not_invented():
    notices = list(boamp_json.read(SAMPLES / "boamp" / "boamp-api-v1-json" / "ad.json"))
    assert len(notices) == 34
    first_notice = notices[0]
    assert first_notice.notice_id == "20-152081"
    assert first_notice.lots[0].deadline == datetime(2021, 3, 1, 12, 0)
    reasons = {f.reason for f in first_notice.flags}
    assert {"cpv_missing", "buyer_name_missing", "publication_date_missing"} <= reasons


def test_boamp_open_data_export_records(tmp_path: Path):
    export = tmp_path / "boamp.json"
    export.write_text(
        '[{"idweb": "25-1", "objet": "Plateforme de données", "dateparution": "2025-12-20",'
        ' "datelimitereponse": "2026-01-15T11:00:00+00:00", "nomacheteur": "Ministère",'
        ' "code_departement": ["75"], "nature": "APPEL_OFFRE",'
        ' "procedure_libelle": "Procédure adaptée", "descripteur_libelle": ["Informatique"],'
        ' "donnees": "{\\"OBJET\\": {\\"CPV\\": {\\"PRINCIPAL\\": \\"72000000\\"}}}"},'
        ' {"objet": "sans identifiant"}]',
        encoding="utf-8",
    )
    assert sources.detect_reader(export).name == "boamp-json"
    notice, reject = list(boamp_json.read(export))
    assert notice.procedure == "adapted" and notice.kind == COMPETITION
    assert notice.lots[0].cpv == "72000000"
    assert notice.lots[0].description == "Descripteurs : Informatique"
    assert notice.lots[0].deadline == datetime(2026, 1, 15, 12, 0)
    assert isinstance(reject, Reject) and "idweb" in reject.reason


def test_a_zip_of_notices_is_read_member_by_member(tmp_path: Path):
    import zipfile

    archive = tmp_path / "boamp.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in BOAMP_XML[:3]:
            handle.write(path, arcname=path.name)
        handle.writestr("broken.xml", "<ANNONCE><GESTION>")
    assert sources.detect_reader(archive).name == "boamp-xml"
    records = list(boamp_xml.read(archive))
    assert [r.record_index for r in records] == [0, 1, 2, 3]
    assert all(isinstance(r, TenderNotice) for r in records[:3])
    assert isinstance(records[3], Reject) and records[3].reason.startswith("XML mal formé")
