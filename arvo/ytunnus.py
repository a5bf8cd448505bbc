"""Finnish business IDs (Y-tunnus) of providers: `NNNNNNN-C` with a mod-11 check digit."""

from __future__ import annotations

import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_PATTERN = re.compile(r"^(\d{7})-(\d)$")


def check_digit(digits: str) -> int | None:
    """Check digit for seven digits, or None when the remainder is 1 (no valid ID)."""
    rem = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if rem == 1:
        return None
    return 0 if rem == 0 else 11 - rem


def is_valid(business_id: str) -> bool:
    """True if `business_id` is a well-formed Y-tunnus with the right check digit."""
    m = _PATTERN.match(business_id or "")
    return bool(m) and check_digit(m.group(1)) == int(m.group(2))
