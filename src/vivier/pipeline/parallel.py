"""Reading one award file into its spool (Parquet files), in worker processes when large.

Framed JSON (`vivier.sources.linejson`): the file's chunks (byte ranges) are handed out
to the workers through a queue; each worker parses and normalises its chunks and appends
them to its own spool files, so no record is parsed twice. Other files are read by the
streaming reader: in-process, or by workers that each stream the whole file and keep
the records whose index falls in their shard (index % workers). Staged records carry
their place in the file (a seq), so the merge keeps "first occurrence in the file wins"
whatever the order the batches were written in.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from queue import Empty

from vivier.errors import SourceError, VivierError
from vivier.sources import get_reader
from vivier.sources.linejson import Chunk, NotFramed, Plan, read_chunk
from vivier.sources.normalise import ReadContext
from vivier.warehouse.awards import ArrowBatch, Staged, arrow_batch, arrow_batches
from vivier.warehouse.spool import SpoolWriter

STREAM_BATCH_SIZE = 20_000  # records per batch of the streaming readers

Progress = Callable[..., None]


def framed_batch(plan: Plan, chunk: Chunk, context: ReadContext) -> ArrowBatch:
    """One chunk, parsed and normalised, as one Arrow batch."""
    return arrow_batch(read_chunk(plan, chunk, context))


def _counts(batch: ArrowBatch) -> ArrowBatch:
    """The batch without its tables (what the parent needs to know)."""
    return replace(batch, tables={})


def _relaxed_gc() -> None:
    gc.set_threshold(200_000, 50, 1_000)  # see vivier.pipeline.ingest.relaxed_gc


def _framed_job(plan: Plan, context: ReadContext, folder: Path, tag: str, tasks, results):
    _relaxed_gc()
    writer = SpoolWriter(folder, tag)
    try:
        while (chunk := tasks.get()) is not None:
            batch = framed_batch(plan, chunk, context)
            writer.write(batch.tables)
            results.put(("batch", (chunk.number, _counts(batch))))
        writer.close()
        results.put(("done", tag))
    except NotFramed as error:
        results.put(("not-framed", str(error)))
    except Exception as error:  # reported to the parent, which fails the file
        results.put(("error", _message(plan.path, error)))


def _stream_job(name: str, path: Path, context: ReadContext, folder: Path, tag: str, results):
    _relaxed_gc()
    writer = SpoolWriter(folder, tag)
    try:
        records = get_reader(name).read(path, context)
        for batch in arrow_batches(records, STREAM_BATCH_SIZE):
            writer.write(batch.tables)
            results.put(("batch", (0, _counts(batch))))
        writer.close()
        results.put(("done", tag))
    except Exception as error:  # reported to the parent, which fails the file
        results.put(("error", _message(path, error)))


def _message(path: Path, error: Exception) -> str:
    if isinstance(error, VivierError):
        return str(error)
    return f"{path} : erreur inattendue ({type(error).__name__} : {error})"


def read_framed(
    plan: Plan, context: ReadContext, workers: int, folder: Path, progress: Progress | None
) -> Staged:
    """Parse and normalise every chunk into the spool; raises NotFramed (spool to clear)."""
    staged = Staged()
    if workers <= 1:
        writer = SpoolWriter(folder, "main")
        for chunk in plan.chunks:
            batch = framed_batch(plan, chunk, context)
            writer.write(batch.tables)
            _add(staged, chunk.number, batch, progress)
        writer.close()
        return staged
    mp = multiprocessing.get_context("spawn")
    tasks, results = mp.Queue(), mp.Queue()
    for chunk in plan.chunks:
        tasks.put(chunk)
    processes = []
    for k in range(workers):
        tasks.put(None)
        args = (plan, context, folder, f"w{k}", tasks, results)
        processes.append(mp.Process(target=_framed_job, args=args, daemon=True))
    _run(processes, results, plan.path, staged, progress)
    return staged


def read_streaming(
    name: str,
    path: Path,
    context: ReadContext,
    workers: int,
    folder: Path,
    progress: Progress | None,
) -> Staged:
    """Read the file with its streaming reader into the spool (sharded over workers)."""
    staged = Staged()
    if workers <= 1:
        writer = SpoolWriter(folder, "main")
        for batch in arrow_batches(get_reader(name).read(path, context), STREAM_BATCH_SIZE):
            writer.write(batch.tables)
            _add(staged, 0, batch, progress)
        writer.close()
        return staged
    mp = multiprocessing.get_context("spawn")
    results = mp.Queue()
    processes = [
        mp.Process(
            target=_stream_job,
            args=(name, path, replace(context, shard=k, shards=workers), folder, f"w{k}", results),
            daemon=True,
        )
        for k in range(workers)
    ]
    _run(processes, results, path, staged, progress)
    return staged


def _add(staged: Staged, chunk: int, batch: ArrowBatch, progress: Progress | None) -> None:
    staged.add(batch, chunk)
    if progress:
        progress(batch.read)


def _run(processes: list, results, path: Path, staged: Staged, progress) -> None:
    """Start the workers and gather their messages until each is done; fails the file
    (SourceError) when one reports an error or dies without a word."""
    for process in processes:
        process.start()
    try:
        running = len(processes)
        while running:
            kind, payload = _next(results, processes, path)
            if kind == "batch":
                _add(staged, payload[0], payload[1], progress)
            elif kind == "done":
                running -= 1
            elif kind == "not-framed":
                raise NotFramed(payload)
            else:
                raise SourceError(payload)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def _next(results, processes: list, path: Path) -> tuple[str, object]:
    """The next message; an error if a worker died without saying why."""
    while True:
        try:
            return results.get(timeout=1.0)
        except Empty:
            dead = [p for p in processes if not p.is_alive() and p.exitcode != 0]
            if not dead:
                continue
        try:  # it may have exited right after its last message
            return results.get(timeout=1.0)
        except Empty:
            message = f"un processus de lecture s'est arrêté (code {dead[0].exitcode})"
            return ("error", f"{path} : {message}")
