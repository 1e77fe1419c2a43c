"""DECP 2024 JSON (schema v2.0.x): `{"marches": {"marche": [...], "contrat-concession": [...]}}`.

The file is streamed once for the `marche` list; when the `contrat-concession` key was
seen during that pass, a second pass parses the file from that key onwards only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vivier.errors import SourceError
from vivier.models import Contract, Reject
from vivier.sources import ReaderSpec
from vivier.sources.decp_rows import convert
from vivier.sources.jsonstream import (
    CountingStream,
    PrefixedStream,
    has_marches_object,
    iter_items,
)
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
            if context.mine(index):
                yield convert(record, index, SOURCE, "marche", context)
            index += 1
    if stream.marker_offset is None:
        return
    try:
        concessions = list(_concessions(path, stream.marker_offset, label))
    except SourceError:  # the marker was inside a text value: parse the whole file again
        concessions = None
    if concessions is None:
        concessions = _concessions(path, 0, label)
    for record in concessions:
        if context.mine(index):
            yield convert(record, index, SOURCE, "concession", context)
        index += 1


def _concessions(path: Path, offset: int, label: str) -> Iterator[object]:
    """The `contrat-concession` items, parsed from `offset` (the key) to the end."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        raw = PrefixedStream(b'{"marches":{', handle) if offset else handle
        yield from iter_items(CountingStream(raw), "marches.contrat-concession.item", label)


SPEC = ReaderSpec(
    name="decp-2024-json",
    kind="awards",
    detect=detect,
    read=read,
    description='DECP 2024 JSON {"marches": {"marche": [...], "contrat-concession": [...]}}',
    shardable=True,
)
