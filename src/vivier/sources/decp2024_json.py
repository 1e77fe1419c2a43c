"""DECP 2024 JSON (schema v2.0.x): `{"marches": {"marche": [...], "contrat-concession": [...]}}`.

The file is streamed once for the `marche` list; a second streaming pass reads the
`contrat-concession` list only when that key was seen during the first pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vivier.models import Contract, Reject
from vivier.sources import ReaderSpec
from vivier.sources.decp_record import to_contract
from vivier.sources.jsonstream import CountingStream, has_marches_object, iter_items
from vivier.sources.normalise import DEFAULT_CONTEXT, ReadContext

SOURCE = "decp-2024"
CONCESSION_KEY = b'"contrat-concession"'


def detect(path: Path, head: bytes) -> bool:
    return has_marches_object(head)


def read(path: Path, context: ReadContext = DEFAULT_CONTEXT) -> Iterator[Contract | Reject]:
    label = str(path)
    index = 0
    with open(path, "rb") as handle:
        stream = CountingStream(handle, marker=CONCESSION_KEY)
        for record in iter_items(stream, "marches.marche.item", label):
            yield to_contract(record, index, SOURCE, "marche", context)
            index += 1
    if not stream.marker_seen:
        return
    with open(path, "rb") as handle:
        stream = CountingStream(handle)
        for record in iter_items(stream, "marches.contrat-concession.item", label, index):
            yield to_contract(record, index, SOURCE, "concession", context)
            index += 1


SPEC = ReaderSpec(
    name="decp-2024-json",
    kind="awards",
    detect=detect,
    read=read,
    description='DECP 2024 JSON {"marches": {"marche": [...], "contrat-concession": [...]}}',
)
