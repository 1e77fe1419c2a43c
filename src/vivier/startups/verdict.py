"""Is this SIREN a start-up on this date under this definition, and why (in French)?

The same logic as the SQL of `vivier.warehouse.startups.definition_condition`; the tests
check that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from vivier.startups.definitions import SMALL_HEADCOUNT_BANDS, Definition
from vivier.warehouse import companies as company_store
from vivier.warehouse import startups as startup_store


@dataclass
class Verdict:
    is_startup: bool
    reasons: list[str] = field(default_factory=list)


def years_before(day: date, years: int) -> date:
    """`day` minus whole years (29 February becomes 28 February, as in DuckDB)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def explain(
    connection: duckdb.DuckDBPyConnection, definition: Definition, siren: str, on_date: date
) -> Verdict:
    """The verdict of `definition` for one SIREN on one date, with its reasons."""
    facts = _Facts(
        company=company_store.get_company(connection, siren),
        members=startup_store.members_of(connection, siren),
    )
    return _judge(definition, facts, on_date)


@dataclass
class _Facts:
    company: dict | None
    members: list[dict]


def _judge(definition: Definition, facts: _Facts, on_date: date) -> Verdict:
    if definition.kind == "registry":
        return _registry(definition, facts.members, on_date)
    if definition.kind == "criteria":
        return _criteria(definition, facts, on_date)
    verdicts = [_judge(part, facts, on_date) for part in definition.parts]
    combine = any if definition.kind == "any" else all
    reasons = [
        f"[{part.name}] {reason}"
        for part, verdict in zip(definition.parts, verdicts, strict=True)
        for reason in verdict.reasons
    ]
    return Verdict(combine(v.is_startup for v in verdicts), reasons)


def _registry(definition: Definition, members: list[dict], on_date: date) -> Verdict:
    if not members:
        return Verdict(False, ["membre d'aucune liste de start-up importée"])
    reasons = []
    found = False
    for member in members:
        problem = _member_problem(definition, member, on_date)
        where = f"liste « {member['label']} »"
        if problem:
            reasons.append(f"{where} : {problem}")
        else:
            found = True
            reasons.append(f"{where} : membre valide le {on_date:%d/%m/%Y}")
    return Verdict(found, reasons)


def _member_problem(definition: Definition, member: dict, on_date: date) -> str | None:
    if definition.labels and member["label"] not in definition.labels:
        return "liste non retenue par la définition"
    if member["valid_from"] and member["valid_from"] > on_date:
        return f"validité à partir du {member['valid_from']:%d/%m/%Y} seulement"
    if member["valid_to"] and member["valid_to"] < on_date:
        return f"validité terminée le {member['valid_to']:%d/%m/%Y}"
    limit = definition.max_years_listed
    if limit is not None and member["valid_from"] is None:
        return "date d'entrée dans la liste inconnue"
    if limit is not None and member["valid_from"] < years_before(on_date, limit):
        return (
            f"entrée dans la liste le {member['valid_from']:%d/%m/%Y}, il y a plus de {limit} ans"
        )
    confidence = member["confidence"] or 0.0
    if confidence < definition.min_confidence:
        return (
            f"rattachement au SIREN trop incertain (confiance {confidence:.2f} "
            f"< {definition.min_confidence:.2f})"
        )
    return None


def _criteria(definition: Definition, facts: _Facts, on_date: date) -> Verdict:
    company = facts.company
    if company is None:
        return Verdict(False, ["entreprise absente du répertoire importé (SIRENE)"])
    checks = [
        _age_check(definition, company, on_date),
        _size_check(definition, company),
    ]
    if definition.legal_category_prefixes:
        checks.append(_legal_check(definition, company))
    if definition.naf_prefixes:
        checks.append(_naf_check(definition, company))
    if definition.labels:
        listed = any(m["label"] in definition.labels for m in facts.members)
        wanted = ", ".join(definition.labels)
        checks.append((listed, f"membre d'une des listes {wanted} : {'oui' if listed else 'non'}"))
    return Verdict(all(ok for ok, _ in checks), [reason for _, reason in checks])


def _age_check(definition: Definition, company: dict, on_date: date) -> tuple[bool, str]:
    created = company["created_on"]
    years = definition.max_age_years or 0
    if created is None:
        return False, "date de création inconnue"
    if created > on_date:
        return False, f"créée le {created:%d/%m/%Y}, après la date examinée"
    ok = created >= years_before(on_date, years)
    relation = "moins" if ok else "plus"
    return (
        ok,
        f"créée le {created:%d/%m/%Y} : {relation} de {years} ans avant le {on_date:%d/%m/%Y}",
    )


def _size_check(definition: Definition, company: dict) -> tuple[bool, str]:
    size, band = company["size_category"], company["headcount_band"]
    wanted = "/".join(definition.size_categories)
    if size is not None:
        ok = size in definition.size_categories
        return (
            ok,
            f"catégorie d'entreprise {size} ({'retenue' if ok else 'non retenue'} : {wanted})",
        )
    if not definition.accept_unknown_size:
        return False, "catégorie d'entreprise inconnue"
    if band is None:
        return True, "catégorie d'entreprise et effectif inconnus : présumée PME"
    ok = band in SMALL_HEADCOUNT_BANDS
    verdict = "présumée PME" if ok else "250 salariés ou plus"
    return ok, f"catégorie d'entreprise inconnue, tranche d'effectif {band} : {verdict}"


def _legal_check(definition: Definition, company: dict) -> tuple[bool, str]:
    category = company["legal_category"]
    ok = bool(category) and category.startswith(definition.legal_category_prefixes)
    wanted = ", ".join(f"{p}…" for p in definition.legal_category_prefixes)
    return ok, f"catégorie juridique {category or 'inconnue'} (attendue : {wanted})"


def _naf_check(definition: Definition, company: dict) -> tuple[bool, str]:
    naf = company["naf"]
    ok = bool(naf) and naf.startswith(definition.naf_prefixes)
    wanted = ", ".join(definition.naf_prefixes)
    return ok, f"code NAF {naf or 'inconnu'} (attendu : {wanted})"
