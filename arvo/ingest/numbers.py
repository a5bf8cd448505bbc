"""Read decimal numbers by a rule detected per file and column, never guessed.

A provider's file states its decimal mark only through its values: a `;`-separated file
may well use a decimal point. So the rule is read from the whole column of each file:

- `123`: the same under every rule;
- one mark followed by other than exactly three digits (`109.47`, `45,5`), or after more
  than three digits (`1234,567`), is a decimal mark;
- both marks (`1.234,56`, `1,234.56`): the last is the decimal mark, the other groups
  thousands; a mark repeated between groups of three (`1.234.567`) groups thousands;
- spaces and no-break spaces between groups of three are thousands separators (`1 234,75`);
- one mark followed by exactly three digits (`1.234`, `12,500`) is ambiguous unless the
  rest of the column settles what that mark is.

A column that uses both marks as decimal marks (or one mark both ways) is mixed: every
value of it with a mark is refused, plain whole numbers still read. An ambiguous value
is refused. Money has at most two decimals (cents); zeros beyond them are allowed.
docs/submission-contract.md states the same rule for providers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arvo.messages import Message, msg
from arvo.redact import quoted

_SP = "[ \u00a0\u202f]"
_SIGN = r"^[+-]?"
_GROUPED = rf"\d{{1,3}}(?:{_SP}\d{{3}})+"  # 1 234 567
PATTERNS = {
    "plain": rf"{_SIGN}(?:\d+|{_GROUPED})$",
    "ambiguous.": _SIGN + r"[1-9]\d{0,2}\.\d{3}$",
    "ambiguous,": _SIGN + r"[1-9]\d{0,2},\d{3}$",
    "decimal.": rf"{_SIGN}(?:\d+|{_GROUPED})\.\d+$",
    "decimal,": rf"{_SIGN}(?:\d+|{_GROUPED}),\d+$",
    "thousands.": _SIGN + r"\d{1,3}(?:\.\d{3}){2,}$",
    "thousands,": _SIGN + r"\d{1,3}(?:,\d{3}){2,}$",
    "both.": _SIGN + r"\d{1,3}(?:,\d{3})+\.\d+$",  # thousands ',' and decimal '.'
    "both,": _SIGN + r"\d{1,3}(?:\.\d{3})+,\d+$",  # thousands '.' and decimal ','
}
OTHER = {".": ",", ",": "."}


def parse(text: pd.Series, file_key: pd.Series, column: str,
          max_decimals: int = 2) -> tuple[pd.Series, pd.Series]:
    """Values as float64 and, per row, the reason it was refused (None if read or empty).

    `file_key` tells the files apart: the rule is detected per file. What a value can be
    depends on its text alone, so the patterns run as Arrow (RE2) kernels over each
    distinct value once (a month's costs are some ten thousand values over hundreds of
    thousands of rows); the rows take their value's findings by position, and the file's
    evidence then picks the reading. Python sees only the refused values.
    """
    position, distinct = pd.factorize(text.to_numpy(dtype=object))
    # one slot more than the distinct values, left empty: an empty cell (position -1)
    # takes it
    raw = pa.array(np.append(distinct.astype(object), None), pa.string(), from_pandas=True)
    value = pc.replace_substring(pc.utf8_trim_whitespace(raw), "\u2212", "-")  # Unicode minus
    of_value = _np(pc.and_(pc.is_valid(value), pc.not_equal(value, "")))
    kind_of_value = np.full(len(value), -1, dtype=np.int8)
    for i, pattern in enumerate(PATTERNS.values()):  # the first pattern that matches wins
        kind_of_value[(kind_of_value == -1) & of_value
                      & _np(pc.match_substring_regex(value, pattern))] = i
    present, kind = of_value[position], kind_of_value[position]
    code = {name: i for i, name in enumerate(PATTERNS)}

    def of(*names: str) -> np.ndarray:
        return np.isin(kind, [code[n] for n in names])

    # evidence per file: which marks are decimal marks, which group thousands; each row
    # gets its file's
    file_of_row, files = pd.factorize(file_key.to_numpy(dtype=object))
    evidence = {**{f"d{m}": of(f"decimal{m}", f"both{m}") for m in OTHER},
                **{f"t{m}": of(f"thousands{m}", f"both{OTHER[m]}") for m in OTHER}}
    has = {c: (np.bincount(file_of_row, weights=rows, minlength=len(files)) > 0)[file_of_row]
           for c, rows in evidence.items()}
    mixed = (has["d."] & has["d,"]) | (has["d."] & has["t."]) | (has["d,"] & has["t,"])
    marked = present & (kind != code["plain"])
    refused = {}  # row position -> reason
    for m in OTHER:
        # one mark and three digits: decimal if the file has it as decimal mark, thousands
        # if the file groups thousands with it; otherwise nothing settles it
        unsettled = of(f"ambiguous{m}") & ~has[f"d{m}"] & ~has[f"t{m}"] & ~mixed
        refused.update((i, _ambiguous(text.iat[i], column, m)) for i in np.flatnonzero(unsettled))
    mixed_rows = np.flatnonzero(mixed & marked)
    examples = {k: _examples(text, kind, code, file_key, k)
                for k in file_key.iloc[mixed_rows].unique()}
    for i in mixed_rows:
        refused[i] = _mixed(text.iat[i], column, examples[file_key.iat[i]])
    for i in np.flatnonzero(present & (kind == -1)):
        refused[i] = msg("{column} {value} is not a number", column=column,
                         value=quoted(text.iat[i]))
    # the decimal mark of each row: ',' or '.' where its value and its file's evidence
    # say so, else none (every mark groups thousands)
    comma = of("decimal,", "both,") | (of("ambiguous,") & has["d,"])
    dot = of("decimal.", "both.") | (of("ambiguous.") & has["d."])
    reading = np.where(comma, 0, np.where(dot, 1, 2))
    number, too_fine = _readings(value, kind_of_value, code, max_decimals)
    too_fine = present & too_fine[reading, position]
    for i in np.flatnonzero(too_fine):
        refused.setdefault(i, msg("{column} {value} has more than {decimals} decimals; send "
                                  "euros with at most {decimals} decimals (cents)",
                                  column=column, value=quoted(text.iat[i]),
                                  decimals=max_decimals))
    ok = present.copy()
    ok[list(refused)] = False
    reason = pd.Series(None, index=text.index, dtype=object)
    if refused:
        positions = np.fromiter(refused, dtype=np.int64)
        reason.iloc[positions] = [refused[i] for i in positions]
    return pd.Series(np.where(ok, number[reading, position], np.nan), index=text.index,
                     dtype="float64"), reason


def _readings(value: pa.Array, kind: np.ndarray, code: dict[str, int],
              max_decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct value read three ways, one row of the returned arrays each: ',' as
    decimal mark, '.' as decimal mark, no decimal mark. The numbers (NaN where that
    reading does not apply), and whether the reading has more than `max_decimals`
    decimals. A reading applies only to the values whose pattern allows it, so every
    text cast is a number: spaces out, the decimal mark '.', thousands marks out, no
    '+'."""
    spaced = pc.replace_substring_regex(value, _SP, "")
    matched = kind != -1
    could = {m: matched & np.isin(kind, [code[f"decimal{m}"], code[f"both{m}"],
                                         code[f"ambiguous{m}"]]) for m in OTHER}
    canonical = [
        pc.replace_substring(pc.replace_substring(spaced, ".", ""), ",", "."),  # ','
        pc.replace_substring(spaced, ",", ""),  # '.'
        pc.replace_substring_regex(spaced, "[.,]", ""),  # none
    ]
    applies = [could[","], could["."], matched]
    numbers, too_fine = [], []
    for text, where in zip(canonical, applies, strict=True):
        text = pc.if_else(pa.array(where), pc.replace_substring_regex(text, r"^\+", ""),
                          pa.scalar(None, pa.string()))
        numbers.append(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False))
        too_fine.append(_np(pc.match_substring_regex(text,
                                                     rf"\.\d{{{max_decimals}}}0*[1-9]")))
    return np.stack(numbers), np.stack(too_fine)


def _np(mask: pa.Array) -> np.ndarray:
    """An Arrow boolean array as numpy, null as False."""
    return mask.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def _examples(text: pd.Series, kind: np.ndarray, code: dict[str, int], file_key: pd.Series,
              key: object) -> Message:
    """The first value of file `key` with each mark as its decimal mark."""
    mine = file_key.to_numpy() == key
    shown = []
    for m in OTHER:
        first = np.flatnonzero(mine & np.isin(kind, [code[f"decimal{m}"], code[f"both{m}"]]))
        if len(first):
            shown.append(msg("{value} with '{mark}'", value=quoted(text.iat[first[0]]), mark=m))
    return shown[0] if len(shown) == 1 else msg("{first} and {second}", first=shown[0],
                                                second=shown[1])


def _ambiguous(value: str, column: str, mark: str) -> Message:
    return msg("{column} {value} is ambiguous: it reads {as_decimal} with '{mark}' as decimal "
               "mark or {as_thousands} with '{mark}' grouping thousands, and no other value of "
               "the column in this file settles which; write thousands without a separator or "
               "with a space", column=column, value=quoted(value),
               as_decimal=value.replace(mark, "."), as_thousands=value.replace(mark, ""),
               mark=mark)


def _mixed(value: str, column: str, examples: Message) -> Message:
    return msg("{column} {value}: this file's {column} column mixes decimal marks "
               "({examples}), so no value with a mark can be read safely; send one decimal "
               "mark throughout", column=column, value=quoted(value), examples=examples)
