"""Answers of the recherche-entreprises API (annuaire des entreprises), saved as JSON.

Accepted shapes: a raw answer `{"results": [...]}`, a saved search
`{"searchTerms": ..., "result": {"results": [...]}}`, or a list of results.
Each result becomes one company record (keys: `vivier.warehouse.companies.COMPANY_COLUMNS`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from vivier.codes import normalise_naf
from vivier.errors import SourceError
from vivier.models import Reject
from vivier.sources.siren_check import siren_or_reason

SOURCE = "recherche_entreprises"
SIZE_CATEGORIES = ("PME", "ETI", "GE")


def looks_like(path: Path, head: bytes) -> bool:
    text = head.lstrip()[:1]
    return path.suffix.lower() == ".json" or text in (b"{", b"[")


def read(path: Path) -> tuple[list[dict], list[Reject]]:
    """Company records and rejects of one saved answer."""
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"JSON illisible ({error})", path=str(path)) from None
    results = _results(data, path)
    records: list[dict] = []
    rejects: list[Reject] = []
    for index, result in enumerate(results, start=1):
        siren, problem = siren_or_reason(result.get("siren") if isinstance(result, dict) else None)
        if problem:
            rejects.append(Reject(index, f"résultat n° {index} : {problem}", _raw(result)))
            continue
        records.append(company_record(siren, result))
    return records, rejects


def _results(data: object, path: Path) -> list:
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        data = data["result"]
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]
    if isinstance(data, list):
        return data
    raise SourceError(
        "réponse de recherche-entreprises attendue (un objet avec « results »)", path=str(path)
    )


def _raw(result: object) -> str:
    return json.dumps(result, ensure_ascii=False)[:2000]


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def company_record(siren: str, result: dict) -> dict:
    siege = result.get("siege") or {}
    naf_raw = result.get("activite_principale") or siege.get("activite_principale")
    naf = normalise_naf(naf_raw).value or (str(naf_raw).strip() if naf_raw else None)
    size = result.get("categorie_entreprise")
    state = result.get("etat_administratif")
    return {
        "siren": siren,
        "name": result.get("nom_raison_sociale") or result.get("nom_complet"),
        "created_on": _date(result.get("date_creation")),
        "naf": naf,
        "legal_category": result.get("nature_juridique"),
        "size_category": size if size in SIZE_CATEGORIES else None,
        "headcount_band": result.get("tranche_effectif_salarie"),
        "active": {"A": True, "C": False}.get(state),
        "departement": siege.get("departement"),
        "region": siege.get("region"),
        "source": SOURCE,
    }
