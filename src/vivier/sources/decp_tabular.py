"""The consolidated DECP tabular CSV: one row per contract × supplier (× modification).

Rows are grouped by national key (buyer id + contract id) into one record per contract,
with the distinct suppliers; the first row of a contract gives its values. Rows of one
contract need not be adjacent, so the groups are held in memory (CSV files are read
whole; use the JSON or XML formats for multi-GB files).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from vivier.errors import SourceError
from vivier.models import Contract, Reject
from vivier.sources import ReaderSpec
from vivier.sources.decp_record import raw_text, to_contract
from vivier.sources.jsonstream import looks_like_json
from vivier.sources.normalise import DEFAULT_CONTEXT, ReadContext

SOURCE = "decp-tabulaire"
REQUIRED = ("id", "acheteur_id")
# CSV column → DECP field (contract level).
FIELDS = {
    "id": "id",
    "objet": "objet",
    "nature": "nature",
    "codeCPV": "codeCPV",
    "procedure": "procedure",
    "montant": "montant",
    "dateNotification": "dateNotification",
    "datePublicationDonnees": "datePublicationDonnees",
    "dureeMois": "dureeMois",
    "offresRecues": "offresRecues",
    "formePrix": "formePrix",
    "marcheInnovant": "marcheInnovant",
    "source": "source",
}


def detect(path: Path, head: bytes) -> bool:
    first_line = head.split(b"\n", 1)[0]
    return not looks_like_json(head) and b"acheteur_id" in first_line


def _check_header(header: list[str], path: Path) -> None:
    if all(column in header for column in REQUIRED):
        return
    line = ",".join(header)
    for separator, name in ((";", "point-virgule"), ("\t", "tabulation"), ("|", "barre")):
        if separator in line:
            raise SourceError(
                f"séparateur « {name} » trouvé, ce format attend des virgules",
                path=str(path),
                where="la ligne 1",
            )
    missing = ", ".join(REQUIRED)
    message = f"colonnes obligatoires absentes ({missing})"
    raise SourceError(message, path=str(path), where="la ligne 1")


def _record_of(row: dict[str, str]) -> dict:
    record: dict = {key: row[column] for column, key in FIELDS.items() if row.get(column)}
    record["acheteur"] = {"id": row.get("acheteur_id"), "nom": row.get("acheteur_nom")}
    record["lieuExecution"] = {
        "code": row.get("lieuExecution_code"),
        "typeCode": row.get("lieuExecution_typeCode"),
    }
    record["titulaires"] = []
    return record


def _add_supplier(record: dict, row: dict[str, str]) -> None:
    supplier_id = (row.get("titulaire_id") or "").strip()
    if not supplier_id or any(s["id"] == supplier_id for s in record["titulaires"]):
        return
    record["titulaires"].append(
        {
            "id": supplier_id,
            "typeIdentifiant": row.get("titulaire_typeIdentifiant") or "SIRET",
            "denominationSociale": row.get("titulaire_nom"),
        }
    )


def read(path: Path, context: ReadContext = DEFAULT_CONTEXT) -> Iterator[Contract | Reject]:
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise SourceError(f"lecture impossible ({error})", path=str(path)) from None
    groups: dict[tuple[str, str], tuple[int, dict, int]] = {}
    rejects: list[Reject] = []
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, [])
            _check_header(header, path)
            for index, values in enumerate(reader):
                if len(values) != len(header):
                    reason = f"ligne de {len(values)} colonnes, {len(header)} attendues"
                    rejects.append(Reject(index, reason, raw_text(values)))
                    continue
                row = dict(zip(header, values, strict=True))
                key = (row["acheteur_id"].strip(), row["id"].strip())
                if key not in groups:
                    groups[key] = (index, _record_of(row), 0)
                first, record, rows = groups[key]
                groups[key] = (first, record, rows + 1)
                _add_supplier(record, row)
        except (csv.Error, UnicodeDecodeError) as error:
            raise SourceError(
                f"CSV illisible ({error})", path=str(path), where=f"la ligne {reader.line_num}"
            ) from None
    yield from rejects
    for first, record, rows in groups.values():
        item = to_contract(record, first, SOURCE, "marche", context)
        if isinstance(item, Contract):
            item.source_rows = rows
            yield item
        else:
            yield item
            for extra in range(rows - 1):
                yield Reject(first, f"{item.reason} (ligne supplémentaire {extra + 2})", item.raw)


SPEC = ReaderSpec(
    name="decp-tabular",
    kind="awards",
    detect=detect,
    read=read,
    description="DECP consolidé tabulaire (CSV, une ligne par marché × titulaire)",
)
