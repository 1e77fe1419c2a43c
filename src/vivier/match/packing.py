"""Compact pickling of many strings: one concatenated string and the lengths.

Pickling a list of a million short strings costs a memo entry and a call per string;
packed, it is one copy of one string and one array, and unpacking is slicing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain

import numpy as np

SEPARATOR = "\x00"  # joins the strings unless one of them contains it (then: lengths)
Packed = tuple


def pack(strings: Sequence[str | None]) -> Packed:
    """(text, lengths or None, rows of the None values, count)."""
    strings = strings if isinstance(strings, list) else list(strings)
    missing = [row for row, s in enumerate(strings) if s is None] if None in strings else []
    if missing:
        strings = ["" if s is None else s for s in strings]
    text = SEPARATOR.join(strings)
    if text.count(SEPARATOR) == max(len(strings) - 1, 0):
        return text, None, missing, len(strings)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    return "".join(strings), lengths, missing, len(strings)


def unpack(packed: Packed) -> list[str | None]:
    text, lengths, missing, count = packed
    if lengths is None:
        out: list[str | None] = text.split(SEPARATOR) if count else []
    else:
        ends = np.cumsum(lengths)
        starts = (ends - lengths).tolist()
        out = [text[a:b] for a, b in zip(starts, ends.tolist(), strict=True)]
    for row in missing:
        out[row] = None
    return out


def pack_nested(lists: Sequence[Sequence[str]]) -> tuple[Packed, np.ndarray]:
    """Lists of strings (e.g. each entity's contract objects)."""
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    return pack(list(chain.from_iterable(lists))), counts


def unpack_nested(packed: tuple[Packed, np.ndarray]) -> list[list[str]]:
    flat, counts = packed
    items = unpack(flat)
    ends = np.cumsum(counts)
    starts = (ends - counts).tolist()
    return [items[a:b] for a, b in zip(starts, ends.tolist(), strict=True)]


def pack_keys(index: dict[str, int]) -> Packed:
    """A dictionary key → 0..n-1 (a vocabulary, a row index), by its keys in order."""
    keys: list[str | None] = [None] * len(index)
    for key, position in index.items():
        keys[position] = key
    return pack(keys)


def unpack_keys(packed: Packed) -> dict[str, int]:
    return {key: position for position, key in enumerate(unpack(packed))}


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of lists and strings are created (each
    collection would walk all of them; nothing built here is cyclic garbage)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
