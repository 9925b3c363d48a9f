"""The timeline files of ``tandem tlfb``: ``tlfb.csv``, ``visits.csv`` and ``uds.csv`` in,
the outcomes CSV out.

``tlfb.csv`` (``id,date,amount``), ``uds.csv`` (``id,date,amount``) and ``visits.csv``
(``id,visit,date``) follow the ``abstcal`` research format (monitoring.md s1, s8).
Dates are ISO ``YYYY-MM-DD``. Every error names the file, the row (the header is row 1)
and the column, and says what is allowed (RULES.md; errors.py ``InvalidFile``).

A caseload of 100,000 subjects x 90 days is nine million rows, so plain files (a header,
then rows of exactly three unquoted fields) are split with NumPy over the raw bytes; any
other shape (quotes, extra columns, blank lines) is read with the ``csv`` module, which
gives the same result, only slower.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from tandem.domain.errors import InvalidFile
from tandem.domain.monitoring import abstinence as ab
from tandem.formats import read_input
from tandem.formats.dates import iso_date, iso_ordinals
from tandem.formats.text import quoted

_NEWLINE, _COMMA = 10, 44
_MAX_FAST_WIDTH = 64


@dataclass(frozen=True)
class Columns:
    """The raw fields of a three-column file, one fixed-width bytes array per column."""

    path: Path
    names: tuple[str, str, str]
    fields: tuple[NDArray[np.bytes_], NDArray[np.bytes_], NDArray[np.bytes_]]
    # The file row of each record when rows were skipped (blank lines, ``csv`` path);
    # ``None``: record ``i`` is row ``i + 2`` (the header is row 1).
    rows: NDArray[np.int64] | None = None

    @property
    def n_rows(self) -> int:
        return int(self.fields[0].shape[0])

    def fail(self, index: int, column: int, problem: str) -> InvalidFile:
        """An error for record ``index`` (0-based), naming its file row and quoting the cell."""
        value = self.fields[column][index].decode("utf-8", "replace")
        row = index + 2 if self.rows is None else int(self.rows[index])
        return InvalidFile(self.path.name, row, self.names[column], f"{value!r} {problem}")


def read_columns(path: Path, names: tuple[str, str, str]) -> Columns:
    """Read a CSV whose header holds exactly ``names`` (in that order)."""
    data = read_input(path)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    begin = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    header_end = data.find(b"\n", begin)
    header_end = len(data) if header_end < 0 else header_end
    header = data[begin:header_end].decode("utf-8", "replace").strip()
    if header.split(",") != list(names):
        problem = f"the header must be {','.join(names)}; found {header!r}"
        raise InvalidFile(path.name, 1, None, problem)
    end = len(data)
    while end > header_end and data[end - 1 : end] == b"\n":  # trailing blank lines
        end -= 1
    fields = _fast_chunks(data, min(header_end + 1, end), end)
    if fields is not None:
        return Columns(path, names, fields)
    return _csv_columns(path, data[header_end + 1 :], names)


_CHUNK_BYTES = 1 << 22


def _fast_chunks(
    data: bytes, begin: int, end: int
) -> tuple[NDArray[np.bytes_], NDArray[np.bytes_], NDArray[np.bytes_]] | None:
    """The fast split over chunks of about 4 MB cut at row ends, then joined.

    Chunks keep the temporaries small enough to be reused instead of page-faulted in
    afresh for every step (the difference is seconds of system time on 9 million rows).
    """
    parts = []
    while begin < end:
        cut = data.find(b"\n", min(begin + _CHUNK_BYTES, end), end)
        cut = end if cut < 0 else cut
        fields = _fast_fields(data, begin, cut)
        if fields is None:
            return None
        parts.append(fields)
        begin = cut + 1
    if not parts:
        return None
    joined = [np.concatenate([part[k] for part in parts]) for k in range(3)]
    return joined[0], joined[1], joined[2]


def _fast_fields(
    data: bytes, begin: int, end: int
) -> tuple[NDArray[np.bytes_], NDArray[np.bytes_], NDArray[np.bytes_]] | None:
    """Split the plain rows of data[begin:end] with NumPy; None when ``csv`` is needed.

    One pass finds every byte <= ``,``; in a plain file those are exactly two commas and
    one newline per row, in that order. Anything else (a space, a quote, a missing or
    extra field) sends the file to the ``csv`` module.
    """
    if end <= begin:
        return None
    padded = np.zeros(end - begin + 1 + _MAX_FAST_WIDTH, dtype=np.uint8)
    padded[: end - begin] = np.frombuffer(data, dtype=np.uint8, count=end - begin, offset=begin)
    padded[end - begin] = _NEWLINE  # the last row may lack its newline
    raw = padded[: end - begin + 1]
    found = np.flatnonzero(raw <= _COMMA)
    if found.shape[0] % 3:
        return None
    marks = found.reshape(-1, 3)
    kinds = raw[marks]
    if not ((kinds[:, :2] == _COMMA).all() and (kinds[:, 2] == _NEWLINE).all()):
        return None
    ends, first, second = marks[:, 2], marks[:, 0], marks[:, 1]
    starts = np.concatenate(([0], ends[:-1] + 1))
    bounds = ((starts, first), (first + 1, second), (second + 1, ends))
    fields = [_fast_gather(padded, lo, hi) for lo, hi in bounds]
    if fields[0] is None or fields[1] is None or fields[2] is None:
        return None
    return fields[0], fields[1], fields[2]


def _fast_gather(
    padded: NDArray[np.uint8], lo: NDArray[np.int64], hi: NDArray[np.int64]
) -> NDArray[np.bytes_] | None:
    """Bytes [lo:hi] of every row as one fixed-width ``S`` array (NUL-padded).

    Row ``r`` is row ``lo[r]`` of a sliding-window view of the file, so one fancy index
    copies every field; bytes past a shorter field's end are then zeroed.
    """
    lengths = hi - lo
    width = max(int(lengths.max()) if lengths.shape[0] else 1, 1)
    if width > _MAX_FAST_WIDTH:
        return None
    cells = sliding_window_view(padded, width)[lo]
    if lengths.shape[0] and int(lengths.min()) < width:
        cells[np.arange(width)[None, :] >= lengths[:, None]] = 0
    return np.ascontiguousarray(cells).view(f"S{width}").ravel()


def _csv_columns(path: Path, body: bytes, names: tuple[str, str, str]) -> Columns:
    """The ``csv`` module path, keeping each record's file row (blank lines are skipped)."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    reader = csv.reader(body.decode("utf-8", "replace").splitlines())
    for row in reader:
        number = reader.line_num + 1  # the body starts on the file's row 2
        if not row:
            continue
        if len(row) != 3:
            problem = f"expected 3 columns ({','.join(names)}), got {len(row)}"
            raise InvalidFile(path.name, number, None, problem)
        rows.append(row)
        numbers.append(number)
    columns = list(zip(*rows, strict=True)) if rows else [(), (), ()]
    arrays = [np.array([v.encode() for v in column], dtype="S") for column in columns]
    arrays = [a if a.size else np.array([], dtype="S1") for a in arrays]
    fields = (arrays[0], arrays[1], arrays[2])
    return Columns(path, names, fields, np.asarray(numbers, np.int64))


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
    keys, first_run, run_key = np.unique(ids[starts], return_index=True, return_inverse=True)
    key_code = np.empty(keys.shape[0], dtype=np.int64)
    for k in np.argsort(first_run, kind="stable").tolist():  # once per distinct id
        key = keys[k].decode("utf-8", "replace")
        if not key:
            raise columns.fail(int(starts[first_run[k]]), column, "is empty; every row needs an id")
        if key not in subjects.index:
            subjects.index[key] = len(subjects.ids)
            subjects.ids.append(key)
        key_code[k] = subjects.index[key]
    return np.repeat(key_code[run_key.ravel()], np.diff(np.append(starts, ids.shape[0])))


def day_numbers(columns: Columns, column: int) -> NDArray[np.int64]:
    """ISO dates to proleptic ordinals (``date.toordinal()``), checked on every row."""
    values = columns.fields[column]
    if values.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    if values.dtype.itemsize == 10:
        ordinals, bad = iso_ordinals(values.view(np.uint8).reshape(-1, 10))
        if bad.any():
            raise columns.fail(int(np.flatnonzero(bad)[0]), column, "is not a date; use YYYY-MM-DD")
        return ordinals
    unique, inverse = np.unique(values, return_inverse=True)
    out = np.empty(unique.shape[0], dtype=np.int64)
    for k, text in enumerate(unique.tolist()):
        out[k] = _ordinal(text, columns, column, values)
    return out[inverse.ravel()]


def _ordinal(text: bytes, columns: Columns, column: int, values: NDArray[np.bytes_]) -> int:
    try:
        return iso_date(text.decode("ascii")).toordinal()
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


def labels(columns: Columns, column: int) -> tuple[list[str], NDArray[np.int64]]:
    """A text column (such as the visit label): distinct values and each row's code.

    Empty cells are refused.
    """
    values = columns.fields[column]
    unique, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    texts = [value.decode("utf-8", "replace") for value in unique.tolist()]
    for text, row in zip(texts, first.tolist(), strict=True):
        if not text:
            raise columns.fail(int(row), column, "is empty; a value is required")
    return texts, inverse.ravel().astype(np.int64)


def read_tlfb(path: Path, subjects: Subjects) -> ab.Calendar:
    """``tlfb.csv`` (``id,date,amount``) as a calendar; subjects new to ``subjects`` are
    added in file order. A day given twice for one id is refused."""
    columns = read_columns(path, ("id", "date", "amount"))
    subject = subject_numbers(columns, 0, subjects)
    day = day_numbers(columns, 1)
    amount = amounts(columns, 2)
    calendar = ab.build_calendar(subject, day, amount, len(subjects.ids))
    if int(calendar.reported.sum()) != columns.n_rows:  # two rows landed on one cell
        repeat = first_repeat_day(subject, day)
        assert repeat is not None
        raise columns.fail(repeat, 1, "repeats a day already given for this id; one row a day")
    return calendar


def read_visits(path: Path, subjects: Subjects, protocol: dict[str, int]) -> ab.Visits:
    columns = read_columns(path, ("id", "visit", "date"))
    subject = subject_numbers(columns, 0, subjects)
    names, code = labels(columns, 1)
    day = day_numbers(columns, 2)
    n = len(subjects.ids)
    recorded: dict[str, tuple[NDArray[np.int64], NDArray[np.bool_]]] = {}
    for k, label in enumerate(names):  # a handful of visit labels, each done as arrays
        rows = np.flatnonzero(code == k)
        days, present = np.zeros(n, np.int64), np.zeros(n, np.bool_)
        counts = np.bincount(subject[rows], minlength=n)
        if counts.max() > 1:
            who = int(np.flatnonzero(counts > 1)[0])
            raise columns.fail(int(rows[subject[rows] == who][1]), 1, "repeats a visit of this id")
        days[subject[rows]], present[subject[rows]] = day[rows], True
        recorded[label] = (days, present)
    return ab.Visits(recorded=recorded, protocol_days=protocol)


def read_uds(
    path: Path, subjects: Subjects
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """``uds.csv`` (``id,date,amount`` in ng/mL): each row's subject number, day and amount;
    ids not in ``subjects`` get numbers past its end (``subjects`` is left as it is)."""
    columns = read_columns(path, ("id", "date", "amount"))
    known = Subjects(ids=list(subjects.ids), index=dict(subjects.index))
    return subject_numbers(columns, 0, known), day_numbers(columns, 1), amounts(columns, 2)


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


# ---------------------------------------------------------------- the outcomes CSV


def format_rows(ids: list[str], results: dict[str, NDArray[np.float64]]) -> str:
    """CSV body: outcome cells 1/0/empty, ``pda`` with two decimals, day counts whole."""
    columns = [_format_column(name, values) for name, values in results.items()]
    lines = [",".join(row) for row in zip(map(quoted, ids), *columns, strict=True)]
    return "".join(line + "\n" for line in lines)


_OUTCOME_TEXT = np.array(["0", "1", ""])


def _format_column(name: str, values: NDArray[np.float64]) -> list[str]:
    empty = np.isnan(values)
    if name == "pda":
        return [
            "" if e else f"{v:.2f}" for v, e in zip(values.tolist(), empty.tolist(), strict=True)
        ]
    if name.endswith(("days_to_first_use", "longest_abstinent_run")):
        whole = np.where(empty, 0, values).astype(np.int64).tolist()
        return ["" if e else str(v) for v, e in zip(whole, empty.tolist(), strict=True)]
    code = np.where(empty, 2, values).astype(np.int64)
    return list(_OUTCOME_TEXT[code].tolist())
