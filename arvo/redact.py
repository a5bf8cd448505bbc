"""What of a provider's content may be shown to a person: identity codes masked, length cut.

Every message, log line, quarantine field and report that quotes a value a provider sent
passes it through `shown`: anything that may be a personal identity code (six digits, a
century sign, three digits and a check character, in any case; without the sign, only
when day, month and check character are those of a real code) becomes `MASK`, and the
text is cut to a bounded length, so a 2 MB field never travels on.
"""

from __future__ import annotations

import re

from arvo import hetu

MASK = "<hetu removed>"
LIMIT = 60  # characters of one value shown in a message
LINE_LIMIT = 200  # characters of one whole line kept with a rejected file's row

# DDMMYY, optional century sign, ZZZ, check character, in any letter case, also with
# spaces around the sign as hurried exports write it; not inside a longer run of letters
# and digits, so record IDs such as UUIDs stay readable.
HETU_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\s?([-+A-FU-Ya-fu-y]?)\s?(\d{3})([0-9A-Ya-y])"
                       r"(?![0-9A-Za-z])")
# The signed form without the boundaries, for Arrow's RE2 (no look-arounds): a fast first
# pass over a whole column, whose candidates `holds_identity_code` then confirms.
HETU_CANDIDATE = r"\d{6}\s?[-+A-FU-Ya-fu-y]\s?\d{3}[0-9A-Ya-y]"


def _valid(m: re.Match) -> bool:
    """Day, month and check character of a match are those of a real identity code."""
    ddmmyy, zzz, q = m.group(1), m.group(3), m.group(4).upper()
    day, month = int(ddmmyy[:2]), int(ddmmyy[2:4])
    return 1 <= day <= 31 and 1 <= month <= 12 and hetu.check_char(ddmmyy, zzz) == q


def _masked(m: re.Match) -> bool:
    """With a century sign, anything of the shape (a mistyped code is personal data too);
    without one, only a valid code, so that plain ten-digit record IDs stay readable."""
    return bool(m.group(2)) or _valid(m)


def mask(text: str) -> str:
    """`text` with everything that may be an identity code replaced by MASK."""
    return HETU_LIKE.sub(lambda m: MASK if _masked(m) else m.group(0), text)


def holds_identity_code(text: str) -> bool:
    """True if `text` holds a valid identity code with its century sign (the rule that
    keeps identity codes out of every lake column but `hetu`)."""
    return any(m.group(2) and _valid(m) for m in HETU_LIKE.finditer(text))


def shown(value: object, limit: int = LIMIT) -> str:
    """A value as it may appear in a message: masked, and cut to `limit` characters and an
    ellipsis (no word, so the value reads the same in every language's message)."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return mask(text)
    # mask a little past the cut, so a code that straddles it is masked whole
    return f"{mask(text[:limit + 16])[:limit]}…"


def quoted(value: object, limit: int = LIMIT) -> str:
    """`shown(value)` in single quotes, for messages such as "cost_eur 'n/a' is not a number"."""
    return "'" + shown(value, limit) + "'"
