"""The streaming JSON layer: huge integers and bare NaN load as raw values (never failing the
file), text that looks like them inside strings is left alone, at any chunk size."""

import io

import pytest

from vivier.errors import SourceError
from vivier.sources import jsonstream
from vivier.sources.jsonstream import CountingStream, iter_items

PRETTY = b"""{"marches": [
  {"id": "a", "montant": 123456789012345678901234,
   "x": [1, 99999999999999999999], "n": NaN},
  {"id": "b", "t": "a, NaN, 1", "u": "x: 12345678901234567890123, y"}
]}
"""
EXPECTED = [
    {"id": "a", "montant": "123456789012345678901234", "x": [1, "99999999999999999999"], "n": None},
    {"id": "b", "t": "a, NaN, 1", "u": "x: 12345678901234567890123, y"},
]


class SmallReads(io.BytesIO):
    def __init__(self, data: bytes, size: int):
        super().__init__(data)
        self.size = size

    def read(self, n: int = -1) -> bytes:
        return super().read(self.size if n is None or n < 0 or n > self.size else n)


def items(data: bytes, size: int) -> list:
    return list(iter_items(CountingStream(SmallReads(data, size)), "marches.item", "f.json"))


@pytest.mark.parametrize("size", [1, 3, 7, 16, 64, 1 << 16])
def test_special_values_are_read_whatever_the_chunk_size(size):
    assert items(PRETTY, size) == EXPECTED


def test_minified_file_in_one_read_is_fixed_too():
    assert items(PRETTY.replace(b"\n", b" "), 1 << 16) == EXPECTED


def test_minified_file_in_small_reads_is_fixed():
    assert items(PRETTY.replace(b"\n", b" "), 7) == EXPECTED


def test_line_longer_than_the_buffer_fails_clearly_not_silently(monkeypatch):
    monkeypatch.setattr(jsonstream, "_LONGEST_LINE", 8)
    with pytest.raises(SourceError, match="f.json"):
        items(PRETTY.replace(b"\n", b" "), 7)
