"""The PDF report (fpdf2, DejaVu Sans embedded): the same figures as the HTML and JSON."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from vivier.barometer.labels import BREAKDOWNS
from vivier.report import fmt
from vivier.report.charts import LineChart, charts_of
from vivier.report.method import METHOD
from vivier.report.pdf_charts import bar_chart, line_chart

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
PDF_ROWS = 20
HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 245))
FIGURE_HEADER = (
    "Contrats",
    "Contrats start-up",
    "Part nombre",
    "Montant total",
    "Montant start-up",
    "Part valeur",
)


def font_file(name: str) -> Path:
    """DejaVu from the system when installed, else the copy shipped with vivier."""
    system = SYSTEM_FONTS / name
    if system.exists():
        return system
    return Path(str(resources.files("vivier.report").joinpath("fonts", name)))


class ReportPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 8, f"vivier · baromètre · page {self.page_no()}", align="C")


def new_pdf() -> ReportPDF:
    pdf = ReportPDF(format="A4")
    pdf.add_font("DejaVu", "", str(font_file("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(font_file("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


def heading(pdf: FPDF, text: str) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.set_text_color(0, 0, 145)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def paragraph(pdf: FPDF, text: str, size: float = 9) -> None:
    pdf.set_font("DejaVu", "", size)
    pdf.multi_cell(0, 4.6, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def table(pdf: FPDF, header: tuple[str, ...], rows: list[tuple[str, ...]], widths=None) -> None:
    pdf.set_font("DejaVu", "", 7)
    align = ["LEFT"] + ["RIGHT"] * (len(header) - 1)
    with pdf.table(
        col_widths=widths,
        text_align=align,
        line_height=4.2,
        headings_style=HEADINGS,
        first_row_as_headings=True,
    ) as grid:
        for row in [header, *rows]:
            line = grid.row()
            for value in row:
                line.cell(str(value))


def figure_rows(rows: list[dict]) -> list[tuple[str, ...]]:
    return [
        (
            row["label"],
            fmt.count(row["contracts"]),
            fmt.fraction(row["startup_contracts"]),
            fmt.percent(row["startup_contract_share"]),
            fmt.euros(row["amount_total"]),
            fmt.euros(row["amount_startup"]),
            fmt.percent(row["startup_amount_share"]),
        )
        for row in rows
    ]


def figures_table(pdf: FPDF, first: str, rows: list[dict]) -> None:
    shown = rows[:PDF_ROWS]
    table(pdf, (first, *FIGURE_HEADER), figure_rows(shown), widths=(52, 14, 17, 15, 26, 26, 16))
    if len(rows) > len(shown):
        paragraph(
            pdf,
            f"Les {len(shown)} premières lignes sur {len(rows)} ; "
            "la table complète est dans le fichier CSV.",
            7,
        )


def headline(pdf: FPDF, r: dict) -> None:
    rows = [
        ("Part des start-up en valeur", fmt.percent(r["startup_amount_share"])),
        ("Part des start-up en nombre", fmt.percent(r["startup_contract_share"])),
        ("Montant attribué aux start-up (HT)", fmt.euros(r["amount_startup"])),
        ("Montant total valide (HT)", fmt.euros(r["amount_total"])),
        (f"Contrats notifiés en {r['year']}", fmt.count(r["contracts"])),
        ("Contrats attribués aux start-up (fractionnaire)", fmt.fraction(r["startup_contracts"])),
        ("Contrats avec au moins une start-up", fmt.count(r["contracts_with_startup"])),
        ("Montants exclus (invalides ou absents)", fmt.count(r["excluded_amounts"])),
        ("Contrats non datés (hors chiffres annuels)", fmt.count(r["undated_contracts"])),
    ]
    table(pdf, ("Chiffre clé", "Valeur"), rows, widths=(120, 50))
    for line in r["notes"]:
        paragraph(pdf, line, 8)


def target(pdf: FPDF, r: dict) -> None:
    t = r["target"]
    text = (
        f"Objectif : {fmt.percent(t['share'])} des achats ({t['perimeter_label']}) auprès "
        f"des start-up en {t['year']}. En {r['year']}, la part en valeur sur ce périmètre "
        f"est de {fmt.percent(t['current_share'])} ({fmt.euros(t['amount_startup'])} sur "
        f"{fmt.euros(t['amount_total'])}). "
    )
    if t["current_share"] is None:
        text += "Aucun montant valide sur ce périmètre : l'écart ne peut pas être calculé."
    else:
        text += (
            f"Écart : {fmt.points(t['gap_points'])}, soit {fmt.euros(t['gap_amount'])} "
            f"au volume de {r['year']}."
        )
    paragraph(pdf, text)


def coverage(pdf: FPDF, r: dict) -> None:
    c = r["coverage"]
    paragraph(
        pdf,
        f"En {r['year']}, {fmt.count(c['buyers_publishing'])} acheteurs ont publié "
        f"des contrats. Titulaires identifiés par un SIREN valide : "
        f"{fmt.percent(c['valid_siren_share'])} ({fmt.count(c['suppliers_valid_siren'])} "
        f"sur {fmt.count(c['suppliers'])}). Acheteurs silencieux en {r['year']} : "
        f"{fmt.count(len(c['silent_buyers']))}.",
    )
    rows = [
        (
            row["label"],
            str(row["year"]),
            fmt.count(row["contracts"]),
            fmt.count(row["buyers"]),
            row["first_publication"] or "–",
            row["last_publication"] or "–",
            fmt.percent(row["valid_siren_share"]),
        )
        for row in c["perimeters"]
    ]
    table(
        pdf,
        (
            "Périmètre",
            "Année",
            "Contrats",
            "Acheteurs",
            "Première publ.",
            "Dernière publ.",
            "SIREN valides",
        ),
        rows,
        widths=(50, 14, 18, 18, 24, 24, 18),
    )


def sensitivity(pdf: FPDF, r: dict) -> None:
    rows = [
        {**row, "label": f"{row['definition']} (v{row['version']})"} for row in r["sensitivity"]
    ]
    figures_table(pdf, "Définition", rows)


def render_pdf(r: dict, path: Path) -> Path:
    pdf = new_pdf()
    charts = charts_of(r)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(
        0,
        7,
        f"Baromètre {r['year']} de la part des start-up dans la commande publique",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    paragraph(
        pdf,
        f"Périmètre : {r['perimeter_label']} · définition des start-up : "
        f"{r['definition']} (version {r['definition_version']}) · source : DECP.",
    )
    heading(pdf, "Chiffres clés")
    headline(pdf, r)
    heading(pdf, "Objectif de l'État")
    target(pdf, r)
    heading(pdf, "Évolution")
    line_chart(pdf, charts["trend"])
    figures_table(pdf, "Année", [{"label": str(row["year"]), **row} for row in r["trend"]])
    sections = (
        ("perimeter", "perimeters"),
        ("ministry", "ministries"),
        ("buyer", "top_buyers"),
        ("cpv_division", "cpv_divisions"),
    )
    for name, chart in sections:
        heading(pdf, BREAKDOWNS[name])
        if not isinstance(charts[chart], LineChart):
            bar_chart(pdf, charts[chart])
        figures_table(pdf, "", r["breakdowns"][name])
    for name in ("procedure", "nature", "region", "amount_band", "innovative"):
        heading(pdf, BREAKDOWNS[name])
        figures_table(pdf, "", r["breakdowns"][name])
    heading(pdf, "Sensibilité à la définition des start-up")
    sensitivity(pdf, r)
    heading(pdf, "Couverture des données")
    coverage(pdf, r)
    heading(pdf, "Méthode")
    for title, text in METHOD:
        paragraph(pdf, f"{title}. {text}", 8)
    pdf.output(str(path))
    return path
