"""TED eForms reader: every sample loads or is rejected with a reason; field-by-field checks."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from vivier.models import Reject
from vivier.sources import ted_eforms
from vivier.sources.tender_records import COMPETITION, PLANNING, RESULT, TenderNotice

FIXTURES = Path(__file__).parent / "fixtures" / "ted-eforms" / "sdk-examples"
SAMPLES = Path(__file__).parents[1] / "src" / "vivier" / "demo_data" / "ted-eforms"
ALL = sorted(FIXTURES.glob("*.xml")) + sorted(SAMPLES.glob("*/*.xml"))
EFORMS = [path for path in ALL if "ted-xml/" not in str(path)]


def read_one(path: Path):
    records = list(ted_eforms.read(path))
    assert len(records) == 1
    return records[0]


@pytest.mark.parametrize("path", EFORMS, ids=lambda p: p.name)
def test_every_sample_loads_or_is_rejected_with_a_reason(path: Path):
    assert ted_eforms.detect(path, path.read_bytes()[:65536])
    record = read_one(path)
    if isinstance(record, Reject):
        assert record.reason.strip()
        assert record.raw
    else:
        assert isinstance(record, TenderNotice)
        assert record.lots
        assert all(lot.lot_id for lot in record.lots)
        assert all(flag.reason for flag in record.flags)


def test_invalid_examples_never_load_silently():
    for path in sorted(FIXTURES.glob("INVALID_*.xml")):
        record = read_one(path)
        if isinstance(record, TenderNotice):
            # loaded: it must still be a notice whose content we could read
            assert record.notice_id and record.lots, path.name
        else:
            assert record.reason, path.name
    empty = read_one(FIXTURES / "INVALID_cn_24_empty.xml")
    assert isinstance(empty, Reject) and "identifiant" in empty.reason


def test_registration_notice_is_rejected():
    record = read_one(FIXTURES / "X01_EEIG.xml")
    assert isinstance(record, Reject)
    assert "pas un avis de marché" in record.reason


def test_contract_notice_fields():
    notice = read_one(FIXTURES / "cn_24_minimal.xml")
    assert notice.kind == COMPETITION
    assert notice.notice_id == "f42be27e-09cf-4f0e-a745-63ec689631e6"
    assert notice.notice_type_raw == "cn-standard"
    assert notice.procedure_raw == "open" and notice.procedure == "open"
    assert notice.issue_date == date(2019, 11, 21)
    assert notice.publication_date is None
    assert notice.buyer_name == "Publications Office of the European Union"
    assert notice.buyer_id_raw == "EU-PO"
    assert notice.country == "LUX"
    [lot] = notice.lots
    assert lot.lot_id == "LOT-0000"
    assert lot.title.startswith("Provision of IT Services Related to OP IT Systems")
    assert lot.description.startswith("Provision of IT services related to the information")
    assert lot.cpv == "72230000"
    assert lot.nuts == "FRD22"
    assert lot.deadline == datetime(2020, 2, 4, 10, 0)
    assert lot.estimated_value is None


def test_real_french_notice_fields():
    notice = read_one(SAMPLES / "real-notices" / "634805-2022.xml")
    assert notice.notice_id == "634805-2022"
    assert notice.publication_date == date(2022, 11, 15)
    assert notice.procedure == "restricted"
    assert notice.buyer_name == "Communauté XYZ"
    assert notice.url.endswith("634805-2022")
    # the identifier is not a SIRET: kept raw and flagged
    assert notice.buyer_siret is None
    assert [(f.field, f.reason) for f in notice.flags] == [("buyer_id", "id_not_siret")]
    [lot] = notice.lots
    assert lot.cpv == "71000000"
    assert lot.deadline == datetime(2020, 6, 5, 12, 0)


def test_prior_information_notice_fields():
    notice = read_one(FIXTURES / "pin-only_24.xml")
    assert notice.kind == PLANNING
    [part] = notice.lots
    assert part.lot_id == "PAR-0000"
    assert part.estimated_value == 100000.0 and part.currency == "EUR"
    assert part.cpv == "50000000"
    assert part.deadline is None
    assert not [f for f in notice.flags if f.field == "deadline"]  # no deadline in a PIN


def test_award_notice_fields_and_winners():
    path = SAMPLES / "ted-xml-converter-fr" / "eforms-xml" / "18-412273-001-EXP.xml"
    notice = read_one(path)
    assert notice.kind == RESULT
    assert notice.procedure == "negotiated"
    assert notice.buyer_name == "CAPL"
    first = notice.lots[0]
    assert first.cpv == "45234116"
    assert first.cpv_additional == ["45233200", "44113320", "45232410"]
    award = notice.awards[0]
    assert award.contract_id == "18.008.1"
    assert award.lot_id == "LOT-0001"
    assert award.amount == pytest.approx(4625137.40)
    assert award.date == date(2018, 8, 23)
    assert [(w.siret, w.siren) for w in award.winners] == [
        ("39876221100298", "398762211"),
        ("40268299100102", "402682991"),
    ]


def test_pin_for_competition_takes_the_interest_deadline():
    notice = read_one(SAMPLES / "real-notices" / "262891-2023.xml")
    assert all(lot.deadline == datetime(2023, 6, 2, 14, 0) for lot in notice.lots)


def test_malformed_xml_is_a_reject(tmp_path: Path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<ContractNotice xmlns:cbc='x'><cbc:ID>1</cbc:ID>")
    record = read_one(broken)
    assert isinstance(record, Reject)
    assert record.reason.startswith("XML mal formé")


def test_invalid_multiple_loads_with_flags_naming_what_is_missing():
    notice = read_one(FIXTURES / "INVALID_cn_24_multiple.xml")
    flags = {(f.lot_id, f.field, f.reason) for f in notice.flags}
    assert ("LOT-0002", "description", "description_missing") in flags
    # no place of performance: the buyer's NUTS code is used, and that is said
    assert ("LOT-0001", "place", "place_from_buyer") in flags
    assert notice.lots[0].nuts == "LU000"


def test_groups_of_lots_are_not_lots():
    notice = read_one(FIXTURES / "cn_24_maximal.xml")
    assert [lot.lot_id for lot in notice.lots] == ["LOT-0001", "LOT-0002"]  # not GLO-0001
