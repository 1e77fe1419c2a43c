"""A small hand-built warehouse for the barometer tests, whose figures are worked out by hand.

Buyers: ETAT (State, ministry "Ministère A", region 11), COLL (local authority, region 84),
HOSP (hospital), OLD (local authority, published in 2023 only), UNLISTED (not in `buyers`).
Start-ups (by the test definition): S1 since 2020; S2 only from 2024-06-01.
"""

from __future__ import annotations

from dataclasses import dataclass, field

S1, S2, N1 = "111111111", "222222222", "333333333"

BUYERS = [
    # siret, siren, name, perimeter, ministry, evidence, region
    ("ETAT", "E", "Ministère A – achats", "etat", "Ministère A", "test", "11"),
    ("COLL", "C", "Commune de Test", "collectivites", None, "test", "84"),
    ("HOSP", "H", "CHU de Test", "hopitaux", None, "test", "84"),
    ("OLD", "O", "Ancienne commune", "collectivites", None, "test", "84"),
]

# uid, buyer, amount (None = flagged invalid), amount_raw, date, cpv, procedure, innovative
CONTRACTS = [
    ("C1", "ETAT", 100000.0, "100000", "2024-02-01", "72000000", "open", True),
    ("C2", "ETAT", 90000.0, "90000", "2024-04-10", "72000000", "adapted", False),
    ("C3", "COLL", 50000.0, "50000", "2024-03-01", "45000000", "adapted", None),
    ("C4", "COLL", None, "999999999", "2024-05-05", "45000000", "adapted", None),
    ("C5", "UNLISTED", 20000.0, "20000", "2024-07-01", None, "adapted", None),
    ("C6", "HOSP", 40000.0, "40000", "2024-09-01", "33000000", "open", None),
    ("C7", "ETAT", 10000.0, "10000", "2024-11-30", "72000000", "adapted", None),
    ("C8", "ETAT", 5000.0, "5000", None, "72000000", "adapted", None),
    ("C9", "ETAT", 60000.0, "60000", "2023-05-01", "72000000", "adapted", None),
    ("C10", "OLD", 10000.0, "10000", "2023-06-01", "45000000", "adapted", None),
]

# uid → supplier SIRENs (None = supplier without a valid SIREN)
SUPPLIERS = {
    "C1": [S1],
    "C2": [S1, N1, None],
    "C3": [S2],
    "C4": [S1],
    "C5": [N1],
    "C6": [S2, N1],
    "C7": [],
    "C8": [S1],
    "C9": [S1],
    "C10": [N1],
}

# Contracts published by two sources (loaded once, both provenances kept).
DUPLICATED = {"C5": ["decp-2024", "decp-consolidated"]}


MEMBERS = [(S1, "2020-01-01", None), (S2, "2024-06-01", None)]


@dataclass
class ListDefinition:
    """A start-up definition over a fixed list: SIREN, valid from, valid to (or None)."""

    name: str = "liste-test"
    version: str = "1"
    members: list = field(
        default_factory=lambda: [(S1, "2020-01-01", None), (S2, "2024-06-01", None)]
    )

    def sql_condition(self, siren_expr: str, date_expr: str) -> str:
        if not self.members:
            return "false"
        values = ", ".join(
            f"('{siren}', DATE '{start}', " + (f"DATE '{end}')" if end else "NULL::DATE)")
            for siren, start, end in self.members
        )
        return (
            f"EXISTS (SELECT 1 FROM (VALUES {values}) AS m(siren, valid_from, valid_to) "
            f"WHERE m.siren = {siren_expr} AND {date_expr} >= m.valid_from "
            f"AND ({date_expr} <= m.valid_to OR m.valid_to IS NULL))"
        )


BUYERS_DDL = """CREATE TABLE IF NOT EXISTS buyers (siret VARCHAR, siren VARCHAR, name VARCHAR,
perimeter VARCHAR, ministry VARCHAR, evidence VARCHAR, region VARCHAR)"""


def fill(connection) -> None:
    """Insert the hand-built rows into a warehouse created by `vivier.warehouse.connect`."""
    connection.execute(BUYERS_DDL)
    connection.executemany(
        "INSERT INTO buyers (siret, siren, name, perimeter, ministry, evidence, region) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        BUYERS,
    )
    for cid, (uid, buyer, amount, raw, date, cpv, procedure, innovative) in enumerate(CONTRACTS):
        connection.execute(
            "INSERT INTO contracts (cid, uid, contract_id, kind, buyer_id_raw, buyer_siret, "
            "buyer_name, nature, cpv, procedure, amount_raw, amount, notification_date, "
            "innovative, source) "
            "VALUES (?, ?, ?, 'marche', ?, ?, ?, 'marche', ?, ?, ?, ?, ?, ?, ?)",
            [
                cid,
                uid,
                uid,
                buyer,
                buyer,
                f"Acheteur {buyer}",
                cpv,
                procedure,
                raw,
                amount,
                date,
                innovative,
                "decp-2024",
            ],
        )
        for source in DUPLICATED.get(uid, ["decp-2024"]):
            connection.execute(
                "INSERT INTO contract_sources (uid, source) VALUES (?, ?)", [uid, source]
            )
        if amount is None:
            connection.execute(
                "INSERT INTO flags (uid, entity, field, reason, raw_value) "
                "VALUES (?, 'contract', 'amount', 'amount_placeholder', ?)",
                [uid, raw],
            )
        for position, siren in enumerate(SUPPLIERS[uid]):
            connection.execute(
                "INSERT INTO contract_suppliers (cid, uid, position, siren, name) "
                "VALUES (?, ?, ?, ?, ?)",
                [cid, uid, position, siren, f"Titulaire {siren}"],
            )
