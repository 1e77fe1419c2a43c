"""DECP readers on the real samples: exact counts, flags on real bad records, robustness."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vivier.models import Contract, Reject
from vivier.sources import detect_reader, get_reader, readers
from vivier.sources import normalise as norm
from vivier.sources.decp_record import to_contract
from vivier.sources.vocabulary import procedure_code

# file → (format, records read, contracts, rejects), counts as in demo_data/SOURCES.md
COUNTS = {
    "decp-2019/data.gouv.fr_aife.json": ("decp-2019", 4530, 4522, 8),
    "decp-2019/data.gouv.fr_pes.json": ("decp-2019", 1148, 1148, 0),
    "decp-2019/e-marchespublics.json": ("decp-2019", 470, 470, 0),
    "decp-2019/mar-avec-modifications.json": ("decp-2019", 1, 1, 0),
    "decp-2019/decp_test_2019.json": ("decp-2019", 2, 2, 0),
    "decp-2024/marches_concessions.json": ("decp-2024-json", 4, 4, 0),
    "decp-2024/marches_avec_modifications.json": ("decp-2024-json", 2, 2, 0),
    "decp-2024/concessions.json": ("decp-2024-json", 2, 2, 0),
    "decp-2024/concessions_avec_modifications.json": ("decp-2024-json", 2, 2, 0),
    "decp-2024/decp_test_2022.json": ("decp-2024-json", 5, 5, 0),
    "decp-2024/Marche.xml": ("decp-2024-xml", 2, 2, 0),
    "decp-2024/Contrat-concession.xml": ("decp-2024-xml", 2, 2, 0),
    "decp-2024/Contrat-concession-modification.xml": ("decp-2024-xml", 2, 2, 0),
    "decp-2024/test_after2024.xml": ("decp-2024-xml", 1, 1, 0),
    "decp-2024/test_before2024.xml": ("decp-2024-xml", 1, 1, 0),
    "decp-ocds/sample-decp2ocds-award.json": ("decp-ocds", 1, 1, 0),
    "decp-ocds/source/001_marche_simple.json": ("decp-2019", 1, 1, 0),
}


def read_all(path: Path) -> list[Contract | Reject]:
    return list(detect_reader(path).read(path))


def by_uid(records) -> dict[str, Contract]:
    return {r.uid: r for r in records if isinstance(r, Contract)}


def reasons(contract: Contract) -> set[tuple[str, str]]:
    return {(flag.field, flag.reason) for flag in contract.flags}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_exact_counts_per_sample_file(samples: Path, name: str) -> None:
    fmt, read, contracts, rejects = COUNTS[name]
    path = samples / name
    assert detect_reader(path).name == fmt
    records = read_all(path)
    kinds = Counter(type(record).__name__ for record in records)
    assert len(records) == read
    assert kinds["Contract"] == contracts
    assert kinds["Reject"] == rejects


def test_tabular_csv_rows_grouped_into_contracts(samples: Path) -> None:
    path = samples / "decp-consolidated-csv/decp_2024H2_travaux_cpv4521_filtered.csv"
    records = read_all(path)
    assert sum(r.source_rows for r in records if isinstance(r, Contract)) == 8957
    assert len(records) == 5180
    var = by_uid(records)["22830001800113|202220190390"]
    assert len(var.suppliers) == 14  # distinct winners of the Var's framework agreement
    assert var.procedure == "competitive_dialogue"


def test_aife_concessions_without_id_are_rejected(samples: Path) -> None:
    records = read_all(samples / "decp-2019/data.gouv.fr_aife.json")
    rejects = [r for r in records if isinstance(r, Reject)]
    assert Counter(r.reason for r in rejects) == {
        "identifiant du marché (id) manquant": 7,
        "identifiant de l'acheteur manquant": 1,
    }
    assert all(r.raw.startswith("{") for r in rejects)
    assert any("Essentiel" in r.raw for r in rejects)


def test_flags_on_real_bad_records(samples: Path) -> None:
    aife = by_uid(read_all(samples / "decp-2019/data.gouv.fr_aife.json"))
    solideo = aife["83455372900015|2018COs68fWklM00"]
    assert ("buyer_name", "text_garbled") in reasons(solideo)
    assert "\ufffd" in solideo.buyer_name  # kept as published, not "fixed"
    assert solideo.cpv == "79100000" and solideo.amount == 26130
    unknown = aife["21680376700013|2018M16ctUSbdE00"]
    assert unknown.cpv is None and unknown.cpv_raw == "74230000"
    assert ("cpv", "cpv_unknown") in reasons(unknown)
    zero = aife["21370122000013|2018nbghaVZXQa00"]
    assert ("cpv", "cpv_malformed") in reasons(zero)
    placeholder = aife["18310021300028|2017uxpaQGbocB00"]
    assert placeholder.amount is None and placeholder.amount_raw == "999999"
    assert ("amount", "amount_placeholder") in reasons(placeholder)

    pes = by_uid(read_all(samples / "decp-2019/data.gouv.fr_pes.json"))
    assert ("amount", "amount_placeholder") in reasons(pes["20006340200016|2018E030000"])

    test_2022 = by_uid(read_all(samples / "decp-2024/decp_test_2022.json"))
    absurd = test_2022["22130001500247|2020F00075"]
    assert absurd.amount is None and ("amount", "amount_absurd") in reasons(absurd)
    late = test_2022["21030042200016|202401L04"]
    assert ("notification_date", "notified_after_publication") in reasons(late)
    assert late.notification_date is not None  # kept, only flagged
    nc = test_2022["21974022200019|2022VI2022.242"]
    assert nc.duration_months is None and ("duration_months", "not_a_number") in reasons(nc)
    assert nc.cpv == "45316110" and nc.innovative is True


def test_bad_supplier_sirets_are_flagged(samples: Path) -> None:
    aife = by_uid(read_all(samples / "decp-2019/data.gouv.fr_aife.json"))
    contract = aife["21130039700018|2018k5OWezJrxr00"]
    bad = [s for s in contract.suppliers if s.id_raw == "42209542100023"]
    assert bad and bad[0].siret is None and bad[0].siren is None
    assert ("siret", "siret_bad_checksum") in reasons(contract)


def test_all_zero_supplier_siret_is_no_winner(samples: Path) -> None:
    aife = by_uid(read_all(samples / "decp-2019/data.gouv.fr_aife.json"))
    contract = aife["21090122900018|2019NkToYsxopM00"]
    (supplier,) = contract.suppliers
    assert supplier.name == "SANS SUITE" and supplier.id_raw == "00000000000000"
    assert supplier.siret is None and supplier.siren is None
    assert ("siret", "siret_placeholder") in reasons(contract)


def test_2024_shapes(samples: Path) -> None:
    records = read_all(samples / "decp-2024/marches_concessions.json")
    kinds = Counter(r.kind for r in records)
    assert kinds == {"marche": 2, "concession": 2}
    concession = next(r for r in records if r.kind == "concession")
    assert concession.amount == 10.3 and len(concession.suppliers) == 2
    assert concession.modifications[0].amount == 25.0
    xml = read_all(samples / "decp-2024/test_after2024.xml")[0]
    assert xml.innovative is True and xml.offers_received == 4
    assert xml.modifications[0].amount == 123457.87
    assert xml.amount == 575000  # the initial amount stays the initial amount


def test_ocds_release_maps_to_decp_key(fixtures: Path, samples: Path) -> None:
    ocds = read_all(fixtures / "decp-ocds/expectedResult/001_marche_simple.json")[0]
    decp = read_all(samples / "decp-ocds/source/001_marche_simple.json")[0]
    assert ocds.uid == decp.uid == "20001318300021|2018MAPA20180500"
    assert ocds.cpv == decp.cpv == "38950000"
    assert ocds.amount == decp.amount == 80000
    assert [s.siret for s in ocds.suppliers] == ["38024392300089"]


def test_normalise_dates_cpv_and_procedures() -> None:
    flags: list = []
    ctx = norm.DEFAULT_CONTEXT
    assert str(norm.day("2018-12-17+01:00", "d", flags, ctx)) == "2018-12-17"
    assert norm.day("0218-12-17", "d", flags, ctx) is None
    assert norm.day("17/12/2018", "d", flags, ctx) is None
    assert [f.reason for f in flags] == ["date_impossible", "date_malformed"]
    assert norm.cpv("45000000-7", [])[1] == "45000000"
    assert norm.cpv("3000000", [])[1] == "03000000"  # lost leading zero restored
    assert norm.cpv("450000007", [])[1] == "45000000"  # check digit glued
    assert procedure_code("Procédure adaptée") == "adapted"
    assert procedure_code("Proc\ufffddure adapt\ufffde") == "adapted"
    assert procedure_code("Procédure avec négociation") == "negotiated"  # 2024 label
    assert procedure_code("Procédure concurrentielle avec négociation") == "negotiated"  # 2019
    assert procedure_code(
        "Marché public négocié sans publicité ni mise en concurrence préalable"
    ) == procedure_code("Marché passé sans publicité ni mise en concurrence préalable")
    assert procedure_code("Tirage au sort") is None


def test_absurd_bound_is_a_setting() -> None:
    flags: list = []
    low = norm.ReadContext(absurd_amount=1_000_000)
    assert norm.amount(5_000_000, "amount", flags, low) == ("5000000", None)
    assert flags[0].reason == "amount_absurd"
    assert norm.amount(5_000_000, "amount", [], norm.DEFAULT_CONTEXT)[1] == 5_000_000


def test_registry_names_are_unique_and_known() -> None:
    names = [spec.name for spec in readers()]
    assert len(names) == len(set(names))
    assert get_reader("decp-2019").kind == "awards"


VALID = orjson.loads(
    (Path(__file__).parents[1] / "src/vivier/demo_data/decp-2024/decp_test_2022.json")
    .read_bytes()
    .replace(b"NaN", b"null")
)["marches"]["marche"][0]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
    | st.sampled_from(["", "NC", "\ufffd", "0218-01-01", "2024-13-45", "1e400", "9" * 30]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutations=st.lists(
        st.tuples(st.sampled_from(sorted(VALID) + ["titulaires.0", "acheteur.id"]), json_values),
        min_size=1,
        max_size=4,
    ),
    deletions=st.lists(st.sampled_from(sorted(VALID)), max_size=3),
)
def test_mutated_records_never_crash_the_reader(mutations, deletions) -> None:
    record = copy.deepcopy(VALID)
    for key, value in mutations:
        if key == "titulaires.0":
            record["titulaires"] = [value]
        elif key == "acheteur.id":
            record["acheteur"] = {"id": value}
        else:
            record[key] = value
    for key in deletions:
        record.pop(key, None)
    result = to_contract(record, 0, "test")
    assert isinstance(result, Contract | Reject)
    if isinstance(result, Reject):
        assert result.reason and result.raw
    else:
        assert result.uid.count("|") >= 1


def test_la_poste_sirets_follow_their_own_rule() -> None:
    flags: list = []
    assert norm.siret("35600000000048", "supplier", "siret", flags)[1] == "35600000000048"
    # La Poste: digit sum divisible by 5, although the Luhn check fails
    assert norm.siret("35600000010000", "supplier", "siret", flags)[1] == "35600000010000"
    assert norm.siret("1234567890123", "supplier", "siret", flags)[1] is None  # 13 digits
    assert [flag.reason for flag in flags] == ["siret_bad_length"]


def test_tabular_row_with_wrong_column_count_is_rejected(samples: Path, tmp_path: Path) -> None:
    source = samples / "decp-consolidated-csv/decp_2024H2_travaux_cpv4521_filtered.csv"
    lines = source.read_text(encoding="utf-8").splitlines()[:6]
    lines[3] = lines[3] + ",colonne en trop"
    path = tmp_path / "decp.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = list(get_reader("decp-tabular").read(path))
    rejects = [r for r in records if isinstance(r, Reject)]
    assert len(rejects) == 1 and "18 colonnes, 17 attendues" in rejects[0].reason
    assert "colonne en trop" in rejects[0].raw
    rows = sum(r.source_rows for r in records if isinstance(r, Contract))
    assert rows + len(rejects) == 5


file_values = st.recursive(  # what a JSON file can hold for yajl: 64-bit integers, NaN
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutations=st.lists(st.tuples(st.sampled_from(sorted(VALID)), file_values), max_size=4),
    shape=st.sampled_from(["decp-2019", "decp-2024-json"]),
)
def test_mutated_records_through_the_file_readers(mutations, shape, tmp_path_factory) -> None:
    record = copy.deepcopy(VALID)
    for key, value in mutations:
        record[key] = value
    marches = [VALID, record] if shape == "decp-2019" else {"marche": [VALID, record]}
    path = tmp_path_factory.mktemp("mutations") / "decp.json"
    path.write_text(json.dumps({"marches": marches}), encoding="utf-8")  # NaN written bare
    assert detect_reader(path).name == shape
    results = list(get_reader(shape).read(path))
    assert len(results) == 2 and isinstance(results[0], Contract)
    assert isinstance(results[1], Contract) or results[1].reason
