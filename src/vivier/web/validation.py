"""Request validation errors (FastAPI / pydantic) in French, for the API's 422 bodies and
the error page."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError

# pydantic error type → French reason, formatted with the error's context (`ctx`).
_REASONS = {
    "missing": "paramètre obligatoire",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "bool_parsing": "oui ou non attendu (true ou false)",
    "greater_than_equal": "doit être au moins {ge}",
    "greater_than": "doit être supérieur à {gt}",
    "less_than_equal": "doit être au plus {le}",
    "less_than": "doit être inférieur à {lt}",
    "literal_error": "valeurs possibles : {expected}",
    "enum": "valeurs possibles : {expected}",
    "string_too_long": "trop long (au plus {max_length} caractères)",
    "string_too_short": "trop court (au moins {min_length} caractères)",
    "too_long": "trop d'éléments (au plus {max_length})",
    "too_short": "pas assez d'éléments (au moins {min_length})",
    "string_pattern_mismatch": "format invalide",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "json_invalid": "JSON invalide",
    "model_attributes_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "list_type": "liste attendue",
    "string_type": "texte attendu",
}


def reason_in_french(item: dict) -> str:
    """Why one value was refused, in French ("valeur invalide" for a rare case)."""
    ctx = dict(item.get("ctx") or {})
    if "expected" in ctx:  # "'all', 'etat' or 'autres'"
        ctx["expected"] = str(ctx["expected"]).replace(" or ", " ou ")
    try:
        return _REASONS[item.get("type", "")].format(**ctx)
    except (KeyError, IndexError):  # an unknown type, or a context without its value
        return "valeur invalide"


def validation_details(error: RequestValidationError) -> list[str]:
    """One French line per refused value: where it is, and why."""
    details = []
    for item in error.errors():
        parts = [str(part) for part in item.get("loc", ()) if part not in ("query", "path", "body")]
        details.append(f"{'.'.join(parts) or 'requête'} : {reason_in_french(item)}")
    return details
