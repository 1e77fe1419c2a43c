"""A company as users see it: SIRENE facts with their French labels, list memberships."""

from __future__ import annotations

import duckdb

from vivier.errors import BadValueError, NotFound
from vivier.reference import labels
from vivier.sources.siren_check import siren_or_reason
from vivier.warehouse import companies as company_store
from vivier.warehouse import startups as startup_store


def valid_siren(raw: str) -> str:
    siren, problem = siren_or_reason(raw)
    if problem:
        raise BadValueError(f"{problem}.")
    return siren


def company_profile(connection: duckdb.DuckDBPyConnection, raw_siren: str) -> dict:
    """Facts, labels and start-up list memberships of one SIREN."""
    siren = valid_siren(raw_siren)
    company = company_store.get_company(connection, siren)
    members = startup_store.members_of(connection, siren)
    if company is None and not members:
        raise NotFound(
            f"SIREN {siren} inconnu de l'entrepôt : importez ses données avec "
            "« vivier companies import FICHIER »."
        )
    return {
        "siren": siren,
        "company": company,
        "labels": _labels_of(company) if company else {},
        "startup_lists": [
            {key: member[key] for key in ("label", "name", "year", "valid_from", "valid_to")}
            | {"confidence": member["confidence"], "domain": member["domain"]}
            for member in members
        ],
        "contracts_won": company_store.supplier_contract_count(connection, siren),
    }


def _labels_of(company: dict) -> dict:
    def label(table: str, code: str | None) -> str | None:
        return labels(table).get(code or "", None) if code else None

    return {
        "naf": label("codes-NAF", company["naf"]),
        "legal_category": (label("natures-juridiques", company["legal_category"]) or "").strip()
        or None,
        "headcount_band": label("tranches-effectifs", company["headcount_band"]),
        "departement": label("departements", company["departement"]),
        "region": label("regions", company["region"]),
    }


def profile_lines(profile: dict) -> list[tuple[str, str]]:
    """(French label, value) lines for the terminal."""
    company, names = profile["company"], profile["labels"]
    lines = [("SIREN", profile["siren"])]
    if company:
        lines += [
            ("Nom", company["name"] or "?"),
            ("Création", _day(company["created_on"])),
            ("Activité (NAF)", _coded(company["naf"], names["naf"])),
            ("Catégorie juridique", _coded(company["legal_category"], names["legal_category"])),
            ("Catégorie d'entreprise", company["size_category"] or "inconnue"),
            ("Effectif", _coded(company["headcount_band"], names["headcount_band"])),
            ("État", {True: "active", False: "cessée"}.get(company["active"], "inconnu")),
            ("Département", _coded(company["departement"], names["departement"])),
            ("Région", _coded(company["region"], names["region"])),
            ("Source", company["source"]),
        ]
    else:
        lines.append(("Nom", "absent du répertoire importé (SIRENE)"))
    for member in profile["startup_lists"]:
        period = f"{_day(member['valid_from'])} → {_day(member['valid_to'])}"
        lines.append(
            (
                "Liste de start-up",
                f"{member['label']} ({period}, confiance {member['confidence']:.2f})",
            )
        )
    lines.append(("Contrats remportés", str(profile["contracts_won"])))
    return lines


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "?"


def _coded(code: str | None, label: str | None) -> str:
    if not code:
        return "inconnu"
    return f"{code} – {label}" if label else code
