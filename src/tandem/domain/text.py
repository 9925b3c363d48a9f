"""Which characters typed text may hold (issue 13, probe finding 2).

- Anywhere (every request value, JSON key or string): no NUL, which PostgreSQL cannot
  store, and no unpaired UTF-16 surrogate (JSON ``"\\ud800"``), which no database can
  encode. ``unstorable_at`` finds the first such value in a parsed request.
- Names (a patient's, a staff member's, a clinic's, a referral's contact): no control
  characters at all (Unicode category Cc, tabs and new lines included), no bidirectional
  controls (the right-to-left override U+202E and its kin make a name display as
  something else) and no invisible separators. Joiners U+200C/U+200D stay allowed:
  Persian and Indic names need them.
- Free text (plan fields, reasons): tab, new line and carriage return are allowed; other
  control characters and the bidirectional embeddings, overrides and isolates are not.
"""

from __future__ import annotations

import unicodedata
from typing import Any

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
INVISIBLE = frozenset("\u200b\u2028\u2029\u2060\ufeff")
TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r")


def _unstorable(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def unstorable_at(value: Any, where: str = "") -> str | None:
    """The location (``a.b.2``, as the API's validation errors name it) of the first
    string, key included, holding NUL or an unpaired surrogate; None when all are fine."""
    if isinstance(value, str):
        return (where or "body") if _unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and _unstorable(key):
                return where or "body"
            found = unstorable_at(item, here)
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = unstorable_at(item, f"{where}.{index}" if where else str(index))
            if found:
                return found
    return None


def name_problem(text: str) -> str | None:
    """Why a name cannot be stored as typed, or None when it can."""
    for ch in text:
        if _unstorable(ch) or unicodedata.category(ch) in ("Cc", "Cs"):
            return "control characters are not allowed"
        if ch in BIDI_CONTROLS or ch in BIDI_MARKS:
            return "right-to-left or left-to-right controls are not allowed"
        if ch in INVISIBLE:
            return "invisible separators are not allowed"
    return None


def free_text_problem(text: str) -> str | None:
    """Why free text cannot be stored as typed, or None when it can."""
    for ch in text:
        if ch in TEXT_CONTROLS_ALLOWED:
            continue
        if _unstorable(ch) or unicodedata.category(ch) in ("Cc", "Cs"):
            return "control characters are not allowed (tab and new line are)"
        if ch in BIDI_CONTROLS:
            return "right-to-left or left-to-right overrides are not allowed"
    return None
