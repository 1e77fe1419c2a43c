"""DECP 2024 XML (schema v2.0.x): `<marches><marche>...</marche><contrat-concession>...`.

Streamed with lxml `iterparse`; each record element is turned into the same dict shape
as the JSON formats, then cleared so memory does not grow with the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from vivier.errors import SourceError
from vivier.models import Contract, Reject
from vivier.sources import ReaderSpec
from vivier.sources.decp_rows import convert
from vivier.sources.normalise import DEFAULT_CONTEXT, ReadContext

SOURCE = "decp-2024"
RECORD_TAGS = {"marche": "marche", "contrat-concession": "concession"}
LIST_TAGS = {
    "titulaires",
    "concessionnaires",
    "modifications",
    "actesSousTraitance",
    "modificationsActesSousTraitance",
    "donneesExecution",
    "tarifs",
    "typesPrix",
    "techniques",
    "modalitesExecution",
    "considerationsSociales",
    "considerationsEnvironnementales",
}
_ROOT = re.compile(rb"<(?:\w+:)?marches[\s>]")


def detect(path: Path, head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1] == b"<" and _ROOT.search(head) is not None


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1]


def element_to_value(element) -> object:
    """An element as a dict (children), a list (plural containers) or its text."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return (element.text or "").strip() or None
    if _local(element.tag) in LIST_TAGS:
        return [element_to_value(child) for child in children]
    result: dict[str, object] = {}
    for child in children:
        name = _local(child.tag)
        value = element_to_value(child)
        if name in result:
            previous = result[name]
            result[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            result[name] = value
    return result


def read(path: Path, context: ReadContext = DEFAULT_CONTEXT) -> Iterator[Contract | Reject]:
    index = 0
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), huge_tree=True, resolve_entities=False, no_network=True
        ):
            kind = RECORD_TAGS.get(_local(element.tag))
            parent = element.getparent()
            if kind is None or parent is None or parent.getparent() is not None:
                continue
            if context.mine(index):
                yield convert(element_to_value(element), index, SOURCE, kind, context)
            index += 1
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        raise SourceError(
            f"XML malformé ou tronqué ({error.msg})",
            path=str(path),
            where=f"la ligne {error.lineno}, après {index} enregistrements",
        ) from None


SPEC = ReaderSpec(
    name="decp-2024-xml",
    kind="awards",
    detect=detect,
    read=read,
    description="DECP 2024 XML <marches><marche>… (schéma v2.0.x)",
    shardable=True,
)
