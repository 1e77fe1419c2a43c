"""The registry of source readers: one module per source and format.

Each reader module defines `SPEC = ReaderSpec(...)`; its name is listed in `READER_MODULES`
(to add a reader, add one line there). `detect_reader(path)` picks the reader whose
`detect(path, head)` accepts the file's first bytes; `--format` picks one by name.
Readers of kind "awards" yield `Contract` or `Reject`; kind "tenders" readers yield the
records the tenders loader (`vivier.warehouse.tenders`) understands.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vivier.errors import BadValueError, SourceError

HEAD_SIZE = 65536

# Reader modules, in detection order (the most specific first).
READER_MODULES: list[str] = [
    "vivier.sources.decp2024_json",
    "vivier.sources.decp_ocds",
    "vivier.sources.decp2019",
    "vivier.sources.decp2024_xml",
    "vivier.sources.decp_tabular",
    "vivier.sources.ted_eforms",
    "vivier.sources.ted_legacy",
    "vivier.sources.boamp_xml",
    "vivier.sources.boamp_json",
]


@dataclass(frozen=True)
class ReaderSpec:
    """A reader: its name (the `--format` value), the kind of records and two functions."""

    name: str
    kind: str  # "awards" (DECP) | "tenders" (TED, BOAMP)
    detect: Callable[[Path, bytes], bool]
    read: Callable[..., Iterator[Any]]  # read(path, context=DEFAULT_CONTEXT)
    description: str = ""
    shardable: bool = False  # read() honours context.shard / context.shards


@cache
def readers() -> tuple[ReaderSpec, ...]:
    return tuple(importlib.import_module(name).SPEC for name in READER_MODULES)


def reader_names() -> list[str]:
    return [spec.name for spec in readers()]


def get_reader(name: str) -> ReaderSpec:
    for spec in readers():
        if spec.name == name:
            return spec
    raise BadValueError(
        f"Format inconnu : « {name} ». Formats possibles : {', '.join(reader_names())}."
    )


def read_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    """The first bytes of a file (of the first member of a ZIP archive)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [info for info in archive.infolist() if not info.is_dir()]
                if not members:
                    return b""
                with archive.open(members[0]) as handle:
                    return handle.read(size)
        with open(path, "rb") as handle:
            return handle.read(size)
    except (OSError, zipfile.BadZipFile) as error:
        raise SourceError(f"lecture impossible ({error})", path=str(path)) from None


def detect_reader(path: Path) -> ReaderSpec:
    """The reader for this file, or a French SourceError naming the file."""
    if not path.exists():
        raise SourceError("fichier introuvable", path=str(path))
    if path.is_dir():
        raise SourceError("c'est un répertoire, pas un fichier", path=str(path))
    head = read_head(path)
    if not head.strip():
        raise SourceError("le fichier est vide", path=str(path))
    for spec in readers():
        if spec.detect(path, head):
            return spec
    raise SourceError(
        "format de fichier non reconnu (formats connus : "
        f"{', '.join(reader_names())} ; --format pour en imposer un)",
        path=str(path),
    )
