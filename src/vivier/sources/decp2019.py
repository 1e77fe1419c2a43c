"""DECP 2019 JSON (arrêté du 14 avril 2017): `{"marches": [...]}`, also inside a `.zip`."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from vivier.errors import SourceError
from vivier.models import Contract, Reject
from vivier.sources import ReaderSpec
from vivier.sources.decp_rows import convert
from vivier.sources.jsonstream import CountingStream, has_marches_list, iter_items
from vivier.sources.normalise import DEFAULT_CONTEXT, ReadContext

SOURCE = "decp-2019"


def detect(path: Path, head: bytes) -> bool:
    return has_marches_list(head)


def _read_stream(
    stream: CountingStream, label: str, start: int, context: ReadContext
) -> Iterator[Contract | Reject]:
    index = start
    for record in iter_items(stream, "marches.item", label, done=start):
        if context.mine(index):
            yield convert(record, index, SOURCE, None, context)
        index += 1


def read(path: Path, context: ReadContext = DEFAULT_CONTEXT) -> Iterator[Contract | Reject]:
    path = Path(path)
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as handle:
            yield from _read_stream(CountingStream(handle), str(path), 0, context)
        return
    index = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.lower().endswith(".json"):
                    continue
                label = f"{path} [{info.filename}]"
                with archive.open(info) as member:
                    stream = CountingStream(member)
                    yield from _read_stream(stream, label, index, context)
                    index += stream.items
    except (zipfile.BadZipFile, OSError) as error:
        raise SourceError(f"archive ZIP illisible ({error})", path=str(path)) from None


SPEC = ReaderSpec(
    name="decp-2019",
    kind="awards",
    detect=detect,
    read=read,
    description='DECP 2019 JSON {"marches": [...]} (aussi dans un .zip)',
    shardable=True,
)
