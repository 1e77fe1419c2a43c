"""The self-contained HTML report (Jinja2 template, inline CSS and SVG, no CDN)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from vivier.barometer.labels import BREAKDOWNS
from vivier.report import fmt
from vivier.report.charts import charts_of, svg
from vivier.report.method import METHOD

HTML_BUYERS = 50
HTML_SILENT = 50


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("vivier.report", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        count=fmt.count,
        fraction=fmt.fraction,
        euros=fmt.euros,
        percent=fmt.percent,
        points=fmt.points,
    )
    return env


def render_html(result: dict, files: dict[str, str]) -> str:
    """The report page; `files` names the sibling files (CSV, JSON, PDF) it refers to."""
    charts = {name: Markup(svg(chart)) for name, chart in charts_of(result).items()}
    trend_rows = [{"label": str(row["year"]), **row} for row in result["trend"]]
    return (
        environment()
        .get_template("barometre.html")
        .render(
            r=result,
            charts=charts,
            trend_rows=trend_rows,
            buyer_rows=result["breakdowns"]["buyer"][:HTML_BUYERS],
            silent_rows=result["coverage"]["silent_buyers"][:HTML_SILENT],
            breakdown_titles=BREAKDOWNS,
            method=METHOD,
            files=files,
        )
    )
