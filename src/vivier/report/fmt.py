"""French number formatting, shared by the HTML and the PDF so both show the same strings."""

from __future__ import annotations


def _group(digits: str) -> str:
    """Thousands separated by spaces: '1234567' → '1 234 567'."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return " ".join(parts)


def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{abs(value):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    sign = "-" if value < 0 and float(text) != 0 else ""
    return sign + _group(whole) + ("," + fraction if fraction else "")


def count(value: int | None) -> str:
    return number(value)


def fraction(value: float | None) -> str:
    """A fractional contract count (co-suppliers): two decimals."""
    return number(value, 2)


def euros(value: float | None) -> str:
    return "–" if value is None else number(value) + " €"


def percent(value: float | None) -> str:
    """A share (0.0483) as French percent with two decimals: '4,83 %'."""
    return "–" if value is None else number(value * 100, 2) + " %"


def points(value: float | None) -> str:
    return "–" if value is None else number(value, 2) + " pt"
