from vivier.codes import check_siren, check_siret, luhn_valid, normalise_cpv, normalise_naf
from vivier.reference import cpv_known, cpv_label


def test_siret_luhn_and_la_poste():
    assert check_siret("78471226700060").ok
    assert check_siret("78471226700061").problem == "siret_bad_checksum"
    assert check_siret("7847122670006").problem == "siret_bad_length"
    assert check_siret("356000000 00048").ok  # La Poste head office
    # La Poste: digit sum divisible by 5, although the Luhn check fails
    assert not luhn_valid("35600000000010")
    assert check_siret("35600000000010").ok
    assert check_siret("35600000000011").problem == "siret_bad_checksum"


def test_siren_checks():
    assert check_siren("784712267").ok
    assert check_siren("784712268").problem == "siren_bad_checksum"
    assert check_siren("").problem == "siren_missing"


def test_all_zero_identifiers_are_placeholders_not_companies():
    # « SANS SUITE », « PAS DE CANDIDAT » in the DECP: zeros pass the Luhn check
    assert luhn_valid("00000000000000")
    assert check_siret("00000000000000").problem == "siret_placeholder"
    assert check_siren("000000000").problem == "siren_placeholder"


def test_cpv_normalisation():
    assert normalise_cpv("79100000-5").value == "79100000"
    assert normalise_cpv("9132100").value == "09132100"
    assert normalise_cpv("791000005").value == "79100000"
    assert normalise_cpv("79-1").problem == "cpv_malformed"
    assert cpv_known("09132100")
    assert not cpv_known("99999999")
    assert cpv_label("79100000").startswith("Services juridiques")


def test_naf():
    assert normalise_naf("6201Z").value == "62.01Z"
    assert normalise_naf("62.01Z").value == "62.01Z"
    assert not normalise_naf("62").ok
