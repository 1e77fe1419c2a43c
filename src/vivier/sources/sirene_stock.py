"""The official SIRENE stock file of legal units (`StockUniteLegale*.csv`), streamed.

28 million rows in real life: the file is read in Arrow batches (only the columns used),
normalised with vectorised operations, and each batch comes with the rejected lines
(bad SIREN) so that nothing is silently dropped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from vivier.errors import SourceError
from vivier.models import Reject
from vivier.sources.siren_check import siren_or_reason

SOURCE = "sirene_stock"
# Official column names used (the stock has about 35 columns; the others are skipped).
USED_COLUMNS = (
    "siren",
    "dateCreationUniteLegale",
    "denominationUniteLegale",
    "sigleUniteLegale",
    "nomUniteLegale",
    "prenomUsuelUniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "categorieEntreprise",
    "trancheEffectifsUniteLegale",
    "etatAdministratifUniteLegale",
)
BLOCK_SIZE = 8 << 20
# Luhn: from the left, the digits at odd positions (1, 3, 5, 7) of a SIREN are doubled.
_DOUBLED = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0], dtype=bool)


@dataclass
class StockBatch:
    """Normalised companies of one batch (Arrow table), its rejects and rows read."""

    companies: pa.Table
    rejects: list[Reject]
    rows_read: int


def looks_like(path: Path, head: bytes) -> bool:
    first_line = head.split(b"\n", 1)[0]
    return path.suffix.lower() in (".csv", ".txt") or b"UniteLegale" in first_line


def header_of(path: Path) -> tuple[list[str], str, str]:
    """(column names, delimiter, encoding) read from the first line."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    encoding = "utf8"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # not merely a character cut by the sample end
            encoding = "latin1"
    first = sample.split(b"\n", 1)[0].decode(encoding.replace("utf8", "utf-8")).strip("\r\ufeff")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    names = [name.strip().strip('"') for name in first.split(delimiter)]
    if "siren" not in names:
        raise SourceError(
            "ligne 1 : colonne « siren » introuvable ; un fichier StockUniteLegale "
            f"(séparateur « , ») est attendu (colonnes lues : {', '.join(names[:8])}…)",
            path=str(path),
        )
    return names, delimiter, encoding


def read_batches(path: Path) -> Iterator[StockBatch]:
    """Stream the stock file as normalised batches; malformed lines become rejects."""
    names, delimiter, encoding = header_of(path)
    present = [column for column in USED_COLUMNS if column in names]
    malformed: deque[Reject] = deque()  # filled by the parser (possibly another thread)

    def reject_row(row) -> str:
        line = row.number if row.number is not None else 0
        malformed.append(
            Reject(
                line,
                f"ligne {line} : {row.actual_columns} champs au lieu de {row.expected_columns}",
                row.text[:500],
            )
        )
        return "skip"

    first_line = 2  # line 1 is the header
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                block_size=BLOCK_SIZE, encoding=encoding, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=reject_row),
            convert_options=pacsv.ConvertOptions(
                include_columns=present,
                column_types={column: pa.string() for column in present},
                strings_can_be_null=True,
            ),
        )
        for batch in reader:
            result = normalise(batch, first_line)
            taken = _drain(malformed)
            result.rejects[:0], result.rows_read = taken, batch.num_rows + len(taken)
            first_line += result.rows_read
            yield result
        taken = _drain(malformed)
        if taken:
            yield StockBatch(pa.table({}), taken, len(taken))
    except pa.ArrowInvalid as error:
        raise SourceError(
            f"CSV illisible vers la ligne {first_line} ({error})", str(path)
        ) from None


def _drain(queue: deque) -> list:
    taken = []
    while queue:
        taken.append(queue.popleft())
    return taken


def _column(batch: pa.RecordBatch, name: str) -> pa.Array:
    index = batch.schema.get_field_index(name)
    if index < 0:
        return pa.nulls(batch.num_rows, pa.string())
    return batch.column(index)


def valid_sirens(sirens: pa.Array) -> np.ndarray:
    """Boolean mask: 9 digits and the Luhn check (vectorised)."""
    shaped = pc.fill_null(pc.match_substring_regex(sirens, r"^[0-9]{9}$"), False)
    mask = np.asarray(shaped.to_numpy(zero_copy_only=False), dtype=bool)
    if not mask.any():
        return mask
    padded = pc.if_else(pa.array(mask), sirens, pa.scalar("000000000"))
    offsets = np.frombuffer(padded.buffers()[1], dtype=np.int32)
    begin = int(offsets[padded.offset])
    data = np.frombuffer(padded.buffers()[2], dtype=np.uint8)
    digits = (data[begin : begin + 9 * len(mask)].reshape(-1, 9) - 48).astype(np.int16)
    doubled = digits * 2
    digits = np.where(_DOUBLED, np.where(doubled > 9, doubled - 9, doubled), digits)
    return mask & (digits.sum(axis=1) % 10 == 0)


def normalise(batch: pa.RecordBatch, first_line: int) -> StockBatch:
    sirens = pc.utf8_trim_whitespace(_column(batch, "siren"))
    mask = valid_sirens(sirens)
    rejects = [
        Reject(first_line + int(i), f"ligne {first_line + int(i)} : {reason}", str(raw))
        for i in np.flatnonzero(~mask)
        for raw in [sirens[int(i)].as_py()]
        for reason in [siren_or_reason(raw)[1]]
    ]
    keep = pa.array(mask)
    person = pc.binary_join_element_wise(
        _column(batch, "prenomUsuelUniteLegale"), _column(batch, "nomUniteLegale"), " "
    )
    name = pc.coalesce(
        _column(batch, "denominationUniteLegale"),
        pc.coalesce(person, _column(batch, "nomUniteLegale")),
        _column(batch, "sigleUniteLegale"),
    )
    size = _column(batch, "categorieEntreprise")
    state = _column(batch, "etatAdministratifUniteLegale")
    created = pc.strptime(
        _column(batch, "dateCreationUniteLegale"), format="%Y-%m-%d", unit="s", error_is_null=True
    )
    table = pa.table(
        {
            "siren": sirens,
            "name": name,
            "created_on": pc.cast(created, pa.date32()),
            "naf": _column(batch, "activitePrincipaleUniteLegale"),
            "legal_category": _column(batch, "categorieJuridiqueUniteLegale"),
            "size_category": pc.if_else(pc.is_in(size, pa.array(["PME", "ETI", "GE"])), size, None),
            "headcount_band": _column(batch, "trancheEffectifsUniteLegale"),
            "active": pc.if_else(
                pc.equal(state, "A"), True, pc.if_else(pc.equal(state, "C"), False, None)
            ),
            "departement": pa.nulls(batch.num_rows, pa.string()),
            "region": pa.nulls(batch.num_rows, pa.string()),
            "source": pa.array([SOURCE] * batch.num_rows, pa.string()),
        }
    ).filter(keep)
    return StockBatch(table, rejects, batch.num_rows)
