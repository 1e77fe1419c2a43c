"""Framed DECP JSON: the record lists are cut at newlines into byte ranges (chunks), each
parsed as one JSON array by orjson, so that worker processes split a file by range and
no record is parsed twice.

A JSON string cannot hold a raw newline, so a newline between two list items is a valid
cut. `plan(path, fmt)` checks the file's frame: the head (`{"marches": {"marche": [` or
`{"marches": [`, an optional `"$schema"` first), the separators between the 2024 lists
(`], "contrat-concession": [`) and the tail (`]}}` / `]}`), and cuts each list into
chunks. `read_chunk` parses one chunk: its text, without its trailing comma, must be a
sequence of whole JSON values. Anything unexpected raises `NotFramed`: the caller then
reads the file again with the streaming reader (`jsonstream`, ijson), which loads it or
reports the error exactly as before. Items get the indices of the streaming reader
(2024: every `marche`, then every `contrat-concession`), as `seq` = chunk << 32 | item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from vivier.sources.decp_rows import convert
from vivier.sources.jsonstream import (
    _LONGEST_LINE,
    _fix,
    _has_long_number,
    _has_special_word,
)
from vivier.sources.normalise import ReadContext

CHUNK_BYTES = 4 << 20  # about 7,500 records of the national file (worker memory: ~0.28 GB)
SEQ_SHIFT = 32  # seq = chunk number << SEQ_SHIFT | item index in the chunk
_HEAD_BYTES = 1 << 16
_W = rb"[ \t\r\n]*"  # JSON whitespace (not \s: yajl refuses \v and \f)
_SCHEMA = rb'(?:"\$schema"' + _W + rb":" + _W + rb'"[^"\\]*"' + _W + rb"," + _W + rb")?"
_LIST_KEY = rb'"(marche|contrat-concession)"' + _W + rb":" + _W + rb"\["
_MARCHES = rb'"marches"' + _W + rb":" + _W
_HEAD_2024 = re.compile(rb"\A" + _W + rb"\{" + _W + _SCHEMA + _MARCHES + rb"\{" + _W + _LIST_KEY)
_HEAD_2019 = re.compile(rb"\A" + _W + rb"\{" + _W + _SCHEMA + _MARCHES + rb"\[")
_TAIL_2024 = re.compile(rb"\]" + _W + rb"\}" + _W + rb"\}" + _W + rb"\Z")
_TAIL_2019 = re.compile(rb"\]" + _W + rb"\}" + _W + rb"\Z")
_SEPARATOR = re.compile(rb"\]" + _W + rb"," + _W + _LIST_KEY)
_KEY_KINDS = ((b'"marche"', "marche"), (b'"contrat-concession"', "concession"))
_KINDS = {b"marche": "marche", b"contrat-concession": "concession"}
_JSON_SPACE = b" \t\r\n"

# format → (head, tail, source); the 2019 records carry their own kind
FRAMES = {
    "decp-2024-json": (_HEAD_2024, _TAIL_2024, "decp-2024"),
    "decp-2019": (_HEAD_2019, _TAIL_2019, "decp-2019"),
}


class NotFramed(Exception):
    """The file is not framed as expected: read it with the streaming reader."""


@dataclass(frozen=True)
class Chunk:
    number: int  # chunks are numbered in index order
    start: int
    end: int
    kind: str | None
    first: bool  # first chunk of its list
    last: bool  # last chunk of its list (no trailing comma)


@dataclass(frozen=True)
class Plan:
    path: Path
    source: str
    chunks: tuple[Chunk, ...]


def plan(path: Path, fmt: str, chunk_bytes: int | None = None) -> Plan:
    """The chunks of a framed file; raises NotFramed when its shape is not the expected one."""
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    if fmt not in FRAMES:
        raise NotFramed(fmt)
    head_re, tail_re, source = FRAMES[fmt]
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = head_re.match(handle.read(_HEAD_BYTES))
        handle.seek(max(0, size - _HEAD_BYTES))
        tail = tail_re.search(handle.read())
        if head is None or tail is None:
            raise NotFramed("head or tail")
        end = size - min(size, _HEAD_BYTES) + tail.start()
        if head.end() > end:
            raise NotFramed("head and tail overlap")
        first_kind = _KINDS.get(head.group(1)) if head.re is _HEAD_2024 else None
        lists = _lists(handle, head.end(), end, first_kind, fmt == "decp-2024-json")
        order = sorted(lists, key=lambda item: item[2] == "concession")  # marche first
        chunks: list[Chunk] = []
        for start, stop, kind in order:
            chunks += _cut(handle, start, stop, kind, len(chunks), chunk_bytes)
    return Plan(path, source, tuple(chunks))


def _lists(handle, start: int, end: int, kind: str | None, split: bool) -> list[tuple]:
    """(start, end, kind) of each record list; 2024 lists are split at their separators."""
    lists = []
    keys = [key for key, name in _KEY_KINDS if name != kind]  # the head's list comes first
    for sep_start, sep_end, next_kind in _separators(handle, start, end, keys) if split else ():
        lists.append((start, sep_start, kind))
        start, kind = sep_end, next_kind
    lists.append((start, end, kind))
    kinds = [item[2] for item in lists]
    if len(set(kinds)) != len(kinds):
        raise NotFramed("a list appears twice")
    return lists


def _separators(handle, start: int, end: int, keys: list[bytes], block: int = 16 << 20) -> list:
    """The `], "contrat-concession": [` separators between start and end, in file order.

    Only the keys of the lists other than the head's are searched (a second list of the
    head's kind is not framed anyway: the record before its separator has no trailing
    comma, so the chunk holding it fails to parse). The search is the plan's main cost."""
    found: dict[int, tuple] = {}
    position = start
    while position < end:
        handle.seek(position)
        data = handle.read(min(block, end - position) + 64)
        for key in keys:
            at = data.find(key)
            while 0 <= at < block:
                separator = _separator_at(handle, position + at)
                if separator:
                    found[separator[0]] = separator
                at = data.find(key, at + 1)
        position += block
    return [found[at] for at in sorted(found)]


def _separator_at(handle, key_at: int) -> tuple | None:
    window_start = max(0, key_at - 256)
    handle.seek(window_start)
    window = handle.read(key_at - window_start + 256)
    for match in _SEPARATOR.finditer(window):
        if window_start + match.start(1) - 1 == key_at:
            start, end = window_start + match.start(), window_start + match.end()
            return start, end, _KINDS[match.group(1)]
    return None


def _cut(handle, start: int, end: int, kind, number: int, chunk_bytes: int) -> list[Chunk]:
    """Cut one list into chunks ending just after a newline."""
    bounds = [start]
    while bounds[-1] < end:
        cut = bounds[-1] + chunk_bytes
        if cut >= end:
            bounds.append(end)
            break
        handle.seek(cut)
        newline = handle.read(_LONGEST_LINE).find(b"\n")
        if newline < 0:
            raise NotFramed("line too long")
        bounds.append(min(end, cut + newline + 1))
    if len(bounds) == 1:
        bounds.append(end)
    pairs = list(zip(bounds, bounds[1:], strict=False))
    return [
        Chunk(number + k, a, b, kind, first=k == 0, last=k == len(pairs) - 1)
        for k, (a, b) in enumerate(pairs)
    ]


def chunk_items(path: Path, chunk: Chunk) -> list:
    """The JSON values of one chunk; raises NotFramed if it is not a run of whole values."""
    with open(path, "rb") as handle:
        handle.seek(chunk.start)
        body = handle.read(chunk.end - chunk.start).strip(_JSON_SPACE)
    if body.endswith(b","):
        if chunk.last:
            raise NotFramed("trailing comma")
        body = body[:-1]
    elif not chunk.last and body:
        raise NotFramed("no comma after the chunk")
    if not body:
        if chunk.first and chunk.last:
            return []
        raise NotFramed("empty chunk")
    if _has_long_number(body):
        return _parse(_fixed(body))
    try:  # a NaN or an Infinity makes orjson fail: only then is it looked for
        return _parse(body)
    except NotFramed:
        if not _has_special_word(body):
            raise
    return _parse(_fixed(body))


def _parse(body: bytes) -> list:
    try:
        return orjson.loads(b"[" + body + b"]")
    except orjson.JSONDecodeError as error:
        raise NotFramed(str(error)) from None


def _fixed(body: bytes) -> bytes:
    """NaN, Infinity and long numbers rewritten as the streaming reader reads them."""
    if max(map(len, body.split(b"\n"))) >= _LONGEST_LINE:
        raise NotFramed("long line to rewrite")  # the streaming reader does not rewrite
    return _fix(body)


def read_chunk(plan: Plan, chunk: Chunk, context: ReadContext) -> list:
    """The chunk's records, normalised (`decp_rows.convert`), with their `seq` index."""
    base = chunk.number << SEQ_SHIFT
    source, kind = plan.source, chunk.kind
    return [
        convert(item, base + offset, source, kind, context)
        for offset, item in enumerate(chunk_items(plan.path, chunk))
    ]
