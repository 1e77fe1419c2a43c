"""The fast row path (`decp_rows.convert`) gives exactly the rows of `to_contract`."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vivier.sources import get_reader
from vivier.sources.decp_rows import Rows, convert
from vivier.sources.normalise import ReadContext
from vivier.warehouse.awards import _Batch

SLOW = ReadContext()
FAST = replace(SLOW, rows=True)
JSON_SAMPLES = [
    ("decp-2019", "decp-2019/data.gouv.fr_aife.json"),
    ("decp-2019", "decp-2019/data.gouv.fr_pes.json"),
    ("decp-2019", "decp-2019/e-marchespublics.json"),
    ("decp-2019", "decp-2019/mar-avec-modifications.json"),
    ("decp-2024-json", "decp-2024/marches_concessions.json"),
    ("decp-2024-json", "decp-2024/marches_avec_modifications.json"),
    ("decp-2024-json", "decp-2024/concessions_avec_modifications.json"),
    ("decp-2024-json", "decp-2024/decp_test_2022.json"),
    ("decp-2024-xml", "decp-2024/Marche.xml"),
    ("decp-2024-xml", "decp-2024/Contrat-concession-modification.xml"),
]


def batch_lists(records) -> dict[str, list]:
    batch = _Batch()
    for record in records:
        batch.add(record)
    names = ("contracts", "suppliers", "modifications", "flags", "rejects")
    return {name: getattr(batch, name) for name in names} | {"read": batch.read}


@pytest.mark.parametrize(("fmt", "name"), JSON_SAMPLES)
def test_fast_rows_equal_contract_rows_on_samples(samples: Path, fmt: str, name: str) -> None:
    read = get_reader(fmt).read
    slow = batch_lists(read(samples / name, SLOW))
    fast_records = list(read(samples / name, FAST))
    assert any(record.__class__ is Rows for record in fast_records)  # the fast path is taken
    assert batch_lists(fast_records) == slow
    assert slow["contracts"]


VALID = {
    "id": "2024-001",
    "acheteur": {"id": "21750001600019", "nom": "Ville de Paris"},
    "nature": "Marché",
    "objet": "Travaux de voirie",
    "codeCPV": "45233140-2",
    "procedure": "Appel d'offres ouvert",
    "lieuExecution": {"code": "75", "typeCode": "Code département"},
    "dureeMois": 12,
    "dateNotification": "2024-02-01+01:00",
    "datePublicationDonnees": "2024-03-01",
    "montant": 125000.5,
    "formePrix": "Forfaitaire",
    "offresRecues": 3,
    "marcheInnovant": "non",
    "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "35600000000048"}}],
    "modifications": [{"modification": {"id": 1, "montant": 130000, "dureeMois": 14}}],
}
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "NC", "\ufffd", "0218-01-01", "2024-13-45", "9" * 9, "SIREN"])
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "titulaire", "typeIdentifiant", "x"]), children)
    ),
    max_leaves=6,
)
PLACES = sorted(VALID) + [
    "acheteur.id",
    "acheteur",
    "autoriteConcedante",
    "titulaires.0",
    "titulaire.typeIdentifiant",
    "titulaire.id",
    "titulaire.denominationSociale",
    "lieuExecution.code",
    "valeurGlobale",
    "dateSignature",
    "concessionnaires",
    "source",
    "_type",
]


def mutate(record: dict, place: str, value: object) -> None:
    if place == "titulaires.0":
        record["titulaires"] = [value]
    elif place.startswith("titulaire."):
        supplier = {"typeIdentifiant": "SIRET", "id": "35600000000048"}
        record["titulaires"] = [{"titulaire": supplier | {place.split(".")[1]: value}}]
    elif "." in place and isinstance(record.get(place.split(".")[0]), dict):
        outer, inner = place.split(".")
        record[outer][inner] = value
    else:
        record[place] = value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutations=st.lists(st.tuples(st.sampled_from(PLACES), values), min_size=1, max_size=4),
    deletions=st.lists(st.sampled_from(sorted(VALID)), max_size=3),
    kind=st.sampled_from(["marche", "concession", None]),
)
def test_fast_rows_equal_contract_rows_on_mutations(mutations, deletions, kind) -> None:
    record = copy.deepcopy(VALID)
    for place, value in mutations:
        mutate(record, place, value)
    for key in deletions:
        record.pop(key, None)
    slow = batch_lists([convert(copy.deepcopy(record), 7, "test", kind, SLOW)])
    fast = batch_lists([convert(record, 7, "test", kind, FAST)])
    assert repr(fast) == repr(slow)  # repr: NaN compares unequal to itself
