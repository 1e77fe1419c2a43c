"""Inline SVG charts (no JavaScript, no external asset): horizontal and vertical bars.

Each bar carries a <title> (shown on hover and read by screen readers); pages also give
the same figures as a table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

Formatter = Callable[[float | None], str]


def hbar_chart(
    items: Sequence[tuple[str, float | None]],
    title: str,
    formatter: Formatter,
    width: int = 720,
    target: float | None = None,
) -> Markup:
    """One horizontal bar per (label, value); an optional dashed target line."""
    values = [value or 0 for _, value in items]
    top = max([*values, target or 0, 1e-12])
    label_width, row, bar_space = 260, 28, width - 260 - 110
    height = row * len(items) + 10
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        length = max(1.0, bar_space * (value or 0) / top)
        shown = formatter(value)
        short = label if len(label) <= 38 else label[:36] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{length:.1f}" height="18">'
            f"<title>{escape(label)} : {escape(shown)}</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + 17}">{escape(shown)}</text>'
        )
    if target is not None:
        x = label_width + bar_space * target / top
        parts.append(
            f'<line class="target" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}">'
            f"<title>Objectif : {escape(formatter(target))}</title></line>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def vbar_chart(
    items: Sequence[tuple[str, float | None]],
    title: str,
    formatter: Formatter,
    height: int = 220,
    target: float | None = None,
) -> Markup:
    """One vertical bar per (label, value), e.g. one per year."""
    values = [value or 0 for _, value in items]
    top = max([*values, target or 0, 1e-12])
    column, chart_height = 64, height - 50
    width = max(column * len(items) + 20, 200)
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(items):
        x = 10 + index * column
        length = max(1.0, chart_height * (value or 0) / top)
        y = 25 + chart_height - length
        shown, middle = formatter(value), x + column / 2
        parts.append(
            f'<rect class="bar" x="{x + 10}" y="{y:.1f}" width="{column - 20}" '
            f'height="{length:.1f}"><title>{escape(label)} : {escape(shown)}</title></rect>'
            f'<text x="{middle}" y="{y - 5:.1f}" text-anchor="middle">{escape(shown)}</text>'
            f'<text x="{middle}" y="{height - 8}" text-anchor="middle">{escape(label)}</text>'
        )
    if target is not None:
        y = 25 + chart_height - chart_height * target / top
        parts.append(
            f'<line class="target" x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}">'
            f"<title>Objectif : {escape(formatter(target))}</title></line>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
