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

import pandas as pd

from flows.redact import quoted

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

    `file_key` tells the files apart: the rule is detected per file.
    """
    value = text.where(text.notna(), None).astype(object)
    value = value.str.strip().str.replace("\u2212", "-", regex=False)  # Unicode minus
    present = value.notna() & (value != "")
    kind = pd.Series(None, index=text.index, dtype=object)
    for name, pattern in PATTERNS.items():  # later patterns never overlap earlier ones
        hit = present & kind.isna() & value.str.match(pattern).fillna(False).astype(bool)
        kind[hit] = name
    # evidence per file: which marks are decimal marks, which group thousands
    decimal_ev = {m: kind.isin([f"decimal{m}", f"both{m}"]) for m in OTHER}
    thousands_ev = {m: kind.isin([f"thousands{m}", f"both{OTHER[m]}"]) for m in OTHER}
    frame = pd.DataFrame({"file_key": file_key, **{f"d{m}": decimal_ev[m] for m in OTHER},
                          **{f"t{m}": thousands_ev[m] for m in OTHER}})
    per_file = frame.groupby("file_key", sort=False).any()
    has = {f"{c}{m}": file_key.map(per_file[f"{c}{m}"]).astype(bool)
           for c in "dt" for m in OTHER}
    mixed = (has["d."] & has["d,"]) | (has["d."] & has["t."]) | (has["d,"] & has["t,"])
    reason = pd.Series(None, index=text.index, dtype=object)
    canonical = value.str.replace(_SP, "", regex=True)
    decimal_mark = pd.Series(None, index=text.index, dtype=object)
    for m in OTHER:
        decimal_mark[kind.isin([f"decimal{m}", f"both{m}"])] = m
        # one mark and three digits: decimal if the file has it as decimal mark, thousands
        # if the file groups thousands with it; otherwise nothing settles it
        amb = kind == f"ambiguous{m}"
        decimal_mark[amb & has[f"d{m}"]] = m
        unsettled = amb & ~has[f"d{m}"] & ~has[f"t{m}"]
        reason[unsettled & ~mixed] = _ambiguous(value[unsettled & ~mixed], column, m)
    marked = present & (kind != "plain")
    reason[mixed & marked] = _mixed(value[mixed & marked], column, per_file,
                                    file_key[mixed & marked], text, kind, file_key)
    reason[present & kind.isna()] = (value[present & kind.isna()]
                                     .map(lambda v: f"{column} {quoted(v)} is not a number"))
    for m in OTHER:
        is_dec = decimal_mark == m
        canonical[is_dec] = (canonical[is_dec].str.replace(OTHER[m], "", regex=False)
                             .str.replace(m, ".", regex=False))
    whole = present & decimal_mark.isna() & reason.isna()
    canonical[whole] = canonical[whole].str.replace(r"[.,]", "", regex=True)
    frac = canonical.str.extract(r"\.(\d+)$", expand=False)
    too_fine = (present & reason.isna() & frac.notna()
                & (frac.str.rstrip("0").str.len() > max_decimals)).astype(bool)
    reason[too_fine] = value[too_fine].map(
        lambda v: f"{column} {quoted(v)} has more than {max_decimals} decimals; "
                  f"send euros with at most {max_decimals} decimals (cents)")
    number = pd.to_numeric(canonical.where(present & reason.isna()), errors="coerce")
    return number.astype("float64"), reason


def _ambiguous(values: pd.Series, column: str, mark: str) -> pd.Series:
    def say(v: str) -> str:
        digits = v.replace(mark, "")
        as_decimal = v.replace(mark, ".")
        return (f"{column} {quoted(v)} is ambiguous: it reads {as_decimal} with '{mark}' as "
                f"decimal mark or {digits} with '{mark}' grouping thousands, and no other "
                "value of the column in this file settles which; write thousands without a "
                "separator or with a space")
    return values.map(say)


def _mixed(values: pd.Series, column: str, per_file: pd.DataFrame, keys: pd.Series,
           text: pd.Series, kind: pd.Series, file_key: pd.Series) -> pd.Series:
    examples: dict[object, str] = {}
    for key in keys.unique():
        mine = file_key == key
        shown = []
        for m in OTHER:
            first = text[mine & kind.isin([f"decimal{m}", f"both{m}"])].head(1)
            if len(first):
                shown.append(f"{quoted(first.iloc[0])} with '{m}'")
        examples[key] = " and ".join(shown)
    return pd.Series([f"{column} {quoted(v)}: this file's {column} column mixes decimal "
                      f"marks ({examples[k]}), so no value with a mark can be read safely; "
                      "send one decimal mark throughout"
                      for v, k in zip(values, keys, strict=True)], index=values.index,
                     dtype=object)
