"""The normalised record model shared by every source reader and the warehouse.

The fields mirror the columns of the warehouse tables `contracts`, `contract_suppliers`,
`modifications`, `flags` and `rejects` (see `vivier.warehouse.schema`). Readers yield
`Contract` (with its suppliers, modifications and flags) or `Reject` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class Flag:
    """A quality problem: the raw value is kept, the clean value is null or kept as is."""

    entity: str  # 'contract' | 'supplier' | 'modification'
    field: str
    reason: str
    raw_value: str | None = None


@dataclass(slots=True)
class Supplier:
    """A winner (titulaire) of a contract."""

    position: int
    id_raw: str | None
    id_type: str | None
    siret: str | None  # valid SIRET or None
    siren: str | None  # valid SIREN or None
    name: str | None


@dataclass(slots=True)
class Modification:
    """A modification (avenant) of a contract; the contract keeps its initial amount."""

    position: int
    modification_id: str | None
    notification_date: date | None
    publication_date: date | None
    amount: float | None
    duration_months: float | None
    object: str | None
    raw: str | None


@dataclass(slots=True)
class Contract:
    """An awarded contract (marché or contrat de concession), normalised.

    `uid` is the national key: buyer identifier + '|' + contract id.
    """

    uid: str
    contract_id: str
    kind: str  # 'marche' | 'concession'
    buyer_id_raw: str | None
    buyer_siret: str | None
    buyer_siren: str | None
    buyer_name: str | None
    nature: str | None
    object: str | None
    cpv_raw: str | None
    cpv: str | None
    procedure_raw: str | None
    procedure: str | None
    amount_raw: str | None
    amount: float | None
    price_form: str | None
    duration_months: float | None
    notification_date_raw: str | None
    notification_date: date | None
    publication_date: date | None
    place_code: str | None
    place_type: str | None
    innovative: bool | None
    offers_received: int | None
    source: str
    record_index: int = 0
    source_rows: int = 1  # tabular files: rows (contract x supplier) folded into this record
    suppliers: list[Supplier] = field(default_factory=list)
    modifications: list[Modification] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


@dataclass(slots=True)
class Reject:
    """A record that could not be loaded, with its reason (French) and raw text."""

    record_index: int
    reason: str
    raw: str


# Columns of the `contracts` table filled from a Contract (file_id is added at load time).
CONTRACT_COLUMNS: tuple[str, ...] = (
    "uid",
    "contract_id",
    "kind",
    "buyer_id_raw",
    "buyer_siret",
    "buyer_siren",
    "buyer_name",
    "nature",
    "object",
    "cpv_raw",
    "cpv",
    "procedure_raw",
    "procedure",
    "amount_raw",
    "amount",
    "price_form",
    "duration_months",
    "notification_date_raw",
    "notification_date",
    "publication_date",
    "place_code",
    "place_type",
    "innovative",
    "offers_received",
    "source",
)
SUPPLIER_COLUMNS: tuple[str, ...] = ("position", "id_raw", "id_type", "siret", "siren", "name")
MODIFICATION_COLUMNS: tuple[str, ...] = (
    "position",
    "modification_id",
    "notification_date",
    "publication_date",
    "amount",
    "duration_months",
    "object",
    "raw",
)
FLAG_COLUMNS: tuple[str, ...] = ("entity", "field", "reason", "raw_value")
