"""Streaming JSON: items under a prefix, parsed by ijson's C backend, with French errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

import ijson

from vivier.errors import SourceError

try:
    _BACKEND = ijson.get_backend("yajl2_c")
except ImportError:  # pragma: no cover - the C backend ships with ijson wheels
    _BACKEND = ijson

_MARCHES_LIST = re.compile(rb'"marches"\s*:\s*\[')
_MARCHES_OBJECT = re.compile(rb'"marches"\s*:\s*\{')
# Bare NaN / Infinity values (written by pandas) are read as null, and integers beyond
# 64 bits (which overflow the C parser) as strings, so the record loads with its raw value
# and a flag instead of failing the file. Only outside JSON strings: chunks are cut at
# newlines (never inside a string), and each chunk is scanned string-aware.
_LONGEST_LINE = 1 << 20  # bytes kept waiting for a newline
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS = b"0" * 19
_SPECIAL_VALUE = re.compile(
    rb'"(?:[^"\\\n]|\\.)*"'
    rb"|(?P<prefix>(?:^|[:\[,])\s*)"
    rb"(?P<value>-?(?:NaN|Infinity)|-?\d{19,}(?:\.\d+)?(?:[eE][-+]?\d+)?)(?=\s*[,}\]])",
    re.MULTILINE,
)


def looks_like_json(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1] in (b"{", b"[")


def has_marches_list(head: bytes) -> bool:
    return looks_like_json(head) and _MARCHES_LIST.search(head) is not None


def has_marches_object(head: bytes) -> bool:
    return looks_like_json(head) and _MARCHES_OBJECT.search(head) is not None


class PrefixedStream:
    """`prefix` followed by the rest of `raw` (to parse a file from an inner key onwards)."""

    def __init__(self, prefix: bytes, raw: BinaryIO):
        self._prefix = prefix
        self.raw = raw

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            head, self._prefix = self._prefix, b""
            return head
        return self.raw.read(size)


class CountingStream:
    """A binary stream that counts bytes read, watches for a marker (e.g. a key) and
    turns the bare `NaN` values some exports contain into `null`."""

    def __init__(self, raw: BinaryIO, marker: bytes | None = None):
        self.raw = raw
        self.position = 0
        self.marker = marker
        self.marker_seen = False
        self.marker_offset: int | None = None  # byte offset of the marker's first occurrence
        self.items = 0  # items yielded by iter_items from this stream
        self._tail = b""
        self._carry = b""
        self._aligned = True  # the next chunk starts outside any JSON string

    def read(self, size: int = -1) -> bytes:
        while True:
            chunk = self.raw.read(size)
            self.position += len(chunk)
            if self.marker and not self.marker_seen and chunk:
                window = self._tail + chunk
                found = window.find(self.marker)
                if found >= 0:
                    self.marker_seen = True
                    self.marker_offset = self.position - len(window) + found
                self._tail = window[-len(self.marker) :]
            data = self._carry + chunk
            aligned = self._aligned
            if not chunk:  # end of stream: hand over what is left
                self._carry = b""
                return _fix(data) if aligned else data
            cut = data.rfind(b"\n") + 1
            if cut == 0 and len(data) < _LONGEST_LINE:
                self._carry = data  # wait for the end of the line
                continue
            self._aligned = cut > 0
            if not self._aligned:  # a very long line (minified JSON): hand over as it is
                cut = len(data)
            self._carry = data[cut:]
            data = data[:cut]
            if data:
                return _fix(data) if aligned else data


def _needs_fix(data: bytes) -> bool:
    """Cheap test (no regex over every chunk): a NaN, an Infinity or 19 digits in a row."""
    return _has_special_word(data) or _has_long_number(data)


def _has_special_word(data: bytes) -> bool:
    return b"NaN" in data or b"Infinity" in data


def _has_long_number(data: bytes) -> bool:
    """19 digits in a row (a number that would lose digits as a float or an int64)."""
    return _NINETEEN_DIGITS in data.translate(_DIGITS_AS_ZERO)


def _fix(data: bytes) -> bytes:
    if not _needs_fix(data):
        return data
    return _SPECIAL_VALUE.sub(_fixed_value, data)


def _fixed_value(match: re.Match) -> bytes:
    value = match.group("value")
    if value is None:  # a JSON string: unchanged
        return match.group(0)
    replacement = b'"' + value + b'"' if value[-1:].isdigit() else b"null"
    return match.group("prefix") + replacement


def iter_items(stream: CountingStream, prefix: str, path: str, done: int = 0) -> Iterator[object]:
    """Yield each JSON value at `prefix` (e.g. 'marches.item'); errors name the file and place."""
    count = done
    try:
        for item in _BACKEND.items(stream, prefix, use_float=True, buf_size=256 * 1024):
            count += 1
            stream.items += 1
            yield item
    except (ijson.JSONError, UnicodeDecodeError, ValueError) as error:
        raise SourceError(
            f"JSON malformé ou tronqué ({str(error).strip().splitlines()[0][:120]})",
            path=path,
            where=f"l'octet {_spaced(stream.position)} environ, "
            f"après {_spaced(count)} enregistrements",
        ) from None


def _spaced(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")
