"""Test helpers for the matching tests: put small, real-shaped data into a warehouse.

`load_decp_2019` uses the project's ingest (`vivier.pipeline.ingest.ingest_paths`) when it
exists, and otherwise a minimal reader of the 2019 DECP JSON that fills only the columns
the matching engine reads. `insert_startups` writes rows of `startup_members` directly.
"""

from __future__ import annotations

import json
from pathlib import Path

from vivier.codes import check_siret, normalise_cpv, siren_of
from vivier.config import Settings
from vivier.warehouse import open_warehouse

DECP_2019 = ("data.gouv.fr_aife.json", "data.gouv.fr_pes.json", "e-marchespublics.json")


def load_decp_2019(settings: Settings, folder: Path) -> None:
    paths = [folder / name for name in DECP_2019]
    try:
        from vivier.pipeline.ingest import ingest_paths
    except ImportError:
        ingest_paths = None
    if ingest_paths is not None:
        ingest_paths(settings, paths)
        return
    contracts, suppliers = [], []
    for path in paths:
        for record in json.loads(path.read_text(encoding="utf-8", errors="replace"))["marches"]:
            _read_record(record, contracts, suppliers)
    contract_columns = (
        "uid",
        "buyer_siret",
        "buyer_siren",
        "buyer_name",
        "object",
        "cpv",
        "notification_date",
        "place_code",
    )
    supplier_columns = ("uid", "position", "siret", "siren", "name")
    new_contracts = _table(contract_columns, contracts)
    new_suppliers = _table(supplier_columns, suppliers)
    with open_warehouse(settings) as connection:
        connection.register("new_contracts", new_contracts)
        connection.register("new_suppliers", new_suppliers)
        connection.execute(
            f"INSERT INTO contracts ({', '.join(contract_columns)}) SELECT uid, buyer_siret,"
            " buyer_siren, buyer_name, object, cpv, TRY_CAST(notification_date AS DATE),"
            " place_code FROM (SELECT DISTINCT ON (uid) * FROM new_contracts)"
            " WHERE uid NOT IN (SELECT uid FROM contracts)"
        )
        connection.execute(
            f"INSERT INTO contract_suppliers ({', '.join(supplier_columns)})"
            " SELECT * FROM new_suppliers"
        )


def _table(columns: tuple, rows: list):
    import pyarrow as pa

    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})


def _read_record(record: dict, contracts: list, suppliers: list) -> None:
    buyer = record.get("acheteur") or {}
    buyer_siret = check_siret(buyer.get("id")).value
    uid = f"{buyer.get('id')}|{record.get('id')}"
    date = (record.get("dateNotification") or "")[:10] or None
    place = (record.get("lieuExecution") or {}).get("code")
    cpv = normalise_cpv(record.get("codeCPV")).value
    contracts.append(
        (
            uid,
            buyer_siret,
            siren_of(buyer_siret),
            buyer.get("nom"),
            record.get("objet"),
            cpv,
            date,
            place,
        )
    )
    for position, winner in enumerate(record.get("titulaires") or []):
        if not isinstance(winner, dict):
            continue
        siret = check_siret(winner.get("id")).value
        suppliers.append((uid, position, siret, siren_of(siret), winner.get("denominationSociale")))


def insert_startups(settings: Settings, rows: list[dict]) -> None:
    """Rows with keys label, siren, name, description, domain, region, year."""
    from vivier.warehouse.match import ensure_match_tables

    with open_warehouse(settings) as connection:
        ensure_match_tables(connection)
        connection.executemany(
            "INSERT INTO startup_members (label, siren, name, description, domain, region, year)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r["label"],
                    r["siren"],
                    r["name"],
                    r["description"],
                    r.get("domain"),
                    r.get("region"),
                    r.get("year"),
                )
                for r in rows
            ],
        )
