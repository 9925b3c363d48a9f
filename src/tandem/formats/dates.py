"""Dates in files: one decoder, for a single cell and for a whole column at once.

Every reader takes ISO ``YYYY-MM-DD`` dates and nothing else (``date.fromisoformat``
alone would also take ``20260105`` or the week date ``2026-W01-1``). ``iso_date`` reads one cell,
``iso_ordinals`` a column of cells as proleptic ordinals (``date.toordinal()``), for the
bulk readers of ``tandem analyze`` and ``tandem tlfb``; the two agree on every input
(``tests/unit/formats/test_dates.py``).
"""

from __future__ import annotations

from datetime import date

import numpy as np
from numpy.typing import NDArray

_BLOCK_ROWS = 1 << 18


def iso_date(text: str) -> date:
    """The date of a ``YYYY-MM-DD`` cell; ``ValueError`` for anything else."""
    digits = text[:4] + text[5:7] + text[8:]
    if len(text) == 10 and text[4] + text[7] == "--" and digits.isascii() and digits.isdigit():
        try:
            return date.fromisoformat(text)
        except ValueError:  # a month or day out of range
            pass
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")


def _month_tables() -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """For index ``year * 16 + month``: the ordinal of the day before the 1st, and the
    month's length (0 for year 0 and months 0, 13-15, so that those dates are bad).

    Proleptic Gregorian, as ``date.toordinal()`` (checked against it in the tests).
    """
    year = np.repeat(np.arange(10000, dtype=np.int64), 16)
    month = np.tile(np.arange(16, dtype=np.int64), 10000)
    valid = (year >= 1) & (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    safe = np.where(valid, month, 1)
    before_month = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334])[safe]
    in_month = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[safe]
    y = year - 1
    start = y * 365 + y // 4 - y // 100 + y // 400 + before_month + ((safe > 2) & leap)
    length = np.where(valid, in_month + ((safe == 2) & leap), 0)
    return start.astype(np.int32), length.astype(np.int32)


def _pair_table(pattern: str) -> NDArray[np.int16]:
    """Lookup from a two-byte pair (read as one native uint16) to the value of its digits.

    ``pattern`` is "dd" (two digits -> 0..99), "-d" or "d-" (one digit and a dash ->
    0..9); any other pair maps to -1.
    """
    table = np.full(1 << 16, -1, dtype=np.int16)
    for value in range(100 if pattern == "dd" else 10):
        text = pattern.replace("dd", f"{value:02d}").replace("d", str(value))
        table[int(np.frombuffer(text.encode(), dtype=np.uint16)[0])] = value
    return table


_TWO_DIGITS = _pair_table("dd")  # "YY" or "DD" -> 0..99
_DASH_DIGIT = _pair_table("-d")  # "-M" -> the month's tens digit
_DIGIT_DASH = _pair_table("d-")  # "M-" -> the month's units digit


_MONTH_START, _MONTH_LENGTH = _month_tables()


def iso_ordinals(text: NDArray[np.uint8]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """``iso_date(row).toordinal()`` of every row of a (rows, 10) byte matrix, and which
    rows are not dates (their ordinal is meaningless).

    Reads each row as five two-byte pairs ("YY", "YY", "-M", "M-", "DD") through lookup
    tables, then the month through a (year, month) table: a few gathers per row, in
    blocks that keep the temporaries small.
    """
    ordinals = np.empty(text.shape[0], dtype=np.int64)
    bad = np.empty(text.shape[0], dtype=np.bool_)
    for lo in range(0, text.shape[0], _BLOCK_ROWS):
        block = slice(lo, lo + _BLOCK_ROWS)
        ordinals[block], bad[block] = _block_ordinals(text[block])
    return ordinals, bad


def _block_ordinals(text: NDArray[np.uint8]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    pairs = np.ascontiguousarray(text).view(np.uint16)
    high, low = _TWO_DIGITS[pairs[:, 0]], _TWO_DIGITS[pairs[:, 1]]
    tens, units = _DASH_DIGIT[pairs[:, 2]], _DIGIT_DASH[pairs[:, 3]]
    day = _TWO_DIGITS[pairs[:, 4]]
    bad = (high < 0) | (low < 0) | (tens < 0) | (units < 0) | (day < 0)
    month = np.clip(tens * 10 + units, 0, 15)
    index = np.where(bad, 0, (high.astype(np.int32) * 100 + low) * 16 + month)
    bad |= (day < 1) | (day > _MONTH_LENGTH[index])
    return (_MONTH_START[index] + day).astype(np.int64), bad
