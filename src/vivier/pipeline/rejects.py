"""Rejected lines of an import, written to a CSV file the user can open."""

from __future__ import annotations

import csv
from pathlib import Path

from vivier.models import Reject


class RejectsWriter:
    """Writes rejects to a CSV file, created only when there is a reject."""

    def __init__(self, path: Path):
        self.path = path
        self._handle = None
        self._writer = None

    def write(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["ligne", "motif", "valeur_lue"])
        for reject in rejects:
            self._writer.writerow([reject.record_index, reject.reason, reject.raw])

    def close(self) -> str | None:
        if self._handle is None:
            return None
        self._handle.close()
        return str(self.path)
