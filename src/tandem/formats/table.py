"""The bulk CSV reader of the monitoring files (``monitoring.md`` s1, s8): a file split
into cells with NumPy, and columns decoded at once.

A file is read once as bytes and split with NumPy: newline and comma positions give every
cell's start and end, and numbers and dates are decoded from the byte matrix at once, so
millions of rows parse in about a second. A file with a quote character takes the plain
``csv`` module path instead, which yields the same cells. Every syntax error names the
file, the row (the header is row 1; a row is its line in the file) and the column.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tandem.domain.errors import InvalidFile
from tandem.domain.monitoring.rows import SKIPPED
from tandem.formats.dates import iso_ordinals
from tandem.formats.limits import INPUT_LIMIT_BYTES, not_text, too_large

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]

MAX_NUMBER_WIDTH = 18


PAD = 128  # zero bytes after the data, so that a fixed-width window never runs off
MAX_TEXT = PAD


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's cells as byte offsets into ``buf``.

    Cell ``j`` of record ``i`` runs from ``seps[i, j - 1] + 1`` (or ``line_start[i]``)
    to ``seps[i, j]`` (or ``line_end[i]``); ``seps`` are the comma positions.
    """

    name: str
    columns: tuple[str, ...]
    buf: NDArray[np.uint8]  # the data followed by PAD zero bytes
    line_start: Ints
    line_end: Ints
    seps: Ints  # (records, columns - 1)
    rows: Ints  # the file row of each record (header = 1)
    spaced: bool  # whether any cell may carry spaces to trim

    def col(self, name: str) -> int:
        return self.columns.index(name)

    def cell(self, j: int) -> tuple[Ints, Ints]:
        """Start and end offsets of column ``j`` in every record, spaces trimmed."""
        s = self.line_start if j == 0 else self.seps[:, j - 1] + 1
        e = self.line_end if j == len(self.columns) - 1 else self.seps[:, j]
        if self.spaced:
            s, e = _trim(self.buf, s.copy(), e.copy())
        return s, e

    def error(self, index: int, column: str, problem: str) -> InvalidFile:
        """The error for record ``index``'s ``column`` (named by its file row)."""
        return InvalidFile(self.name, int(self.rows[index]), column, problem)

    def text(self, index: int, column: int) -> str:
        s, e = self.cell(column)
        cell = bytes(self.buf[s[index] : e[index]])
        return cell.decode("utf-8", "replace")


def read_table(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> CsvTable:
    """Read a CSV file whose header holds ``required`` and perhaps ``optional`` columns."""
    name = path.name
    raw, size = _read_padded(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, size = raw[3:], size - 3
    split = _split_fast(raw, size) if raw.find(b'"', 0, size) < 0 else None
    if split is None:
        split = _split_csv(bytes(raw[:size]), name)
    header, line_start, line_end, seps, rows, buf = split
    columns = _check_header(name, header, required, optional)
    spaced = raw.find(b" ", 0, size) >= 0
    return CsvTable(name, columns, buf, line_start, line_end, seps, rows, spaced)


def _read_padded(path: Path) -> tuple[bytearray, int]:
    """The file's bytes followed by PAD zero bytes, read in place (no second copy)."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > INPUT_LIMIT_BYTES:
                raise too_large(path)
            raw = bytearray(size + PAD)
            view = memoryview(raw)
            done = 0
            while done < size:
                got = handle.readinto(view[done:size])
                if not got:
                    break
                done += got
    except OSError as exc:
        raise InvalidFile(path.name, None, None, f"cannot be read ({exc.strerror})") from None
    # the bounds every reader keeps (tandem.formats.limits), checked on the bytes in place
    if done > INPUT_LIMIT_BYTES:
        raise too_large(path)
    if raw.find(b"\x00", 0, done) >= 0:
        raise not_text(path)
    return raw, done


def _check_header(
    name: str, header: list[str], required: Sequence[str], optional: Sequence[str]
) -> tuple[str, ...]:
    columns = tuple(h.strip() for h in header)
    if columns in ((), ("",)):
        raise InvalidFile(name, 1, None, "the header row is missing (the file is empty)")
    allowed = set(required) | set(optional)
    for column in columns:
        if column not in allowed and not _item_column(column, optional):
            known = ", ".join(list(required) + list(optional))
            raise InvalidFile(name, 1, column, f"unknown column; allowed: {known}")
    for column in required:
        if column not in columns:
            raise InvalidFile(name, 1, None, f"the column {column} is missing")
    if len(set(columns)) != len(columns):
        raise InvalidFile(name, 1, None, "a column name appears twice")
    return columns


def _item_column(column: str, optional: Sequence[str]) -> bool:
    return "i*" in optional and column[:1] == "i" and column[1:].isdigit() and column[1] != "0"


Split = tuple[list[str], Ints, Ints, Ints, Ints, NDArray[np.uint8]]


def _split_fast(raw: bytearray, size: int) -> Split | None:
    """Cell offsets from newline and comma positions; ``None`` if a row is irregular."""
    buf = np.frombuffer(raw, np.uint8)
    newline = np.flatnonzero(buf[:size] == 10)
    line_start = np.concatenate(([0], newline + 1)).astype(np.int64)
    line_end = np.concatenate((newline, [size])).astype(np.int64)
    cr = (line_end > line_start) & (buf[np.maximum(line_end - 1, 0)] == 13)
    line_end = line_end - cr
    header = bytes(raw[line_start[0] : line_end[0]]).decode("utf-8", "replace").split(",")
    keep = np.flatnonzero(line_end > line_start)
    keep = keep[keep > 0]
    line_start, line_end = line_start[keep], line_end[keep]
    n, k = keep.size, len(header)
    offset = int(line_start[0]) if n else size
    commas = np.flatnonzero(buf[offset:size] == 44) + offset
    if commas.size != n * (k - 1):
        return None
    # Offsets fit in 32 bits below 2 GiB: half the memory for the largest array here.
    width = np.int32 if size < 2**31 - PAD else np.int64
    seps: Ints = commas.reshape(n, k - 1).astype(width)
    if k > 1 and n and ((seps[:, 0] < line_start).any() or (seps[:, -1] >= line_end).any()):
        return None
    return header, line_start, line_end, seps, keep + 1, buf


def _split_csv(data: bytes, name: str) -> Split:
    """The ``csv`` module path (quoted cells): the cells joined by commas into a new buffer."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidFile(name, None, None, "is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    lengths: list[list[int]] = []
    chunks: list[bytes] = []
    rows: list[int] = []
    try:
        header = next(reader, [])
        line = reader.line_num
        for record in reader:
            if record:
                if len(record) != len(header):
                    problem = f"{len(record)} columns where the header has {len(header)}"
                    raise InvalidFile(name, line + 1, None, problem)
                encoded = [cell.encode() for cell in record]
                chunks.append(b"\x1f".join(encoded) + b"\n")
                lengths.append([len(e) for e in encoded])
                rows.append(line + 1)
            line = reader.line_num
    except csv.Error as exc:
        raise InvalidFile(name, reader.line_num, None, str(exc)) from None
    k = max(len(header), 1)
    cells = np.asarray(lengths, np.int64).reshape(-1, k) + 1  # each cell and its separator
    ends = np.cumsum(cells.ravel()).reshape(cells.shape) - 1
    line_start = ends[:, 0] - cells[:, 0] + 1 if cells.size else np.zeros(0, np.int64)
    buf = np.frombuffer(b"".join(chunks) + bytes(PAD), np.uint8)
    return header, line_start, ends[:, -1], ends[:, :-1], np.asarray(rows, np.int64), buf


def _trim(buf: NDArray[np.uint8], starts: Ints, ends: Ints) -> tuple[Ints, Ints]:
    """Drop spaces around cells (a few vectorised passes)."""
    while True:
        lead = (starts < ends) & (buf[starts] == 32)
        if not lead.any():
            break
        starts += lead
    while True:
        tail = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 32)
        if not tail.any():
            break
        ends -= tail
    return starts, ends


def refuse_rows(table: CsvTable, bad: NDArray[np.bool_], column: str, why: str) -> None:
    hits = np.flatnonzero(bad)
    if hits.size:
        i = int(hits[0])
        value = table.text(i, table.col(column))
        raise table.error(i, column, f"{value!r} {why}")


def window(buf: NDArray[np.uint8], starts: Ints, width: int) -> NDArray[np.uint8]:
    """The ``width`` bytes from each start, as one (records, width) matrix."""
    view = np.lib.stride_tricks.as_strided(buf, (buf.size - width + 1, width), (1, 1))
    result: NDArray[np.uint8] = view[starts]
    return result


def _parse_decimals(chars: NDArray[np.uint8], length: Ints) -> tuple[Floats, NDArray[np.bool_]]:
    """Values of decimal cells (bytes past ``length`` ignored) and which are malformed."""
    n, width = chars.shape
    mantissa = np.zeros(n, np.int64)
    decimals = np.zeros(n, np.int64)
    seen_dot = np.zeros(n, bool)
    digits = np.zeros(n, np.int64)
    bad = length > MAX_NUMBER_WIDTH
    for j in range(width):
        c = chars[:, j]
        inside = length > j
        d = c - np.uint8(48)
        is_digit = inside & (d < 10)
        is_dot = inside & (c == 46)
        bad |= inside & ~is_digit & ~is_dot & ((c != 45) | (j > 0))
        bad |= is_dot & seen_dot
        mantissa = np.where(is_digit, mantissa * 10 + d, mantissa)
        decimals += is_digit & seen_dot
        digits += is_digit
        seen_dot |= is_dot
    bad |= digits == 0
    value = mantissa / 10.0**decimals
    value = np.where((length > 0) & (chars[:, 0] == 45), -value, value)
    return value, bad


def _short_table() -> tuple[Floats, NDArray[np.bool_]]:
    """Value and malformed flag of every cell of at most 2 bytes, keyed b0 + 256 * b1."""
    key = np.arange(1 << 16)
    chars = np.stack([key & 255, key >> 8], axis=1).astype(np.uint8)
    length = np.where(chars[:, 0] == 0, 0, np.where(chars[:, 1] == 0, 1, 2))
    value, bad = _parse_decimals(chars, length)
    return value, bad | ((chars[:, 0] == 0) & (chars[:, 1] != 0))


SHORT_VALUES, SHORT_BAD = _short_table()


def numbers(table: CsvTable, column: str, *, optional: bool, skip_dash: bool = False) -> Floats:
    """Decimal numbers of a column (``12``, ``7.5``, ``-1``); NaN for empty cells.

    With ``skip_dash`` a cell ``-`` gives ``SKIPPED`` (an item the form skipped).

    Cells of at most 2 bytes (most check-in answers) are read from a 65,536-entry table.
    """
    s, e = table.cell(table.col(column))
    length = e - s
    width = int(min(length.max(initial=0), MAX_NUMBER_WIDTH + 1))
    chars = window(table.buf, s, max(width, 2))
    empty = length == 0
    dash = (length == 1) & (chars[:, 0] == 45) & skip_dash  # '-': skipped, not empty
    if not optional:
        refuse_rows(table, empty, column, "is empty; a number is required")
    if width <= 2:
        low = np.where(length > 0, chars[:, 0], 0).astype(np.int64)
        key = low | (np.where(length > 1, chars[:, 1], 0).astype(np.int64) << 8)
        value, bad = SHORT_VALUES[key], SHORT_BAD[key]
    else:
        value, bad = _parse_decimals(chars, length)
    refuse_rows(table, bad & ~empty & ~dash, column, "is not a number")
    result: Floats = np.where(empty, np.nan, np.where(dash, SKIPPED, value))
    return result


def dates(table: CsvTable, column: str) -> Ints:
    """ISO dates (YYYY-MM-DD) of a column as proleptic ordinals (``date.toordinal()``),
    decoded by ``tandem.formats.dates.iso_ordinals`` a block of cells at a time (the
    cells' bytes are gathered per block, never for the whole column at once)."""
    s, e = table.cell(table.col(column))
    ordinal = np.empty(s.size, np.int64)
    bad = e - s != 10
    for lo in range(0, s.size, _DATE_BLOCK):
        block = slice(lo, lo + _DATE_BLOCK)
        ordinal[block], block_bad = iso_ordinals(window(table.buf, s[block], 10))
        bad[block] |= block_bad
    refuse_rows(table, bad, column, "is not a date (YYYY-MM-DD)")
    return ordinal


_DATE_BLOCK = 1 << 18


def labels(table: CsvTable, column: str) -> tuple[Ints, list[str]]:
    """Codes and distinct values of a text column, compared as 8-byte words at once."""
    s, e = table.cell(table.col(column))
    length = e - s
    refuse_rows(table, length == 0, column, "is empty")
    refuse_rows(table, length > MAX_TEXT, column, f"is longer than {MAX_TEXT} characters")
    if s.size == 0:
        return np.zeros(0, np.int64), []
    width = -(-int(length.max()) // 8) * 8
    chars = window(table.buf, s, width)
    chars = np.where(np.arange(width)[None, :] < length[:, None], chars, 0).astype(np.uint8)
    words = np.ascontiguousarray(chars).view(np.uint64)
    head = np.ones(s.size, bool)
    head[1:] = (words[1:] != words[:-1]).any(axis=1)
    heads = np.flatnonzero(head)
    if width == 8:  # one word: a plain sort of integers
        flat, run_code = np.unique(words[heads, 0], return_inverse=True)
        distinct = flat.reshape(-1, 1)
    else:
        distinct, run_code = np.unique(words[heads], axis=0, return_inverse=True)
    names = [bytes(row).rstrip(b"\0").decode("utf-8", "replace") for row in distinct.view(np.uint8)]
    codes = np.repeat(run_code.ravel().astype(np.int64), np.diff(np.append(heads, s.size)))
    return codes, names
