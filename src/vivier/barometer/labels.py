"""French labels of the barometer's perimeters, breakdowns and keys (what readers see)."""

from __future__ import annotations

from vivier.reference import cpv_table, labels
from vivier.sources.vocabulary import PROCEDURE_LABELS

PERIMETERS: dict[str, str] = {
    "all": "Tous les acheteurs",
    "etat": "État (ministères et services)",
    "etat_ep": "État (établissements publics)",
    "collectivites": "Collectivités territoriales",
    "hopitaux": "Hôpitaux",
    "autres": "Autres acheteurs",
}

BREAKDOWNS: dict[str, str] = {
    "perimeter": "Par périmètre",
    "ministry": "Par ministère (État)",
    "buyer": "Par acheteur",
    "cpv_division": "Par division CPV",
    "procedure": "Par procédure",
    "nature": "Par nature de marché",
    "region": "Par région de l'acheteur",
    "amount_band": "Par tranche de montant",
    "innovative": "Achat innovant",
}

# File names of the CSV of each breakdown (French, as the reader sees them).
CSV_NAMES: dict[str, str] = {
    "perimeter": "perimetres",
    "ministry": "ministeres",
    "buyer": "acheteurs",
    "cpv_division": "divisions-cpv",
    "procedure": "procedures",
    "nature": "natures",
    "region": "regions",
    "amount_band": "tranches-montant",
    "innovative": "achat-innovant",
}

AMOUNT_BANDS: dict[str, str] = {
    "1": "moins de 40 000 €",
    "2": "40 000 € à 90 000 €",
    "3": "90 000 € à 221 000 €",
    "4": "221 000 € à 1 M€",
    "5": "1 M€ à 5,538 M€",
    "6": "5,538 M€ et plus",
}

MISSING: dict[str, str] = {
    "ministry": "non attribué",
    "cpv_division": "CPV inconnu ou invalide",
    "amount_band": "montant invalide ou absent",
    "innovative": "non renseigné",
    "region": "non renseignée",
    "buyer": "acheteur sans identifiant",
}


def perimeter_label(code: str) -> str:
    return PERIMETERS.get(code, code)


def key_label(breakdown: str, key: str | None) -> str:
    """The French label of one key of a breakdown."""
    if key is None or key == "":
        return MISSING.get(breakdown, "non renseigné")
    if breakdown == "perimeter":
        return perimeter_label(key)
    if breakdown == "amount_band":
        return AMOUNT_BANDS.get(key, key)
    if breakdown == "cpv_division":
        entry = cpv_table().get(key + "000000")
        return f"{key} – {entry.label_fr}" if entry else key
    if breakdown == "procedure":
        return PROCEDURE_LABELS.get(key, key)
    if breakdown == "region":
        return labels("regions").get(key, key)
    return str(key)
