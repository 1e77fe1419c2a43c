"""Ingest: detect each file's format, stream it through its reader, load it (one
transaction per file), and summarise per file.

Readers of kind "awards" are normalised into a spool of Parquet files (`pipeline.parallel`,
outside the transaction) and merged in the file's transaction (`awards.merge_staged`); other kinds
load inside the transaction through `LOADERS`, which maps a kind to its loader (kind
"tenders": `vivier.warehouse.tenders.load_tenders`; add one line to plug a new kind).
`POST_INGEST_HOOKS` run once at the end of each ingest run, with the open warehouse
connection (e.g. refreshing derived tables).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vivier import sources, warehouse
from vivier.config import Settings
from vivier.errors import SourceError
from vivier.pipeline.parallel import read_framed, read_streaming
from vivier.sources import linejson
from vivier.sources.normalise import ReadContext
from vivier.warehouse import files, spool
from vivier.warehouse.awards import empty_batch, load_awards, merge_staged
from vivier.warehouse.buyers import refresh_buyers

log = logging.getLogger(__name__)

Progress = Callable[..., None]  # progress(n=..., description=...)
PROGRESS_EVERY = 5_000
PARALLEL_MIN_BYTES = 32 * 1024 * 1024  # smaller files are read in-process
HASH_BLOCK = 8 << 20


def _load_awards(connection, records, file_id, settings: Settings):
    return load_awards(connection, records, file_id)


def _load_tenders(connection, records, file_id, settings: Settings):
    from vivier.warehouse.tenders import load_tenders

    return load_tenders(connection, records, file_id, settings.absurd_amount)


# kind → loader(connection, records, file_id, settings) returning an object with
# read / loaded / rejected / duplicates counts.
LOADERS: dict[str, Callable] = {
    "awards": _load_awards,
    "tenders": _load_tenders,
}

# Called as hook(connection) at the end of every ingest run (after all files).
POST_INGEST_HOOKS: list[Callable] = [refresh_buyers]


@dataclass
class FileSummary:
    path: str
    format: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    already_ingested: bool = False

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("already_ingested")
        return data


@dataclass
class IngestReport:
    files: list[FileSummary] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"files": [summary.as_json() for summary in self.files]}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_BLOCK):
            digest.update(chunk)  # releases the GIL: runs beside the plan (`_digest_and_plan`)
    return digest.hexdigest()


def _framed_plan(spec: sources.ReaderSpec, path: Path) -> linejson.Plan | None:
    """The chunks of a framed JSON award file, or None (read it with its streaming reader)."""
    if spec.name not in linejson.FRAMES or zipfile.is_zipfile(path):
        return None
    try:
        return linejson.plan(path, spec.name)
    except linejson.NotFramed as why:
        log.info("%s: read by the streaming reader (%s)", path, why)
        return None


def _digest_and_plan(spec: sources.ReaderSpec, path: Path) -> tuple[str, linejson.Plan | None]:
    """The file's sha256 and its framed plan, computed at the same time (two passes over
    the file: the hash in a thread, the plan's separator search in this one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(sha256_of, path)
        framed = _framed_plan(spec, path)
        return hashing.result(), framed


def _counted(records: Iterable, progress: Progress | None) -> Iterator:
    """Pass records through, reporting progress every PROGRESS_EVERY records."""
    if progress is None:
        yield from records
        return
    pending = 0
    for record in records:
        yield record
        pending += 1
        if pending == PROGRESS_EVERY:
            progress(pending)
            pending = 0
    progress(pending)


@contextmanager
def relaxed_gc():
    """Collect garbage rarely while streaming: records are acyclic, and the collector's
    frequent passes over millions of young objects cost a third of the reading time."""
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _parallel(spec: sources.ReaderSpec, path: Path, settings: Settings) -> bool:
    """Large award files are read by several worker processes."""
    return (
        spec.kind == "awards"
        and spec.shardable
        and settings.ingest_workers > 1
        and path.stat().st_size >= PARALLEL_MIN_BYTES
    )


def _finish(connection, file_id: int, counts) -> None:
    files.finish_file(
        connection, file_id, counts.read, counts.loaded, counts.rejected, counts.duplicates
    )


class _Tally:
    """A progress callback that also counts what it was told (to undo it on a restart)."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.count = 0

    def __call__(self, n: int = 1, **fields) -> None:
        self.count += n
        if self.progress:
            self.progress(n, **fields)


def _read_to_spool(spec, path: Path, framed, context, settings: Settings, folder, progress):
    """Framed JSON (a plan) through the chunked fast path; any other file, or a framed
    file that turns out not to be, through the streaming reader (from the start, spool
    cleared)."""
    workers = settings.ingest_workers if _parallel(spec, path, settings) else 1
    if framed is not None:
        tally = _Tally(progress)
        try:
            return read_framed(framed, context, workers, folder, tally)
        except linejson.NotFramed as why:
            log.info("%s: read by the streaming reader (%s)", path, why)
            spool.clear(folder)
            if progress:  # the records counted by the abandoned attempt are read again
                progress(-tally.count, description=f"{path.name} ({spec.name}, lecture en flux)")
    return read_streaming(spec.name, path, context, workers, folder, progress)


def _ingest_awards(connection, settings, spec, path, digest, framed, context, progress):
    """Award files are normalised into a spool (Parquet files under the data
    directory), then merged in the file's one transaction: on any error the warehouse is
    unchanged and the spool is removed."""
    with spool.spool_folder(settings.home) as folder:
        staged = _read_to_spool(spec, path, framed, context, settings, folder, progress)
        names = spool.register(connection, folder, empty_batch())
        try:
            with files.transaction(connection):
                file_id = files.register_file(connection, str(path), digest, spec.name)
                counts = merge_staged(connection, staged, file_id)
                _finish(connection, file_id, counts)
        finally:
            spool.unregister(connection, names)
    return counts


def ingest_file(
    connection, settings: Settings, path: Path, fmt: str | None, progress: Progress | None
) -> FileSummary:
    """Ingest one file in its own transaction; raises SourceError (nothing kept) on failure."""
    if path.is_dir():
        raise SourceError("c'est un répertoire : donnez les fichiers à charger", path=str(path))
    if not path.is_file():
        raise SourceError("fichier introuvable", path=str(path))
    spec = sources.get_reader(fmt) if fmt else sources.detect_reader(path)
    digest, framed = _digest_and_plan(spec, path)
    summary = FileSummary(path=str(path), format=spec.name)
    if files.known_file(connection, digest) is not None:
        summary.already_ingested = True
        return summary
    if progress:
        progress(0, description=f"{path.name} ({spec.name})")
    context = ReadContext(absurd_amount=settings.absurd_amount, rows=True)
    with relaxed_gc():
        if spec.kind == "awards":
            counts = _ingest_awards(
                connection, settings, spec, path, digest, framed, context, progress
            )
        else:
            with files.transaction(connection):
                file_id = files.register_file(connection, str(path), digest, spec.name)
                records = _counted(spec.read(path, context), progress)
                counts = LOADERS[spec.kind](connection, records, file_id, settings)
                _finish(connection, file_id, counts)
    for name in ("read", "loaded", "rejected", "duplicates"):
        setattr(summary, name, getattr(counts, name))
    log.info("ingested %s: %s", path, summary)
    return summary


def ingest_paths(
    settings: Settings,
    paths: Iterable[Path | str],
    fmt: str | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest every file; a failing file is rolled back and reported, the others load."""
    report = IngestReport()
    if fmt:
        sources.get_reader(fmt)  # an unknown --format fails before anything is read
    with warehouse.open_warehouse(settings) as connection:
        files.tune_for_bulk_load(connection, settings.ingest_memory_limit)
        spool.remove_stale(settings.home)
        for path in map(Path, paths):
            try:
                report.files.append(ingest_file(connection, settings, path, fmt, progress))
            except SourceError as error:
                report.errors.append(error)
            except OSError as error:
                report.errors.append(SourceError(f"lecture impossible ({error})", str(path)))
        for hook in POST_INGEST_HOOKS:
            hook(connection)
    return report


DEMO_SUFFIXES = {".json", ".xml", ".csv", ".zip"}


def demo_files(demo_dir: Path) -> list[Path]:
    """The bundled DECP sample files (demo_data/decp-*), in a stable order."""
    return sorted(
        path
        for folder in sorted(demo_dir.glob("decp-*"))
        for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in DEMO_SUFFIXES
    )


def demo_step(settings: Settings) -> Iterator[str]:
    """Demo step: ingest the bundled DECP samples and say what was loaded."""
    from vivier.pipeline.demo import demo_data_dir

    paths = demo_files(demo_data_dir())
    report = ingest_paths(settings, paths)
    totals = {name: 0 for name in ("read", "loaded", "rejected", "duplicates")}
    for summary in report.files:
        for name in totals:
            totals[name] += getattr(summary, name)
    yield (
        f"DECP : {len(report.files)} fichiers d'exemple chargés — {totals['read']} "
        f"enregistrements lus, {totals['loaded']} marchés chargés, {totals['rejected']} "
        f"rejetés (avec leur motif), {totals['duplicates']} doublons."
    )
    for error in report.errors:
        yield f"Erreur : {error}"
