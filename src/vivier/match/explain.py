"""Explanations in French for every result: the passage that matched, the contracts won or
bought in the query's CPV codes, the region, the labels, the buyer's openness."""

from __future__ import annotations

from collections.abc import Sequence

from vivier.match.cpv import describe
from vivier.match.region import region_name
from vivier.match.text import best_passage


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def passage_reason(text: str, terms: set[str], verb: str = "décrit") -> list[str]:
    passage = best_passage(text, terms)
    return [f"{verb} : « {passage} »"] if passage else []


def startup_reasons(engine, row: int, terms: set[str], codes: Sequence[str], region) -> list:
    startups = engine.startups
    reasons = passage_reason(startups.texts[row], terms)
    evidence = startups.cpv.evidence(row, codes) if codes else None
    if evidence:
        reasons.append(f"a remporté {plural(evidence[1], 'marché')} en CPV {describe(evidence[0])}")
    elif startups.contracts[row]:
        reasons.append(f"a déjà remporté {plural(int(startups.contracts[row]), 'marché')} public")
    if region and startups.regions[row] == region:
        reasons.append(f"même région ({region_name(region)})")
    labels = engine.startup_labels[row]
    if labels:
        reasons.append("labels : " + ", ".join(labels[:4]))
    if not reasons:
        reasons.append("description proche du besoin (similarité sémantique)")
    return reasons


def supplier_reasons(engine, row: int, terms: set[str], codes: Sequence[str], buyer) -> list:
    history = engine.history
    suppliers = history.suppliers
    reasons = passage_reason(suppliers.texts[row].replace(" ; ", ". "), terms, "a réalisé")
    evidence = suppliers.cpv.evidence(row, codes) if codes else None
    if evidence:
        reasons.append(f"a remporté {plural(evidence[1], 'marché')} en CPV {describe(evidence[0])}")
    if buyer:
        count = history.suppliers_of_buyer(buyer, row)
        if count:
            reasons.append(f"a déjà remporté {plural(count, 'marché')} auprès de cet acheteur")
    reasons.append(f"{plural(int(suppliers.contracts[row]), 'marché')} au total")
    return reasons


def buyer_reasons(engine, row: int, terms: set[str], codes: Sequence[str], region) -> list:
    buyers = engine.history.buyers
    reasons = passage_reason(buyers.texts[row].replace(" ; ", ". "), terms, "a acheté")
    evidence = buyers.cpv.evidence(row, codes) if codes else None
    if evidence:
        reasons.append(f"a passé {plural(evidence[1], 'marché')} en CPV {describe(evidence[0])}")
    share = float(engine.openness[row])
    if share > 0:
        reasons.append(f"{share:.0%} de ses marchés vont à des start-up ou jeunes entreprises")
    last = buyers.last_dates[row]
    total = plural(int(buyers.contracts[row]), "marché")
    reasons.append(f"{total}, dernier notifié le {last}" if last else total)
    if region and buyers.regions[row] == region:
        reasons.append(f"même région ({region_name(region)})")
    return reasons


def document_reasons(doc: dict, terms: set[str], codes: Sequence[str], cpv_score: float):
    reasons = passage_reason(doc.get("text") or "", terms, "mentionne")
    if cpv_score > 0:
        shared = [c for c in doc.get("cpv") or [] if any(c[:2] == q[:2] for q in codes)]
        if shared:
            reasons.append(f"CPV proche : {describe(shared[0])}")
    return reasons
