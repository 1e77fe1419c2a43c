"""Demo step: ingest the bundled TED and BOAMP notices and show the tenders loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vivier.config import Settings
from vivier.pipeline.ingest import ingest_paths
from vivier.warehouse import open_warehouse
from vivier.warehouse import tenders as tender_queries

SHOWN = 5


def tender_files(demo_data: Path) -> list[Path]:
    """Every bundled TED (eForms, legacy) and BOAMP (XML, JSON) notice file."""
    patterns = ["ted-eforms/*/*.xml", "ted-eforms/*/*/*.xml", "boamp/*/*"]
    return sorted(path for pattern in patterns for path in demo_data.glob(pattern))


def tenders_step(settings: Settings) -> Iterator[str]:
    from vivier.pipeline.demo import demo_data_dir

    report = ingest_paths(settings, tender_files(demo_data_dir()))
    read = sum(f.read for f in report.files)
    loaded = sum(f.loaded for f in report.files)
    rejected = sum(f.rejected for f in report.files)
    duplicates = sum(f.duplicates for f in report.files)
    yield (
        f"TED et BOAMP : {len(report.files)} fichiers d'avis — {read} avis lus, {loaded} "
        f"chargés, {rejected} rejetés (avec leur motif), {duplicates} doublons."
    )
    with open_warehouse(settings, read_only=True) as connection:
        reference = connection.execute("SELECT max(publication_date) FROM tenders").fetchone()[0]
        if reference is None:
            return
        counts = tender_queries.tender_counts(connection, reference)
        lots = tender_queries.list_tenders(connection, reference, status="open", limit=SHOWN)
    yield (
        f"Lots au {reference:%d/%m/%Y} (date du dernier avis) : {counts.get('open', 0)} "
        f"ouverts, {counts.get('closed', 0)} clos, {counts.get('unknown', 0)} sans date "
        "limite connue. Premiers lots ouverts :"
    )
    for lot in lots:
        title = (lot["title"] or "(sans titre)")[:80]
        buyer = lot["buyer_name"] or "acheteur inconnu"
        yield f"  - {title} — {buyer} — limite {lot['deadline']:%d/%m/%Y}"
    yield "  (vivier tenders list, vivier match tenders SIREN, vivier alerts add/run)"
    yield from _match_example(settings)


def _match_example(settings: Settings) -> Iterator[str]:
    """The best-suited start-up of the lists for the lots open in France on the busiest day."""
    from vivier.match.tenders import best_example

    with open_warehouse(settings, read_only=True) as connection:
        day = tender_queries.busiest_day(connection)
    ranking = best_example(settings, day) if day else None
    if ranking is None:
        return
    who = f"{ranking.name} ({ranking.siren})" if ranking.name else ranking.siren
    yield (
        f"Exemple de mise en relation au {day:%d/%m/%Y} : vivier match tenders "
        f"{ranking.siren} --open-on {day.isoformat()}"
    )
    match = ranking.matches[0]
    yield f"  {who} → {match.lot['title'] or '(sans titre)'} (score {match.score:.2f})"
    for reason in match.reasons:
        yield f"    • {reason}"
