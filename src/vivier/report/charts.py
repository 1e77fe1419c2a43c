"""The report's charts: one data model per chart, drawn as inline SVG (the PDF draws the
same models with fpdf2). No library, no CDN: plain SVG text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from vivier.report import fmt

WIDTH = 720
LABEL_WIDTH = 270
BAR_AREA = 330
BAR_HEIGHT = 18
BAR_GAP = 8
TOP = 34
COLORS = ("#1f4e9c", "#e1000f", "#5d9e3b")
MAX_BARS = 10


@dataclass
class Bar:
    label: str
    value: float
    text: str


@dataclass
class BarChart:
    title: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class LineChart:
    title: str
    years: list[int] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)


def short(text: str, limit: int = 36) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def share_bars(title: str, rows: list[dict]) -> BarChart:
    """Start-up share of value per row (the rows with the biggest totals first)."""
    bars = [
        Bar(
            short(row["label"]),
            row["startup_amount_share"] or 0.0,
            fmt.percent(row["startup_amount_share"]),
        )
        for row in rows[:MAX_BARS]
    ]
    return BarChart(title, bars)


def charts_of(result: dict) -> dict[str, BarChart | LineChart]:
    """Every chart of the report, from the barometer's figures."""
    breakdowns = result["breakdowns"]
    trend = result["trend"]
    return {
        "trend": LineChart(
            "Part des start-up, par année",
            [row["year"] for row in trend],
            [
                Series("en valeur", [row["startup_amount_share"] for row in trend]),
                Series("en nombre", [row["startup_contract_share"] for row in trend]),
            ],
        ),
        "perimeters": share_bars(
            "Part des start-up en valeur, par périmètre", breakdowns["perimeter"]
        ),
        "ministries": share_bars(
            "Part des start-up en valeur, par ministère", breakdowns["ministry"]
        ),
        "top_buyers": BarChart(
            "Acheteurs ayant le plus acheté aux start-up (montant HT)",
            [
                Bar(short(row["label"]), row["amount_startup"], fmt.euros(row["amount_startup"]))
                for row in result["top_buyers"]
            ],
        ),
        "cpv_divisions": share_bars(
            "Part des start-up en valeur, par division CPV (les 10 plus gros montants)",
            breakdowns["cpv_division"],
        ),
    }


def _text(
    x: float, y: float, text: str, anchor: str = "start", size: int = 12, weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}">{escape(text)}</text>'
    )


def bar_svg(chart: BarChart) -> str:
    height = TOP + max(len(chart.bars), 1) * (BAR_HEIGHT + BAR_GAP) + 10
    top = max((bar.value for bar in chart.bars), default=0) or 1
    parts = [_text(0, 18, chart.title, size=14, weight="bold")]
    if not chart.bars:
        parts.append(_text(0, TOP + 14, "Aucune donnée."))
    for index, bar in enumerate(chart.bars):
        y = TOP + index * (BAR_HEIGHT + BAR_GAP)
        width = max(bar.value / top * BAR_AREA, 0)
        parts.append(_text(LABEL_WIDTH - 8, y + 13, bar.label, anchor="end", size=11))
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{COLORS[0]}"/>'
        )
        parts.append(_text(LABEL_WIDTH + width + 6, y + 13, bar.text))
    return _svg(height, chart.title, parts)


def line_svg(chart: LineChart) -> str:
    height, left, right, top, bottom = 260, 60, 20, 40, 40
    values = [v for series in chart.series for v in series.values if v is not None]
    peak = max(values, default=0) * 1.15 or 0.01
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    count = len(chart.years)

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if count == 1 else i * plot_w / (count - 1))

    def y_of(v: float) -> float:
        return top + plot_h - v / peak * plot_h

    parts = [_text(0, 18, chart.title, size=14, weight="bold")]
    for step in range(5):
        value = peak * step / 4
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y_of(value):.1f}" '
            f'y2="{y_of(value):.1f}" stroke="#ddd"/>'
        )
        parts.append(_text(left - 6, y_of(value) + 4, fmt.percent(value), anchor="end", size=10))
    for i, year in enumerate(chart.years):
        parts.append(_text(x_of(i), height - bottom + 18, str(year), anchor="middle"))
    for s, series in enumerate(chart.series):
        color = COLORS[s % len(COLORS)]
        points = [(x_of(i), y_of(v)) for i, v in enumerate(series.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"/>' for x, y in points]
        legend_x = left + s * 160
        parts.append(f'<rect x="{legend_x}" y="26" width="12" height="4" fill="{color}"/>')
        parts.append(_text(legend_x + 16, 32, series.name, size=11))
    if not count:
        parts.append(_text(left, top + 30, "Aucune donnée."))
    return _svg(height, chart.title, parts)


def _svg(height: int, title: str, parts: list[str]) -> str:
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="DejaVu Sans, Arial, sans-serif">\n{body}\n</svg>'
    )


def svg(chart: BarChart | LineChart) -> str:
    return line_svg(chart) if isinstance(chart, LineChart) else bar_svg(chart)
