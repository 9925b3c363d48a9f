"""Reading the monitoring CSV files of ``tandem analyze`` in bulk (``monitoring.md`` s1, s8).

A file is read once as bytes and split with NumPy: newline and comma positions give every
cell's start and end, and numbers and dates are decoded from the byte matrix at once, so
millions of rows parse in about a second. A file with a quote character takes the plain
``csv`` module path instead, which yields the same cells. Every syntax error names the
file, the row (the header is row 1; a row is its line in the file) and the column; the
domain (``tandem.domain.monitoring.rows``) then checks ranges and duplicates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tandem.domain.errors import InvalidTimeline
from tandem.domain.monitoring.rows import (
    INSTRUMENTS,
    SCREEN_RESULTS,
    Caseload,
    CheckinRows,
    InstrumentRows,
    ScreenRows,
    Source,
    no_instruments,
    no_screens,
)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]

CHECKIN_COLUMNS = ("patient_id", "date", "mood", "sleep_hours", "craving", "used")
CHECKIN_OPTIONAL = ("energy", "safety")
INSTRUMENT_COLUMNS = ("patient_id", "date", "instrument", "total")
SCREEN_COLUMNS = ("patient_id", "date", "result")
SCREEN_OPTIONAL = ("benzoylecgonine_ng_ml",)
# Instruments of instruments.md that the monitoring core does not read: accepted, skipped.
OTHER_INSTRUMENTS = ("phq2", "auditc", "dast10", "sds", "assist", "qids_sr16", "isi")
MAX_NUMBER_WIDTH = 18


@dataclass(frozen=True)
class CsvTable:
    """Cells of a CSV file as byte offsets into ``buf`` (rows x columns)."""

    name: str
    columns: tuple[str, ...]
    buf: NDArray[np.uint8]
    starts: Ints
    ends: Ints
    rows: Ints  # the file row of each record (header = 1)

    def col(self, name: str) -> int:
        return self.columns.index(name)

    def where(self, index: int, column: str) -> str:
        return f"{self.name}: row {int(self.rows[index])}, column {column}"

    def text(self, index: int, column: int) -> str:
        cell = bytes(self.buf[self.starts[index, column] : self.ends[index, column]])
        return cell.decode("utf-8", "replace")


def fail(message: str) -> InvalidTimeline:
    return InvalidTimeline(message)


def read_table(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> CsvTable:
    """Read a CSV file whose header holds ``required`` and perhaps ``optional`` columns."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"{name}: cannot be read ({exc.strerror})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    split = _split_fast(data) if b'"' not in data else None
    buf, starts, ends, rows, header = split if split else _split_csv(data, name)
    columns = _check_header(name, header, required, optional)
    if starts.shape[1] != len(columns) and starts.shape[0]:
        raise fail(f"{name}: row 1: the header has {len(columns)} columns")
    starts, ends = _trim(buf, starts, ends)
    return CsvTable(name, columns, buf, starts, ends, rows)


def _check_header(
    name: str, header: list[str], required: Sequence[str], optional: Sequence[str]
) -> tuple[str, ...]:
    columns = tuple(h.strip() for h in header)
    allowed = set(required) | set(optional)
    for column in columns:
        if column not in allowed and not _item_column(column, optional):
            known = ", ".join(list(required) + list(optional))
            raise fail(f"{name}: row 1, column {column}: unknown column; allowed: {known}")
    for column in required:
        if column not in columns:
            raise fail(f"{name}: row 1: the column {column} is missing")
    if len(set(columns)) != len(columns):
        raise fail(f"{name}: row 1: a column name appears twice")
    return columns


def _item_column(column: str, optional: Sequence[str]) -> bool:
    return "i*" in optional and column[:1] == "i" and column[1:].isdigit() and column[1] != "0"


def _split_fast(
    data: bytes,
) -> tuple[NDArray[np.uint8], Ints, Ints, Ints, list[str]] | None:
    """Cell offsets from newline and comma positions; ``None`` if the shape is irregular."""
    buf = np.frombuffer(data, np.uint8)
    newline = np.flatnonzero(buf == 10)
    line_start = np.concatenate(([0], newline + 1)).astype(np.int64)
    line_end = np.concatenate((newline, [buf.size])).astype(np.int64)
    cr = (line_end > line_start) & (buf[np.maximum(line_end - 1, 0)] == 13)
    line_end = line_end - cr
    header = data[line_start[0] : line_end[0]].decode("utf-8", "replace").split(",")
    keep = np.flatnonzero(line_end > line_start)
    keep = keep[keep > 0]
    line_start, line_end = line_start[keep], line_end[keep]
    n, k = keep.size, len(header)
    commas = np.flatnonzero(buf[int(line_start[0]) if n else buf.size :] == 44)
    commas = (commas + (int(line_start[0]) if n else buf.size)).astype(np.int64)
    if commas.size != n * (k - 1):
        return None
    grid = commas.reshape(n, k - 1)
    if k > 1 and n and ((grid[:, 0] < line_start).any() or (grid[:, -1] >= line_end).any()):
        return None
    starts = np.empty((n, k), np.int64)
    ends = np.empty((n, k), np.int64)
    starts[:, 0] = line_start
    starts[:, 1:] = grid + 1
    ends[:, :-1] = grid
    ends[:, -1] = line_end
    return buf, starts, ends, keep + 1, header


def _split_csv(data: bytes, name: str) -> tuple[NDArray[np.uint8], Ints, Ints, Ints, list[str]]:
    """The ``csv`` module path (quoted cells); the same offsets into a rebuilt buffer."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail(f"{name}: is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        chunks: list[bytes] = []
        cells: list[list[int]] = []
        rows: list[int] = []
        line = reader.line_num
        for record in reader:
            if record:
                _record(record, chunks, cells, len(header), name, line + 1)
                rows.append(line + 1)
            line = reader.line_num
    except csv.Error as exc:
        raise fail(f"{name}: row {reader.line_num}: {exc}") from None
    lengths = np.asarray(cells, np.int64).reshape(-1, len(header))
    ends = np.cumsum(lengths.ravel()).reshape(lengths.shape)
    starts = ends - lengths
    buf = np.frombuffer(b"".join(chunks), np.uint8)
    return buf, starts, ends, np.asarray(rows, np.int64), header


def _record(
    record: list[str], chunks: list[bytes], cells: list[list[int]], k: int, name: str, row: int
) -> None:
    if len(record) != k:
        raise fail(f"{name}: row {row}: {len(record)} columns where the header has {k}")
    encoded = [cell.encode() for cell in record]
    chunks.extend(encoded)
    cells.append([len(e) for e in encoded])


def _trim(buf: NDArray[np.uint8], starts: Ints, ends: Ints) -> tuple[Ints, Ints]:
    """Drop spaces around cells (a few vectorised passes)."""
    starts, ends = starts.copy(), ends.copy()
    if buf.size == 0:
        return starts, ends
    top = buf.size - 1
    while True:
        lead = (starts < ends) & (buf[np.minimum(starts, top)] == 32)
        if not lead.any():
            break
        starts += lead
    while True:
        tail = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 32)
        if not tail.any():
            break
        ends -= tail
    return starts, ends


def _bad_row(table: CsvTable, bad: NDArray[np.bool_], column: str, why: str) -> None:
    hits = np.flatnonzero(bad)
    if hits.size:
        i = int(hits[0])
        value = table.text(i, table.col(column))
        raise fail(f"{table.where(i, column)}: {value!r} {why}")


def _chars(table: CsvTable, column: int, width: int) -> tuple[NDArray[np.uint8], Ints]:
    """The first ``width`` bytes of each cell of a column (0 past its end) and lengths."""
    s, e = table.starts[:, column], table.ends[:, column]
    length = e - s
    pos = np.arange(width)
    inside = pos[None, :] < length[:, None]
    top = max(table.buf.size - 1, 0)
    raw = table.buf[np.minimum(s[:, None] + pos[None, :], top)] if table.buf.size else None
    chars = (
        np.where(inside, raw, 0).astype(np.uint8)
        if raw is not None
        else np.zeros((s.size, width), np.uint8)
    )
    return chars, length


def numbers(table: CsvTable, column: str, *, optional: bool, skip_dash: bool = False) -> Floats:
    """Decimal numbers of a column (``12``, ``7.5``, ``-1``); NaN for empty cells."""
    j = table.col(column)
    length = table.ends[:, j] - table.starts[:, j]
    width = int(min(length.max(initial=0), MAX_NUMBER_WIDTH + 1))
    chars, length = _chars(table, j, max(width, 1))
    empty = length == 0
    if skip_dash:
        empty |= (length == 1) & (chars[:, 0] == 45)
    if not optional:
        _bad_row(table, empty, column, "is empty; a number is required")
    digit = (chars >= 48) & (chars <= 57)
    dot = chars == 46
    minus = np.zeros_like(digit)
    minus[:, 0] = chars[:, 0] == 45
    inside = np.arange(chars.shape[1])[None, :] < length[:, None]
    valid = ((digit | dot | minus | ~inside).all(axis=1)) & (dot.sum(axis=1) <= 1)
    valid &= digit.any(axis=1) & (length <= MAX_NUMBER_WIDTH)
    _bad_row(table, ~valid & ~empty, column, "is not a number")
    after = np.cumsum(digit[:, ::-1], axis=1)[:, ::-1] - digit
    powers = 10 ** np.arange(MAX_NUMBER_WIDTH + 1, dtype=np.int64)
    mantissa = (np.where(digit, chars - 48, 0).astype(np.int64) * powers[after]).sum(axis=1)
    decimals = (digit & (np.cumsum(dot, axis=1) > 0)).sum(axis=1)
    value = mantissa / 10.0**decimals
    value = np.where(minus[:, 0], -value, value)
    return np.where(empty, np.nan, value)


_DAYS_BEFORE_MONTH = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334])


def dates(table: CsvTable, column: str) -> Ints:
    """ISO dates (YYYY-MM-DD) of a column as proleptic ordinals (``date.toordinal()``)."""
    j = table.col(column)
    chars, length = _chars(table, j, 10)
    digit = (chars >= 48) & (chars <= 57)
    shape_ok = (length == 10) & (chars[:, 4] == 45) & (chars[:, 7] == 45)
    shape_ok &= digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1)
    d = chars.astype(np.int64) - 48
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month = d[:, 5] * 10 + d[:, 6]
    day = d[:, 8] * 10 + d[:, 9]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    mclip = np.clip(month, 1, 12)
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[mclip]
    month_days = month_days + ((mclip == 2) & leap)
    valid = shape_ok & month_ok & (day >= 1) & (day <= month_days) & (year >= 1)
    _bad_row(table, ~valid, column, "is not a date (YYYY-MM-DD)")
    y = year - 1
    before = y * 365 + y // 4 - y // 100 + y // 400
    ordinal = before + _DAYS_BEFORE_MONTH[mclip] + ((mclip > 2) & leap) + day
    return ordinal.astype(np.int64)


def labels(table: CsvTable, column: str) -> tuple[Ints, list[str]]:
    """Codes and distinct values of a text column, found run by run (files are grouped)."""
    j = table.col(column)
    s, e = table.starts[:, j], table.ends[:, j]
    n = s.size
    length = e - s
    _bad_row(table, length == 0, column, "is empty")
    head = np.ones(n, bool)
    if n > 1:
        same = length[1:] == length[:-1]
        top = table.buf.size - 1
        for k in range(int(length.max())):
            a = table.buf[np.minimum(s[1:] + k, top)]
            b = table.buf[np.minimum(s[:-1] + k, top)]
            same &= (k >= length[1:]) | (a == b)
        head[1:] = ~same
    heads = np.flatnonzero(head)
    raw = table.buf.tobytes()
    index: dict[str, int] = {}
    run_code = np.empty(heads.size, np.int64)
    for r, (a, b) in enumerate(zip(s[heads].tolist(), e[heads].tolist(), strict=True)):
        text = raw[a:b].decode("utf-8", "replace")
        run_code[r] = index.setdefault(text, len(index))
    codes = np.repeat(run_code, np.diff(np.append(heads, n)))
    return codes, list(index)


def patients(table: CsvTable) -> tuple[Ints, list[str]]:
    return labels(table, "patient_id")


def read_checkins(path: Path) -> tuple[CsvTable, Ints, list[str]]:
    table = read_table(path, CHECKIN_COLUMNS, CHECKIN_OPTIONAL)
    codes, ids = patients(table)
    return table, codes, ids


def checkin_rows(table: CsvTable, patient: Ints) -> CheckinRows:
    def optional(column: str) -> Floats:
        if column in table.columns:
            return numbers(table, column, optional=True)
        return np.full(table.rows.size, np.nan)

    return CheckinRows(
        patient=patient,
        day=dates(table, "date"),
        mood=numbers(table, "mood", optional=False),
        sleep_hours=numbers(table, "sleep_hours", optional=False),
        craving=numbers(table, "craving", optional=False),
        used=numbers(table, "used", optional=False),
        energy=optional("energy"),
        safety=optional("safety"),
        source=Source(table.name, table.rows),
    )


def _instrument_codes(table: CsvTable) -> Ints:
    codes, names = labels(table, "instrument")
    canon = {_norm(n): i for i, n in enumerate(INSTRUMENTS)}
    canon.update({_norm(n): -1 for n in OTHER_INSTRUMENTS})
    mapped = np.empty(len(names), np.int64)
    for k, label in enumerate(names):
        if _norm(label) not in canon:
            first = int(np.flatnonzero(codes == k)[0])
            allowed = ", ".join(INSTRUMENTS + OTHER_INSTRUMENTS)
            raise fail(f"{table.where(first, 'instrument')}: {label!r} is not one of {allowed}")
        mapped[k] = canon[_norm(label)]
    result: Ints = mapped[codes] if codes.size else codes
    return result


def _norm(label: str) -> str:
    return label.lower().replace("-", "").replace("_", "")


def instrument_rows(table: CsvTable, patient: Ints) -> InstrumentRows:
    """Instrument rows of the instruments the core reads (others are skipped)."""
    code = _instrument_codes(table)
    item_names = sorted(
        (c for c in table.columns if c[:1] == "i" and c[1:].isdigit()), key=lambda c: int(c[1:])
    )
    if item_names != [f"i{k}" for k in range(1, len(item_names) + 1)]:
        raise fail(f"{table.name}: row 1: item columns must run i1, i2, ... without gaps")
    keep = code >= 0
    items = (
        np.column_stack([numbers(table, c, optional=True, skip_dash=True) for c in item_names])
        if item_names
        else np.zeros((table.rows.size, 0))
    )
    rows = table.rows[keep]
    return InstrumentRows(
        patient=patient[keep],
        day=dates(table, "date")[keep],
        instrument=code[keep],
        total=numbers(table, "total", optional=True)[keep],
        items=items[keep],
        source=Source(table.name, rows),
    )


def screen_rows(table: CsvTable, patient: Ints) -> ScreenRows:
    codes, names = labels(table, "result")
    mapped = np.empty(len(names), np.int64)
    for k, label in enumerate(names):
        if label.lower() not in SCREEN_RESULTS:
            first = int(np.flatnonzero(codes == k)[0])
            allowed = ", ".join(SCREEN_RESULTS)
            raise fail(f"{table.where(first, 'result')}: {label!r} is not one of {allowed}")
        mapped[k] = SCREEN_RESULTS.index(label.lower())
    level = (
        numbers(table, "benzoylecgonine_ng_ml", optional=True)
        if "benzoylecgonine_ng_ml" in table.columns
        else np.full(table.rows.size, np.nan)
    )
    return ScreenRows(
        patient=patient,
        day=dates(table, "date"),
        result=mapped[codes] if codes.size else codes,
        benzoylecgonine=level,
        source=Source(table.name, table.rows),
    )


def read_caseload(
    checkins: Path, instruments: Path | None = None, screens: Path | None = None
) -> Caseload:
    """Read the files of ``tandem analyze`` into one ``Caseload`` (ids sorted)."""
    tables: list[tuple[str, CsvTable, Ints, list[str]]] = []
    ci = read_table(checkins, CHECKIN_COLUMNS, CHECKIN_OPTIONAL)
    tables.append(("checkins", ci, *patients(ci)))
    if instruments is not None:
        t = read_table(instruments, INSTRUMENT_COLUMNS, ("i*",))
        tables.append(("instruments", t, *patients(t)))
    if screens is not None:
        t = read_table(screens, SCREEN_COLUMNS, SCREEN_OPTIONAL)
        tables.append(("screens", t, *patients(t)))
    ids = sorted({pid for _, _, _, names in tables for pid in names})
    position = {pid: i for i, pid in enumerate(ids)}
    built: dict[str, object] = {}
    for kind, table, codes, names in tables:
        remap = np.asarray([position[n] for n in names], np.int64)
        patient = remap[codes] if codes.size else codes
        built[kind] = BUILDERS[kind](table, patient)
    return Caseload(
        patient_ids=tuple(ids),
        checkins=built["checkins"],  # type: ignore[arg-type]  # keyed by kind above
        instruments=built.get("instruments") or no_instruments(),  # type: ignore[arg-type]
        screens=built.get("screens") or no_screens(),  # type: ignore[arg-type]
    )


BUILDERS = {"checkins": checkin_rows, "instruments": instrument_rows, "screens": screen_rows}
