"""SIREN validation with French reasons, shared by the company and start-up list readers."""

from __future__ import annotations

from vivier.codes import check_siren

SIREN_PROBLEMS_FR = {
    "siren_missing": "SIREN absent",
    "siren_not_digits": "SIREN non numérique",
    "siren_bad_length": "SIREN de longueur incorrecte (9 chiffres attendus)",
    "siren_bad_checksum": "SIREN invalide (clé de contrôle fausse)",
    "siren_placeholder": "SIREN fictif (que des zéros)",
}


def siren_or_reason(raw: object) -> tuple[str | None, str | None]:
    """(valid SIREN, None) or (None, French reason naming the raw value)."""
    checked = check_siren(raw)
    if checked.ok:
        return checked.value, None
    shown = str(raw or "").strip()
    reason = SIREN_PROBLEMS_FR.get(checked.problem or "", checked.problem or "SIREN invalide")
    return None, f"{reason} : « {shown} »" if shown else reason
