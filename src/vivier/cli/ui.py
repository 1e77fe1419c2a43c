"""Terminal rendering helpers: progress bars, tables, JSON output."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import orjson
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from vivier.cli.app import console, err_console


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """Yield a callback `advance(n=1, total=None, description=None)` drawing a bar on stderr."""
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(description, total=total, rate="")

        def advance(n: int = 1, total: int | None = None, description: str | None = None):
            if total is not None:
                progress.update(task, total=total)
            if description is not None:
                progress.update(task, description=description)
            progress.advance(task, n)
            elapsed = progress.tasks[0].elapsed or 0
            if elapsed > 0:
                done = progress.tasks[0].completed
                progress.update(task, rate=f"{done / elapsed:,.0f}/s".replace(",", " "))

        yield advance


def print_json(data: object) -> None:
    """Print JSON on stdout (no colours, no wrapping), for scripts."""
    console.file.write(
        orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
    )
    console.file.write("\n")
