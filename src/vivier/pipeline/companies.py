"""Company imports: SIRENE stock CSV (streamed) or recherche-entreprises JSON answers.

Every line read is either loaded or reported (rejects file next to the data), and the
buyers are reclassified at the end (their perimeter depends on the legal category).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from vivier.errors import NotFound, SourceError
from vivier.models import Reject
from vivier.pipeline.rejects import RejectsWriter
from vivier.sources import recherche_entreprises, sirene_stock
from vivier.warehouse import companies as company_store
from vivier.warehouse.buyers import refresh_buyers

Progress = Callable[..., None]
KEPT_REJECTS = 50  # rejects kept in the report (all of them go to the rejects file)


@dataclass
class ImportReport:
    """What an import did; `rejects` holds the first ones, `rejects_file` all of them."""

    path: str
    format: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejects_file: str | None = None
    buyers: int = 0

    def add_rejects(self, rejects: Iterable[Reject]) -> None:
        for reject in rejects:
            self.rejected += 1
            if len(self.rejects) < KEPT_REJECTS:
                self.rejects.append(reject)


def detect_format(path: Path) -> str:
    if not path.is_file():
        raise NotFound(f"Fichier introuvable : {path}")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if sirene_stock.looks_like(path, head):
        return sirene_stock.SOURCE
    if recherche_entreprises.looks_like(path, head):
        return recherche_entreprises.SOURCE
    raise SourceError(
        "format non reconnu : un fichier StockUniteLegale (CSV) ou une réponse JSON de "
        "recherche-entreprises est attendu",
        path=str(path),
    )


def import_companies(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    rejects_dir: Path,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one company file into `companies`, then refresh `buyers`."""
    path = Path(path)
    kind = detect_format(path)
    report = ImportReport(path=str(path), format=kind)
    writer = RejectsWriter(rejects_dir / f"{path.stem}-rejets.csv")
    try:
        if kind == sirene_stock.SOURCE:
            _import_stock(connection, path, report, writer, progress)
        else:
            records, rejects = recherche_entreprises.read(path)
            report.read = len(records) + len(rejects)
            report.loaded = company_store.upsert_rows(connection, records)
            report.add_rejects(rejects)
            writer.write(rejects)
            if progress:
                progress(report.read)
    finally:
        report.rejects_file = writer.close()
    report.buyers = refresh_buyers(connection)
    return report


def _import_stock(connection, path: Path, report: ImportReport, writer, progress) -> None:
    company_store.start_staging(connection)
    try:
        for batch in sirene_stock.read_batches(path):
            if batch.companies.num_rows:
                company_store.stage_batch(connection, batch.companies, report.read)
            report.read += batch.rows_read
            report.add_rejects(batch.rejects)
            writer.write(batch.rejects)
            if progress:
                progress(batch.rows_read)
        report.loaded = company_store.merge_staging(connection)
    except BaseException:
        company_store.abort_staging(connection)
        raise
