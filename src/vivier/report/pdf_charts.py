"""The report's charts drawn in the PDF with fpdf2 primitives (same models as the SVG)."""

from __future__ import annotations

from fpdf import FPDF

from vivier.report import fmt
from vivier.report.charts import BarChart, LineChart

BLUE = (31, 78, 156)
RED = (225, 0, 15)
SERIES_COLORS = (BLUE, RED)


def bar_chart(pdf: FPDF, chart: BarChart) -> None:
    label_w, area_w, bar_h = 70.0, 75.0, 4.2
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 6, chart.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    top = max((bar.value for bar in chart.bars), default=0) or 1
    if not chart.bars:
        pdf.cell(0, 5, "Aucune donnée.", new_x="LMARGIN", new_y="NEXT")
    for bar in chart.bars:
        if pdf.will_page_break(bar_h + 1.5):
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_xy(x, y)
        pdf.cell(label_w - 2, bar_h, bar.label, align="R")
        width = max(bar.value / top * area_w, 0)
        pdf.set_fill_color(*BLUE)
        if width > 0:
            pdf.rect(x + label_w, y + 0.4, width, bar_h - 0.8, style="F")
        pdf.set_xy(x + label_w + width + 1.5, y)
        pdf.cell(30, bar_h, bar.text)
        pdf.set_xy(x, y + bar_h + 1.5)
    pdf.ln(3)


def line_chart(pdf: FPDF, chart: LineChart) -> None:
    left, width, height = pdf.l_margin + 18, 150.0, 45.0
    if pdf.will_page_break(height + 20):
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 6, chart.title, new_x="LMARGIN", new_y="NEXT")
    top_y = pdf.get_y() + 6
    values = [v for series in chart.series for v in series.values if v is not None]
    peak = max(values, default=0) * 1.15 or 0.01
    count = len(chart.years)

    def x_of(i: int) -> float:
        return left + (width / 2 if count == 1 else i * width / max(count - 1, 1))

    def y_of(v: float) -> float:
        return top_y + height - v / peak * height

    pdf.set_font("DejaVu", "", 6.5)
    pdf.set_draw_color(220, 220, 220)
    for step in range(5):
        value = peak * step / 4
        pdf.line(left, y_of(value), left + width, y_of(value))
        pdf.text(pdf.l_margin, y_of(value) + 1, fmt.percent(value))
    for i, year in enumerate(chart.years):
        pdf.text(x_of(i) - 3, top_y + height + 5, str(year))
    for s, series in enumerate(chart.series):
        color = SERIES_COLORS[s % len(SERIES_COLORS)]
        pdf.set_draw_color(*color)
        pdf.set_fill_color(*color)
        points = [(x_of(i), y_of(v)) for i, v in enumerate(series.values) if v is not None]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            pdf.line(x1, y1, x2, y2)
        for x, y in points:
            pdf.circle(x, y, 0.9, style="F")
        pdf.rect(left + s * 40, top_y - 4, 4, 1.2, style="F")
        pdf.text(left + s * 40 + 5, top_y - 2.8, series.name)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(top_y + height + 9)
