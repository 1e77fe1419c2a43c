"""The barometer report: HTML (self-contained), PDF, JSON and one CSV per breakdown."""

from __future__ import annotations

from pathlib import Path

from vivier.report.html_report import render_html
from vivier.report.pdf import render_pdf
from vivier.report.tables import csv_files, write_json

__all__ = ["write_report"]


def write_report(result: dict, out: Path) -> dict[str, Path]:
    """Write every file of the report of `result` into `out`; returns name → path."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"barometre-{result['year']}"
    written: dict[str, Path] = {"json": write_json(result, out / f"{stem}.json")}
    written.update(csv_files(result, out, stem))
    files = {
        "json": written["json"].name,
        "pdf": f"{stem}.pdf",
        "buyer": written["buyer"].name,
        "silent": written["silent_buyers"].name,
        "coverage": written["coverage_buyers"].name,
    }
    html_path = out / f"{stem}.html"
    html_path.write_text(render_html(result, files), encoding="utf-8")
    written["html"] = html_path
    written["pdf"] = render_pdf(result, out / files["pdf"])
    return written
