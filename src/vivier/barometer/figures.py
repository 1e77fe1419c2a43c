"""Rounding and shares: how the barometer's raw aggregates become published figures."""

from __future__ import annotations

AMOUNT_DIGITS = 2
FRACTION_DIGITS = 4
SHARE_DIGITS = 6


def share(part: float, total: float) -> float | None:
    """part / total, or None when there is nothing to divide by."""
    if not total:
        return None
    return round(part / total, SHARE_DIGITS)


def figures(row: dict) -> dict:
    """The published figures of one aggregate row: counts, values and both shares."""
    contracts = int(row["contracts"])
    startup_contracts = round(float(row["startup_contracts"]), FRACTION_DIGITS)
    amount_total = round(float(row["amount_total"]), AMOUNT_DIGITS)
    amount_startup = round(float(row["amount_startup"]), AMOUNT_DIGITS)
    result = {
        "contracts": contracts,
        "contracts_with_startup": int(row["contracts_with_startup"]),
        "startup_contracts": startup_contracts,
        "startup_contract_share": share(float(row["startup_contracts"]), contracts),
        "amount_total": amount_total,
        "amount_startup": amount_startup,
        "startup_amount_share": share(float(row["amount_startup"]), float(row["amount_total"])),
    }
    if "excluded_amounts" in row:
        result["excluded_amounts"] = int(row["excluded_amounts"])
    return result
