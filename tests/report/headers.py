"""The column names of a rendered report's tables, read from its HTML."""

from __future__ import annotations

import re


def header_rows(html: str) -> list[list[str]]:
    """Each table head's non-empty header cells as text, tags and runs of space folded."""
    rows = []
    for head in re.findall(r"<thead>(.*?)</thead>", html, flags=re.S):
        cells = [re.sub(r"<[^>]+>|\s+", " ", h).strip()
                 for h in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)]
        rows.append([c for c in cells if c])
    return rows
