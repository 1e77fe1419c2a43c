"""Request validation errors (FastAPI / pydantic) in French, for the API's 422 bodies and
the error page."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError


def _choices(ctx: dict) -> str:
    return str(ctx.get("expected", "")).replace(" or ", " ou ")


# pydantic error type → French reason (formatted with the error's context).
_REASONS = {
    "missing": lambda ctx: "paramètre obligatoire",
    "int_parsing": lambda ctx: "nombre entier attendu",
    "int_type": lambda ctx: "nombre entier attendu",
    "int_from_float": lambda ctx: "nombre entier attendu",
    "float_parsing": lambda ctx: "nombre attendu",
    "float_type": lambda ctx: "nombre attendu",
    "bool_parsing": lambda ctx: "oui ou non attendu (true ou false)",
    "greater_than_equal": lambda ctx: f"doit être au moins {ctx.get('ge')}",
    "greater_than": lambda ctx: f"doit être supérieur à {ctx.get('gt')}",
    "less_than_equal": lambda ctx: f"doit être au plus {ctx.get('le')}",
    "less_than": lambda ctx: f"doit être inférieur à {ctx.get('lt')}",
    "literal_error": lambda ctx: f"valeurs possibles : {_choices(ctx)}",
    "enum": lambda ctx: f"valeurs possibles : {_choices(ctx)}",
    "string_too_long": lambda ctx: f"trop long (au plus {ctx.get('max_length')} caractères)",
    "string_too_short": lambda ctx: f"trop court (au moins {ctx.get('min_length')} caractères)",
    "too_long": lambda ctx: f"trop d'éléments (au plus {ctx.get('max_length')})",
    "too_short": lambda ctx: f"pas assez d'éléments (au moins {ctx.get('min_length')})",
    "string_pattern_mismatch": lambda ctx: "format invalide",
    "date_parsing": lambda ctx: "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": lambda ctx: "date attendue (AAAA-MM-JJ)",
    "date_type": lambda ctx: "date attendue (AAAA-MM-JJ)",
    "json_invalid": lambda ctx: "JSON invalide",
    "model_attributes_type": lambda ctx: "objet JSON attendu",
    "dict_type": lambda ctx: "objet JSON attendu",
    "list_type": lambda ctx: "liste attendue",
    "string_type": lambda ctx: "texte attendu",
}


def reason_in_french(item: dict) -> str:
    """Why one value was refused, in French ("valeur invalide" for a rare case)."""
    reason = _REASONS.get(item.get("type", ""))
    return reason(item.get("ctx") or {}) if reason else "valeur invalide"


def validation_details(error: RequestValidationError) -> list[str]:
    """One French line per refused value: where it is, and why."""
    details = []
    for item in error.errors():
        parts = [str(part) for part in item.get("loc", ()) if part not in ("query", "path", "body")]
        details.append(f"{'.'.join(parts) or 'requête'} : {reason_in_french(item)}")
    return details
