"""Sharded reading of one large file in worker processes (uses both cores).

Each worker streams the whole file but normalises only the records whose index falls
in its shard (index % shards == shard), groups them into Arrow batches and sends them
to the parent, which loads them into DuckDB in its one transaction. Parsing is cheap
(C); normalising is the costly part, and it is what gets split.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from queue import Empty

import pyarrow as pa

from vivier.errors import SourceError, VivierError
from vivier.sources import get_reader
from vivier.sources.normalise import ReadContext
from vivier.warehouse.awards import ArrowBatch, arrow_batches

QUEUE_DEPTH = 2  # batches waiting per worker: bounds the parent's memory


def _work(name: str, path: str, context: ReadContext, batch_size: int, queue) -> None:
    gc.set_threshold(200_000, 50, 1_000)  # see vivier.pipeline.ingest.relaxed_gc
    try:
        records = get_reader(name).read(Path(path), context)
        for batch in arrow_batches(records, batch_size):
            queue.put(("batch", batch))
        queue.put(("done", None))
    except VivierError as error:
        queue.put(("error", str(error)))
    except Exception as error:  # reported to the parent, which fails the file
        queue.put(("error", f"{path} : erreur inattendue ({type(error).__name__} : {error})"))


def _next(queue, process, path: Path) -> tuple[str, object]:
    """The worker's next message; an error if it died without saying why."""
    while True:
        try:
            return queue.get(timeout=1.0)
        except Empty:
            if process.is_alive():
                continue
        try:  # it may have exited right after its last message
            return queue.get(timeout=1.0)
        except Empty:
            message = f"un processus de lecture s'est arrêté (code {process.exitcode})"
            return ("error", f"{path} : {message}")


def merge(batches: list[ArrowBatch]) -> ArrowBatch:
    """The k-th batches of all workers cover the same range of records: loading them as
    one batch keeps "first occurrence in the file wins" for duplicates, as in-process."""
    if len(batches) == 1:
        return batches[0]
    return ArrowBatch(
        tables={
            name: pa.concat_tables([batch.tables[name] for batch in batches])
            for name in batches[0].tables
        },
        read=sum(batch.read for batch in batches),
        contracts=sum(batch.contracts for batch in batches),
        rejected=sum(batch.rejected for batch in batches),
        extra_rows=sum(batch.extra_rows for batch in batches),
    )


def sharded_batches(
    name: str, path: Path, context: ReadContext, workers: int, batch_size: int
) -> Iterator[ArrowBatch]:
    """Arrow batches of the file, read by `workers` processes (each a shard of records)."""
    mp = multiprocessing.get_context("spawn")
    queues = [mp.Queue(maxsize=QUEUE_DEPTH) for _ in range(workers)]
    processes = [
        mp.Process(
            target=_work,
            args=(name, str(path), replace(context, shard=k, shards=workers), batch_size, q),
            daemon=True,
        )
        for k, q in enumerate(queues)
    ]
    for process in processes:
        process.start()
    try:
        active = list(range(workers))
        while active:
            round_batches = []
            for k in list(active):
                kind, payload = _next(queues[k], processes[k], path)
                if kind == "batch":
                    round_batches.append(payload)
                elif kind == "done":
                    active.remove(k)
                else:
                    raise SourceError(payload)
            if round_batches:
                yield merge(round_batches)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
