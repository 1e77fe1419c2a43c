"""Pure validation and normalisation of French and EU codes (SIREN, SIRET, CPV, NAF).

Nothing here does I/O; the CPV nomenclature check lives in `vivier.reference`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LA_POSTE_SIREN = "356000000"
_NON_DIGITS = re.compile(r"\D")
_CPV_RAW = re.compile(r"^\s*(\d{7,9})(?:\s*-\s*(\d))?\s*$")
_NAF = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")


@dataclass(frozen=True)
class Checked:
    """A normalised value (or None) with the reason it was refused, if it was."""

    value: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


_DOUBLED = str.maketrans("0123456789", "0246813579")  # 2*d, minus 9 when above 9


def luhn_valid(digits: str) -> bool:
    """Luhn check on a string of digits (every second digit from the right is doubled)."""
    kept = sum(map(int, digits[-1::-2]))
    doubled = sum(map(int, digits[-2::-2].translate(_DOUBLED)))
    return (kept + doubled) % 10 == 0


def digits_only(raw: object) -> str:
    return _NON_DIGITS.sub("", str(raw or ""))


def check_siren(raw: object) -> Checked:
    """A SIREN has 9 digits, not all zeros, and passes the Luhn check (zeros pass it: they
    stand for « sans suite », « pas de candidat » in the DECP)."""
    text = str(raw or "").strip().replace(" ", "")
    if not text:
        return Checked(None, "siren_missing")
    if not text.isdigit():
        return Checked(None, "siren_not_digits")
    if len(text) != 9:
        return Checked(None, "siren_bad_length")
    if not text.strip("0"):
        return Checked(None, "siren_placeholder")
    if not luhn_valid(text):
        return Checked(None, "siren_bad_checksum")
    return Checked(text)


def siret_checksum_ok(siret: str) -> bool:
    """Luhn on 14 digits; La Poste's establishments use a digit sum divisible by 5."""
    if siret.startswith(LA_POSTE_SIREN):
        return siret == LA_POSTE_SIREN + "00048" or sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret)


def check_siret(raw: object) -> Checked:
    """A SIRET has 14 digits, not all zeros (a placeholder: « sans suite », « pas de
    candidat »), and passes the Luhn check (or La Poste's rule)."""
    text = str(raw or "").strip().replace(" ", "")
    if not text:
        return Checked(None, "siret_missing")
    if not text.isdigit():
        return Checked(None, "siret_not_digits")
    if len(text) != 14:
        return Checked(None, "siret_bad_length")
    if not text.strip("0"):
        return Checked(None, "siret_placeholder")
    if not siret_checksum_ok(text):
        return Checked(None, "siret_bad_checksum")
    return Checked(text)


def siren_of(siret: str | None) -> str | None:
    """The SIREN part of a valid SIRET, if its own check passes."""
    if not siret or len(siret) < 9:
        return None
    return check_siren(siret[:9]).value


def normalise_cpv(raw: object) -> Checked:
    """Return the 8-digit CPV code, without check digit, leading zero restored.

    Accepts '79100000', '79100000-5', '791000005' (check digit glued) and '9132100'
    (a leading zero lost by a spreadsheet). Membership of the nomenclature is checked
    by `vivier.reference.cpv`.
    """
    text = str(raw or "").strip()
    if not text:
        return Checked(None, "cpv_missing")
    match = _CPV_RAW.match(text)
    if not match:
        return Checked(None, "cpv_malformed")
    digits = match.group(1)
    if len(digits) == 7:
        digits = "0" + digits
    elif len(digits) == 9:
        digits = digits[:8]
    return Checked(digits)


def cpv_division(code: str | None) -> str | None:
    return code[:2] if code else None


def cpv_common_prefix(a: str, b: str) -> int:
    """Number of leading significant digits shared by two CPV codes (0 to 8)."""
    shared = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        shared += 1
    return shared


def normalise_naf(raw: object) -> Checked:
    """NAF rév. 2 codes as 'NN.NNX' (accepts 'NNNNX')."""
    text = str(raw or "").strip().upper()
    if not text:
        return Checked(None, "naf_missing")
    match = _NAF.match(text)
    if not match:
        return Checked(None, "naf_malformed")
    return Checked(f"{match.group(1)}.{match.group(2)}{match.group(3)}")
