"""Finnish personal identity codes (henkilötunnus, HETU): validation and keyed pseudonyms.

A HETU is `DDMMYYCZZZQ`: birth date, century sign, individual number (odd = male)
and a check character `CHECK_CHARS[int(DDMMYYZZZ) % 31]`. It is personal data: the
pipeline keeps only `pseudonymise(hetu, key)`, a keyed HMAC-SHA256, plus the birth date
and sex derived from the code.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass

from arvo.messages import msg

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
           "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}
_PATTERN = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$")


class InvalidHetu(ValueError):
    """A personal identity code that fails the format, date or check-character rule."""


@dataclass(frozen=True)
class HetuFacts:
    """What the pipeline may keep of a personal identity code."""

    birth_date: dt.date
    sex: str  # "M" or "F"


def check_char(ddmmyy: str, zzz: str) -> str:
    """Return the check character for the date part and individual number."""
    return CHECK_CHARS[int(ddmmyy + zzz) % 31]


def parse(hetu: str) -> HetuFacts:
    """Validate a HETU and return its birth date and sex; raise InvalidHetu with the reason."""
    if not isinstance(hetu, str):
        raise InvalidHetu(msg("identity code is missing"))
    code = hetu.strip().upper()
    m = _PATTERN.match(code)
    if not m:
        raise InvalidHetu(msg("identity code is not of the form DDMMYYCZZZQ"))
    dd, mm, yy, sign, zzz, q = m.groups()
    try:
        birth = dt.date(CENTURY[sign] + int(yy), int(mm), int(dd))
    except ValueError:
        raise InvalidHetu(msg("identity code has an impossible birth date")) from None
    if int(zzz) < 2:
        raise InvalidHetu(msg("identity code has an individual number below 002"))
    if check_char(dd + mm + yy, zzz) != q:
        raise InvalidHetu(msg("identity code check character does not match"))
    return HetuFacts(birth_date=birth, sex="M" if int(zzz) % 2 else "F")


def is_valid(hetu: str) -> bool:
    """True if `hetu` is a valid personal identity code."""
    try:
        parse(hetu)
    except InvalidHetu:
        return False
    return True


def pseudonymise(hetu: str, key: bytes) -> str:
    """Keyed pseudonym of a HETU: hex HMAC-SHA256 of the normalised code (32 chars)."""
    if not key:
        raise ValueError("pseudonymisation key is empty")
    return hmac.digest(key, hetu.strip().upper().encode("ascii"), "sha256").hex()[:32]


def make(birth_date: dt.date, individual_number: int, sign: str | None = None) -> str:
    """Build a valid HETU for a birth date and individual number 2-999 (900-999: the
    temporary-code range, used for synthetic identities)."""
    if not 2 <= individual_number <= 999:
        raise ValueError("individual number must be 2..999")
    if sign is None:
        sign = {1800: "+", 1900: "-", 2000: "A"}[birth_date.year // 100 * 100]
    ddmmyy = birth_date.strftime("%d%m") + f"{birth_date.year % 100:02d}"
    zzz = f"{individual_number:03d}"
    return f"{ddmmyy}{sign}{zzz}{check_char(ddmmyy, zzz)}"
