"""The warehouse schema, declared once as data. Each table: column name → DuckDB type.

Other modules of `vivier.warehouse` add their tables here (one entry per table).
"""

from __future__ import annotations

TABLES: dict[str, dict[str, str]] = {
    # One row per ingested file (provenance; re-ingesting the same content is a no-op).
    "ingest_files": {
        "file_id": "INTEGER PRIMARY KEY",
        "path": "VARCHAR",
        "sha256": "VARCHAR UNIQUE",
        "format": "VARCHAR",
        "ingested_at": "TIMESTAMP",
        "read": "INTEGER",
        "loaded": "INTEGER",
        "rejected": "INTEGER",
        "duplicates": "INTEGER",
    },
    # One row per contract; uid is the national key: buyer SIRET + '|' + contract id.
    # Unique by construction (the ingest merge is an anti-join on uid); no PRIMARY KEY:
    # its index cost a third of the merge's CPU (docs/ingest.md, Performance).
    "contracts": {
        "uid": "VARCHAR",
        "contract_id": "VARCHAR",
        "kind": "VARCHAR",  # 'marche' | 'concession'
        "buyer_id_raw": "VARCHAR",
        "buyer_siret": "VARCHAR",  # valid SIRET or NULL
        "buyer_siren": "VARCHAR",
        "buyer_name": "VARCHAR",
        "nature": "VARCHAR",
        "object": "VARCHAR",
        "cpv_raw": "VARCHAR",
        "cpv": "VARCHAR",  # 8 digits, known in CPV 2008, or NULL
        "procedure_raw": "VARCHAR",
        "procedure": "VARCHAR",  # one vocabulary, see vivier.sources.vocabulary
        "amount_raw": "VARCHAR",
        "amount": "DOUBLE",  # clean amount excl. VAT, NULL when flagged invalid
        "price_form": "VARCHAR",
        "duration_months": "DOUBLE",
        "notification_date_raw": "VARCHAR",
        "notification_date": "DATE",  # NULL when missing or impossible
        "publication_date": "DATE",
        "place_code": "VARCHAR",
        "place_type": "VARCHAR",
        "innovative": "BOOLEAN",
        "offers_received": "INTEGER",
        "source": "VARCHAR",  # first source that published it
        "file_id": "INTEGER",
        # Integer surrogate of uid, for joins (`contract_suppliers.cid`): file_id << 32 |
        # index of the record in its file (rows of older warehouses: see MIGRATIONS).
        "cid": "BIGINT",
    },
    # Every (contract, source) pair that published the contract: duplicates keep provenance.
    "contract_sources": {
        "uid": "VARCHAR",
        "source": "VARCHAR",
        "file_id": "INTEGER",
        "record_index": "BIGINT",
    },
    # Suppliers (titulaires) of a contract, several per contract.
    "contract_suppliers": {
        "uid": "VARCHAR",
        "position": "INTEGER",
        "id_raw": "VARCHAR",
        "id_type": "VARCHAR",
        "siret": "VARCHAR",  # valid SIRET or NULL
        "siren": "VARCHAR",  # valid SIREN (from SIRET or given) or NULL
        "name": "VARCHAR",
        "cid": "BIGINT",  # contracts.cid of `uid`
    },
    # Modifications, in their own table: contracts.amount stays the initial amount.
    "modifications": {
        "uid": "VARCHAR",
        "position": "INTEGER",
        "modification_id": "VARCHAR",
        "notification_date": "DATE",
        "publication_date": "DATE",
        "amount": "DOUBLE",
        "duration_months": "DOUBLE",
        "object": "VARCHAR",
        "raw": "VARCHAR",
    },
    # Quality flags: the raw value is kept, the clean value is in the entity's table (or NULL).
    "flags": {
        "uid": "VARCHAR",
        "entity": "VARCHAR",  # 'contract' | 'supplier' | 'tender' ...
        "field": "VARCHAR",
        "reason": "VARCHAR",
        "raw_value": "VARCHAR",
    },
    # Tender notices (TED, BOAMP): one row per notice; uid = source + ':' + notice id.
    "tender_notices": {
        "uid": "VARCHAR PRIMARY KEY",
        "source": "VARCHAR",  # 'ted' | 'boamp'
        "format": "VARCHAR",
        "notice_id": "VARCHAR",
        "kind": "VARCHAR",  # 'planning' | 'competition' | 'result' | 'other'
        "notice_type_raw": "VARCHAR",
        "procedure_raw": "VARCHAR",
        "procedure": "VARCHAR",
        "publication_date": "DATE",
        "issue_date": "DATE",
        "buyer_name": "VARCHAR",
        "buyer_id_raw": "VARCHAR",
        "buyer_siret": "VARCHAR",
        "buyer_siren": "VARCHAR",
        "buyer_nuts": "VARCHAR",
        "country": "VARCHAR",
        "language": "VARCHAR",
        "title": "VARCHAR",
        "url": "VARCHAR",
        "lots": "INTEGER",
        "file_id": "INTEGER",
        "record_index": "BIGINT",
    },
    # Tenders, one row per lot; uid = notice uid + '|' + lot id. Status is computed from
    # `deadline` and a reference date (see vivier.warehouse.tenders).
    "tenders": {
        "uid": "VARCHAR PRIMARY KEY",
        "notice_uid": "VARCHAR",
        "lot_id": "VARCHAR",
        "source": "VARCHAR",
        "kind": "VARCHAR",
        "title": "VARCHAR",
        "description": "VARCHAR",
        "cpv_raw": "VARCHAR",
        "cpv": "VARCHAR",  # 8 digits, known in CPV 2008, or NULL
        "cpv_additional": "VARCHAR",  # space-separated 8-digit codes
        "nuts": "VARCHAR",
        "departement": "VARCHAR",
        "region": "VARCHAR",  # INSEE region code from the NUTS code or the département
        "estimated_value": "DOUBLE",
        "currency": "VARCHAR",
        "value_raw": "VARCHAR",
        "deadline": "TIMESTAMP",  # local time of the submission deadline, NULL if unknown
        "deadline_raw": "VARCHAR",
        "publication_date": "DATE",
        "buyer_name": "VARCHAR",
        "buyer_siren": "VARCHAR",
        "procedure": "VARCHAR",
        "url": "VARCHAR",
        "file_id": "INTEGER",
    },
    # Records that could not be loaded, with their reason and raw text.
    "rejects": {
        "file_id": "INTEGER",
        "record_index": "BIGINT",
        "reason": "VARCHAR",
        "raw": "VARCHAR",
    },
    # Companies and public bodies (SIRENE stock, recherche-entreprises answers).
    "companies": {
        "siren": "VARCHAR PRIMARY KEY",
        "name": "VARCHAR",
        "created_on": "DATE",
        "naf": "VARCHAR",  # NAF rév. 2 'NN.NNX'
        "legal_category": "VARCHAR",  # 4-digit catégorie juridique
        "size_category": "VARCHAR",  # 'PME' | 'ETI' | 'GE' | NULL
        "headcount_band": "VARCHAR",
        "active": "BOOLEAN",
        "departement": "VARCHAR",
        "region": "VARCHAR",
        "source": "VARCHAR",  # 'sirene_stock' | 'recherche_entreprises'
    },
    # Public buyers (one row per buyer SIRET), recomputed by warehouse.buyers.refresh_buyers.
    "buyers": {
        "siret": "VARCHAR PRIMARY KEY",
        "siren": "VARCHAR",
        "name": "VARCHAR",
        "perimeter": "VARCHAR",  # see vivier.buyers.PERIMETERS
        "ministry": "VARCHAR",  # State buyers only; 'non attribué' when unsure
        "evidence": "VARCHAR",
        "region": "VARCHAR",
    },
    # Imported start-up lists (one row per label; re-importing replaces its members).
    "startup_labels": {
        "label": "VARCHAR PRIMARY KEY",
        "kind": "VARCHAR",  # 'ilab' | 'next40_120' | 'csv'
        "valid_from": "DATE",
        "valid_to": "DATE",
        "source_file": "VARCHAR",
        "imported_at": "TIMESTAMP",
    },
    # Members of a start-up list, with their profile text (read by the matching).
    "startup_members": {
        "label": "VARCHAR",
        "siren": "VARCHAR",
        "name": "VARCHAR",
        "description": "VARCHAR",
        "domain": "VARCHAR",
        "region": "VARCHAR",
        "year": "INTEGER",
        "valid_from": "DATE",
        "valid_to": "DATE",
        "confidence": "DOUBLE",  # 1.0 when the list gives the SIREN
    },
}


# Columns added after a table was first released: a warehouse created before gets them
# (ALTER TABLE) and this statement fills them, in order, once.
MIGRATIONS: dict[tuple[str, str], str] = {
    ("contracts", "cid"): """UPDATE contracts SET cid = m.cid FROM (
  SELECT rowid AS row_id, CAST(coalesce(file_id, 0) AS BIGINT) << 32
    | (row_number() OVER (PARTITION BY file_id ORDER BY rowid) - 1) AS cid FROM contracts) m
WHERE contracts.rowid = m.row_id""",
    ("contract_suppliers", "cid"): """UPDATE contract_suppliers SET cid = c.cid
FROM contracts c WHERE c.uid = contract_suppliers.uid""",
}


def create_statements() -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {name} ("
        + ", ".join(f"{column} {kind}" for column, kind in columns.items())
        + ")"
        for name, columns in TABLES.items()
    ]
