"""Start-up profiles (descriptions from the start-up lists, labels, past contracts) and the
buyers' openness to start-ups, built from the warehouse."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from vivier.match.bm25 import BM25
from vivier.match.cpv import CpvProfiles
from vivier.match.history import AwardHistory, EntitySet
from vivier.match.region import normalise_region, region_of_place
from vivier.match.text import analyse
from vivier.reference import labels


def startup_region(raw) -> str | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if text in labels("regions"):
        return text
    try:
        return normalise_region(text)
    except Exception:
        return region_of_place(text)


def build_startups(rows: list[tuple], history: AwardHistory) -> tuple[EntitySet, list[list]]:
    """Group start-up list rows (siren, name, description, domain, region, label, year) by
    SIREN (or by name when the list gives none); add their contract history."""
    grouped: dict[str, dict] = {}
    for siren, name, description, domain, region, label, year in rows:
        key = siren or f"nom:{(name or '').strip().lower()}"
        if key == "nom:":
            continue
        entry = grouped.setdefault(
            key, {"name": name, "texts": {}, "region": None, "labels": {}, "domain": domain}
        )
        for part in (name, description, domain):
            if part:
                entry["texts"][part.strip()] = None
        entry["region"] = entry["region"] or startup_region(region)
        if label:
            entry["labels"][f"{label} {year}" if year else str(label)] = None
    ids = list(grouped)
    suppliers = history.suppliers
    texts, cpvs, counts, last = [], [], [], []
    for key in ids:
        row = suppliers.row_of.get(key)
        text = "\n".join(grouped[key]["texts"])
        if row is not None:
            text += "\n" + suppliers.texts[row]
        texts.append(text)
        cpvs.append(_codes_of(history, row))
        counts.append(suppliers.contracts[row] if row is not None else 0)
        last.append(suppliers.last_dates[row] if row is not None else None)
    entities = EntitySet(
        ids=ids,
        names=[grouped[k]["name"] or k for k in ids],
        texts=texts,
        regions=[grouped[k]["region"] for k in ids],
        contracts=np.array(counts, dtype=np.float32),
        last_dates=last,
        bm25=BM25.build([analyse(t) for t in texts]),
        cpv=CpvProfiles.build(cpvs),
    )
    return entities, [list(grouped[k]["labels"]) for k in ids]


def _codes_of(history: AwardHistory, row: int | None) -> list[str]:
    """The CPV codes of a supplier's contracts, with repetitions (as counted)."""
    return [] if row is None else history.suppliers.cpv.codes_of(row)


def supplier_codes(history: AwardHistory, siren: str, top: int = 5) -> list[str]:
    """The most frequent CPV codes of a supplier's contracts."""
    codes = _codes_of(history, history.suppliers.row_of.get(siren))
    counts: dict[str, int] = defaultdict(int)
    for code in codes:
        counts[code] += 1
    return [code for code, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:top]]


def buyer_openness(history: AwardHistory, startup_ids: set[str], young: set[str]) -> np.ndarray:
    """Per buyer: share of its contracts won by start-ups or young companies."""
    matrix = history.buyer_supplier.tocsc()
    flags = np.array(
        [s in startup_ids or s in young for s in history.suppliers.ids], dtype=np.float32
    )
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    open_counts = matrix @ flags
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, open_counts / totals, 0.0)
    return share.astype(np.float32)
