"""What of a provider's content may be shown (arvo.redact)."""

from __future__ import annotations

from arvo import hetu
from arvo.redact import MASK, holds_identity_code, shown

CODE = "131052-308T"


def test_identity_codes_are_masked_in_any_case_and_spacing():
    for text in (CODE, CODE.lower(), "131052 - 308T", f"x;{CODE};y", "131052308T"):
        assert "131052" not in shown(text) and MASK in shown(text)
    assert shown("131052-308U") == MASK  # a mistyped code with its sign is personal data too


def test_record_ids_stay_readable():
    for text in ("0000003195", "b1234567-1234-42ea-8c4a-2679cdcfbb53", "E-1001", "2025-01-03"):
        assert shown(text) == text
    assert not holds_identity_code("0000003195")


def test_long_values_are_cut_and_a_straddling_code_is_masked_whole():
    text = "x" * 55 + CODE + "y" * 2_000_000
    out = shown(text)
    assert len(out) == 61 and out.endswith("…") and "131052" not in out


def test_a_valid_code_in_text_is_found():
    code = hetu.make(__import__("datetime").date(1990, 1, 2), 905)
    assert holds_identity_code(f"id {code}") and not holds_identity_code("id 020190-9050")
