"""Reading the three-column timeline CSV files of ``tandem tlfb`` and ``tandem cm``.

``tlfb.csv`` (``id,date,amount``), ``uds.csv`` (``id,date,amount``) and ``visits.csv``
(``id,visit,date``) follow the ``abstcal`` research format (monitoring.md s1, s8).
Dates are ISO ``YYYY-MM-DD``. Every error names the file, the row (the header is row 1)
and the column, and says what is allowed (RULES.md; errors.py ``InvalidTimeline``).

A caseload of 100,000 subjects x 90 days is nine million rows, so plain files (a header,
then rows of exactly three unquoted fields) are split with NumPy over the raw bytes; any
other shape (quotes, extra columns, blank lines) is read with the ``csv`` module, which
gives the same result, only slower.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tandem.domain.errors import InvalidTimeline

_NEWLINE, _COMMA, _QUOTE = 10, 44, 34
_MAX_FAST_WIDTH = 64


@dataclass(frozen=True)
class Columns:
    """The raw fields of a three-column file, one fixed-width bytes array per column."""

    path: Path
    names: tuple[str, str, str]
    fields: tuple[NDArray[np.bytes_], NDArray[np.bytes_], NDArray[np.bytes_]]

    @property
    def n_rows(self) -> int:
        return int(self.fields[0].shape[0])

    def fail(self, index: int, column: int, problem: str) -> InvalidTimeline:
        """An error for data row ``index`` (0-based), shown as file row ``index + 2``."""
        value = self.fields[column][index].decode("utf-8", "replace")
        return InvalidTimeline(
            f"{self.path.name}, row {index + 2}, column {self.names[column]}: {value!r} {problem}"
        )


def read_columns(path: Path, names: tuple[str, str, str]) -> Columns:
    """Read a CSV whose header holds exactly ``names`` (in that order)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidTimeline(f"{path.name}: cannot be read ({exc.strerror})") from None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    begin = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    header_end = data.find(b"\n", begin)
    header_end = len(data) if header_end < 0 else header_end
    header = data[begin:header_end].decode("utf-8", "replace").strip()
    if header.split(",") != list(names):
        raise InvalidTimeline(
            f"{path.name}, row 1: the header must be {','.join(names)}; found {header!r}"
        )
    end = len(data)
    while end > header_end and data[end - 1 : end] == b"\n":  # trailing blank lines
        end -= 1
    fields = _fast_fields(data, min(header_end + 1, end), end)
    if fields is None:
        fields = _csv_fields(path, data[header_end + 1 :], names)
    return Columns(path, names, fields)


def _fast_fields(
    data: bytes, begin: int, end: int
) -> tuple[NDArray[np.bytes_], NDArray[np.bytes_], NDArray[np.bytes_]] | None:
    """Split the plain rows of data[begin:end] with NumPy; None when ``csv`` is needed."""
    if data.find(b'"', begin, end) >= 0:
        return None
    raw = np.frombuffer(data, dtype=np.uint8, count=end - begin, offset=begin)
    ends: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
    if end > begin:
        ends = np.append(np.flatnonzero(raw == _NEWLINE), raw.shape[0]).astype(np.int64)
    found = np.flatnonzero(raw == _COMMA)
    n = ends.shape[0]
    if found.shape[0] != 2 * n:
        return None
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    commas = found.reshape(n, 2).astype(np.int64)
    if n and not ((commas[:, 0] >= starts) & (commas[:, 1] < ends)).all():
        return None
    padded = np.concatenate((raw, np.zeros(_MAX_FAST_WIDTH, dtype=np.uint8)))
    bounds = ((starts, commas[:, 0]), (commas[:, 0] + 1, commas[:, 1]), (commas[:, 1] + 1, ends))
    fields = [_fast_gather(padded, lo, hi) for lo, hi in bounds]
    if fields[0] is None or fields[1] is None or fields[2] is None:
        return None
    return fields[0], fields[1], fields[2]


def _fast_gather(
    padded: NDArray[np.uint8], lo: NDArray[np.int64], hi: NDArray[np.int64]
) -> NDArray[np.bytes_] | None:
    """Bytes [lo:hi] of every row as one fixed-width ``S`` array (NUL-padded)."""
    lengths = hi - lo
    width = max(int(lengths.max()) if lengths.shape[0] else 1, 1)
    if width > _MAX_FAST_WIDTH:
        return None
    cells = np.zeros((lengths.shape[0], width), dtype=np.uint8)
    for offset in range(width):  # one vectorised gather per byte position, not per row
        column = padded[lo + offset]
        if offset >= int(lengths.min()):
            column[lengths <= offset] = 0
        cells[:, offset] = column
    return cells.view(f"S{width}").ravel()


def _csv_fields(
    path: Path, body: bytes, names: tuple[str, str, str]
) -> tuple[NDArray[np.bytes_], NDArray[np.bytes_], NDArray[np.bytes_]]:
    rows: list[list[str]] = []
    reader = csv.reader(body.decode("utf-8", "replace").splitlines())
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != 3:
            raise InvalidTimeline(
                f"{path.name}, row {number}: expected 3 columns ({','.join(names)}), got {len(row)}"
            )
        rows.append(row)
    columns = list(zip(*rows, strict=True)) if rows else [(), (), ()]
    arrays = [np.array([v.encode() for v in column], dtype="S") for column in columns]
    arrays = [a if a.size else np.array([], dtype="S1") for a in arrays]
    return arrays[0], arrays[1], arrays[2]


@dataclass(frozen=True)
class Subjects:
    """Subject ids in order of first appearance, and each row's subject number."""

    ids: list[str]
    index: dict[str, int]


def subject_numbers(columns: Columns, column: int, subjects: Subjects) -> NDArray[np.int64]:
    """Map the id column to subject numbers, adding new ids to ``subjects`` in file order."""
    ids = columns.fields[column]
    if ids.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    codes = np.empty(starts.shape[0], dtype=np.int64)
    for run, start in enumerate(starts.tolist()):
        key = ids[start].decode("utf-8", "replace")
        if not key:
            raise columns.fail(start, column, "is empty; every row needs an id")
        codes[run] = subjects.index.setdefault(key, len(subjects.ids))
        if codes[run] == len(subjects.ids):
            subjects.ids.append(key)
    return np.repeat(codes, np.diff(np.append(starts, ids.shape[0])))


def day_numbers(columns: Columns, column: int) -> NDArray[np.int64]:
    """ISO dates to proleptic ordinals (``date.toordinal()``), checked on every row."""
    values = columns.fields[column]
    if values.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    if values.dtype.itemsize == 10:
        ordinals, bad = _iso_ordinals(values.view(np.uint8).reshape(-1, 10))
        if not bad.any():
            return ordinals
        row = int(np.flatnonzero(bad)[0])
        raise columns.fail(row, column, "is not a date; use YYYY-MM-DD")
    unique, inverse = np.unique(values, return_inverse=True)
    out = np.empty(unique.shape[0], dtype=np.int64)
    for k, text in enumerate(unique.tolist()):
        out[k] = _ordinal(text, columns, column, values)
    return out[inverse.ravel()]


_DAYS_BEFORE_MONTH = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334])
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _iso_ordinals(text: NDArray[np.uint8]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Vectorised ``date.fromisoformat(...).toordinal()`` for YYYY-MM-DD rows, and bad rows.

    Works one byte position at a time (small int32 vectors, not a rows x 10 matrix).
    """
    bad = (text[:, 4] != ord("-")) | (text[:, 7] != ord("-"))

    def number(*positions: int) -> NDArray[np.int32]:
        value = np.zeros(text.shape[0], dtype=np.int32)
        for position in positions:
            digit = text[:, position].astype(np.int32) - ord("0")
            bad[(digit < 0) | (digit > 9)] = True
            value = value * 10 + digit
        return value

    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    safe_month = np.where(month_ok, month, 1)
    length = _DAYS_IN_MONTH[safe_month] + ((safe_month == 2) & leap)
    bad |= ~(month_ok & (year >= 1) & (day >= 1) & (day <= length))
    y = year.astype(np.int64) - 1
    before = y * 365 + y // 4 - y // 100 + y // 400
    ordinals = before + _DAYS_BEFORE_MONTH[safe_month] + ((safe_month > 2) & leap) + day
    return ordinals.astype(np.int64), bad


def _ordinal(text: bytes, columns: Columns, column: int, values: NDArray[np.bytes_]) -> int:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text.decode("ascii")).toordinal()
    except (ValueError, UnicodeDecodeError):
        row = int(np.flatnonzero(values == text)[0])
        raise columns.fail(row, column, "is not a date; use YYYY-MM-DD") from None


def amounts(columns: Columns, column: int) -> NDArray[np.float64]:
    """Non-negative finite numbers, checked on every row (each distinct text parsed once)."""
    values = columns.fields[column]
    if values.shape[0] == 0:
        return np.zeros(0, dtype=np.float64)
    if values.dtype.itemsize == 1:  # the common one-digit amounts, without sorting
        digit = values.view(np.uint8).astype(np.int64) - ord("0")
        if ((digit >= 0) & (digit <= 9)).all():
            return digit.astype(np.float64)
    unique, inverse = np.unique(values, return_inverse=True)
    parsed = np.empty(unique.shape[0], dtype=np.float64)
    for k, text in enumerate(unique.tolist()):
        parsed[k] = _amount(text)
        if math.isnan(parsed[k]):
            row = int(np.flatnonzero(values == text)[0])
            raise columns.fail(row, column, "is not an amount; use a number 0 or more")
    return parsed[inverse.ravel()]


def _amount(text: bytes) -> float:
    try:
        value = float(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return math.nan
    return value if math.isfinite(value) and value >= 0 else math.nan


def labels(columns: Columns, column: int) -> list[str]:
    """A text column (such as the visit label); empty cells are refused."""
    out = [value.decode("utf-8", "replace") for value in columns.fields[column].tolist()]
    for row, value in enumerate(out):
        if not value:
            raise columns.fail(row, column, "is empty; a value is required")
    return out


def first_repeat_day(subject: NDArray[np.int64], day: NDArray[np.int64]) -> int | None:
    """Index of the first row that repeats an earlier row's (subject, day), or None.

    Counts rows per cell of the subject-by-day grid (the same grid the outcomes use).
    """
    if subject.shape[0] == 0:
        return None
    n_subjects = int(subject.max()) + 1
    first = np.full(n_subjects, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, subject, day)
    last = np.full(n_subjects, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, subject, day)
    span = int((last - first)[first <= last].max()) + 1
    cell = subject * span + (day - first[subject])
    counts = np.bincount(cell, minlength=n_subjects * span)
    if counts.max() <= 1:
        return None
    repeated = np.flatnonzero(counts[cell] > 1)
    seen: set[int] = set()
    for row in repeated.tolist():  # only the few rows of repeated cells
        if int(cell[row]) in seen:
            return int(row)
        seen.add(int(cell[row]))
    return None
