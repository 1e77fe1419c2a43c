"""Public buyers: perimeter (État, établissements publics de l'État, collectivités,
hôpitaux, autres) and ministry, with the evidence of each decision.

Pure logic, no I/O beyond the shipped mapping file; `vivier.warehouse.buyers` applies it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from vivier.reference import data_file, labels

PERIMETERS: dict[str, str] = {
    "etat": "État (ministères et services)",
    "etat_ep": "Établissements publics de l'État",
    "collectivites": "Collectivités territoriales et groupements",
    "hopitaux": "Hôpitaux (établissements publics de santé)",
    "autres": "Autres acheteurs",
}
UNATTRIBUTED = "non attribué"

_ETAT = ("7111", "7112", "7113", "7120", "7150", "7160", "7171", "7172", "7179", "7190")
_ETAT_EP = ("4110", "4120", "7382", "7383", "7384", "7385", "7389")
_HOPITAUX = ("7364", "7365", "7470")
_COLLECTIVITES_EXTRA = ("4140", "4150", "7361", "7362", "7366", "7367", "7371", "7372")
_COLLECTIVITES_EXTRA += ("7373", "7378", "7379", "7331")

# Name patterns (on upper-case names without accents), tried in this order.
NAME_PATTERNS: tuple[tuple[str, str], ...] = (
    ("hopitaux", r"CENTRE HOSPITALIER|\bCHU\b|\bCHR\b|HOPITA|GROUPE HOSPITALIER"),
    ("hopitaux", r"GROUPEMENT HOSPITALIER|ASSISTANCE PUBLIQUE"),
    ("collectivites", r"^COMMUNE\b|^VILLE D|\bMAIRIE\b|CONSEIL DEPARTEMENTAL|^DEPARTEMENT\b"),
    ("collectivites", r"CONSEIL REGIONAL|^REGION\b|COMMUNAUTE (DE COMMUNES|D.AGGLOMERATION)"),
    ("collectivites", r"COMMUNAUTE URBAINE|METROPOLE|SYNDICAT (MIXTE|INTERCOMMUNAL)|\bSIVOM\b"),
    ("collectivites", r"\bSIVU\b|\bSDIS\b|\bCCAS\b|CENTRE COMMUNAL D.ACTION SOCIALE|\bLYCEE\b"),
    ("collectivites", r"\bCOLLEGE\b|OFFICE PUBLIC DE L.HABITAT|\bOPH\b|\bSDMIS\b"),
    ("collectivites", r"INCENDIE ET DE SECOURS|INCENDIE SECOURS|ETABLISSEMENT PUBLIC TERRITORIAL"),
    ("collectivites", r"ETABLISSEMENT PUBLIC DE COOPERATION INTERCOMMUNALE"),
    ("etat_ep", r"\bUNIVERSIT|\bCNRS\b|\bINSERM\b|\bINRAE?\b|ECOLE NATIONALE SUPERIEURE"),
    ("etat_ep", r"AGENCE REGIONALE DE SANTE|FRANCE TRAVAIL|POLE EMPLOI|\bCROUS\b"),
    ("etat_ep", r"ETABLISSEMENT PUBLIC|ECOLE NATIONALE"),
    ("etat", r"\bMINISTERE\b|\bPREFECTURE\b|\bRECTORAT\b|GENDARMERIE|POLICE NATIONALE"),
    ("etat", r"DIRECTION (REGIONALE|DEPARTEMENTALE|INTERDEPARTEMENTALE|INTERMINISTERIELLE)"),
    ("etat", r"COUR D.APPEL|TRIBUNAL JUDICIAIRE|FINANCES PUBLIQUES"),
)
# SIREN prefixes of public bodies (a presumption only, recorded as such).
SIREN_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("20", "collectivites", "groupement de collectivités"),
    ("21", "collectivites", "commune"),
    ("22", "collectivites", "département"),
    ("23", "collectivites", "région"),
    ("24", "collectivites", "groupement de collectivités"),
    ("25", "collectivites", "syndicat ou groupement"),
    ("26", "hopitaux", "établissement public de santé"),
    ("27", "collectivites", "établissement public local"),
    ("28", "collectivites", "établissement public local"),
)


@dataclass(frozen=True)
class Classification:
    perimeter: str
    ministry: str | None
    evidence: str


def plain(text: str | None) -> str:
    """Upper case without accents nor extra spaces (for name patterns)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.upper().split())


def perimeter_of_legal_category(category: str | None) -> str | None:
    if not category:
        return None
    if category in _ETAT:
        return "etat"
    if category in _ETAT_EP:
        return "etat_ep"
    if category in _HOPITAUX:
        return "hopitaux"
    if category.startswith("72") or category in _COLLECTIVITES_EXTRA:
        return "collectivites"
    if category.startswith("73") and category < "7360":  # 7312..7357: groupings
        return "collectivites"
    return "autres"


def classify(
    siren: str | None, names: list[str | None], legal_category: str | None
) -> Classification:
    """Perimeter from the legal category, else the names, else the SIREN prefix."""
    perimeter, evidence = _perimeter(siren, names, legal_category)
    if perimeter != "etat":
        return Classification(perimeter, None, evidence)
    ministry, why = attribute_ministry(siren, names)
    return Classification(perimeter, ministry, f"{evidence} ; {why}")


def _perimeter(siren: str | None, names: list[str | None], category: str | None):
    from_category = perimeter_of_legal_category(category)
    if from_category:
        label = labels("natures-juridiques").get(category, "").strip() or "libellé inconnu"
        return from_category, f"catégorie juridique {category} ({label})"
    for name in filter(None, names):
        for perimeter, pattern in NAME_PATTERNS:
            found = re.search(pattern, plain(name))
            if found:
                return perimeter, f"nom « {name} » (motif « {found.group(0)} »)"
    for prefix, perimeter, kind in SIREN_PREFIXES:
        if siren and siren.startswith(prefix):
            return perimeter, f"SIREN commençant par {prefix} (présomption : {kind})"
    if siren and siren.startswith("1"):
        return "autres", (
            "SIREN commençant par 1 (État ou établissement public national) mais type "
            "indéterminé : catégorie juridique inconnue, nom non reconnu"
        )
    return "autres", "aucun indice (catégorie juridique inconnue, nom non reconnu)"


@cache
def ministry_rules() -> tuple[dict[str, str], tuple[tuple[re.Pattern, str], ...]]:
    """The reviewed mapping file: exact SIRENs, then name patterns, to a ministry."""
    by_siren: dict[str, str] = {}
    patterns: list[tuple[re.Pattern, str]] = []
    with data_file("ministeres.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            if row["match"] == "siren":
                by_siren[row["value"]] = row["ministry"]
            else:
                patterns.append((re.compile(row["value"]), row["ministry"]))
    return by_siren, tuple(patterns)


def attribute_ministry(siren: str | None, names: list[str | None]) -> tuple[str, str]:
    """(ministry, evidence) of a State buyer; « non attribué » when no rule or several
    rules disagree."""
    by_siren, patterns = ministry_rules()
    if siren and siren in by_siren:
        return by_siren[siren], f"ministère : SIREN {siren} dans la table relue"
    found: dict[str, str] = {}
    for name in filter(None, names):
        for pattern, ministry in patterns:
            match = pattern.search(plain(name))
            if match:
                found[ministry] = match.group(0)
    if len(found) == 1:
        ministry, text = found.popitem()
        return ministry, f"ministère : motif « {text} » dans le nom"
    if found:
        return UNATTRIBUTED, f"ministère : plusieurs possibles ({', '.join(sorted(found))})"
    return UNATTRIBUTED, "ministère : aucun motif reconnu"
