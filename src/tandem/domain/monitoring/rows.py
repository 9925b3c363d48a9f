"""The timeline rows of ``monitoring.md`` s1, as columns, checked against their contract.

A caller (the CLI reading CSV files, the app reading its tables) hands the monitoring
core one ``Caseload``: check-ins, instrument scores and urine drug screens as NumPy
columns, each with the ``Source`` it came from so that an error names the file, row and
column. Days are proleptic ordinals (``date.toordinal()``), as in ``abstinence``.

``check_caseload`` enforces the contract and raises ``InvalidTimeline`` on the first
breach it finds, column by column; it never repairs or guesses a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
from numpy.typing import NDArray

from tandem.domain.errors import InvalidTimeline

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

# Instruments the monitoring core reads (ids as in instruments.md).
INSTRUMENTS: Final = ("phq9", "gad7", "pcl5", "cssrs")
PHQ9, GAD7, PCL5, CSSRS = range(4)
# (highest total, highest item answer, scored items): instruments.md table; facts.md s2.
SCALES: Final = {PHQ9: (27, 3, 9), GAD7: (21, 3, 7), PCL5: (80, 4, 20)}
# C-SSRS risk tiers, instruments.md (cssrs row) from facts.md s2.4 triage points.
CSSRS_TIERS: Final = ("none", "low", "moderate", "high")

# Urine drug screen results, monitoring.md s1.
SCREEN_RESULTS: Final = ("negative", "positive", "invalid", "missed")
NEGATIVE, POSITIVE, INVALID, MISSED = range(4)


@dataclass(frozen=True)
class Source:
    """Where rows came from: a name for messages and each row's record number."""

    name: str
    rows: Ints

    def where(self, index: int, column: str) -> str:
        return f"{self.name}: row {int(self.rows[index])}, column {column}"


@dataclass(frozen=True)
class CheckinRows:
    """Daily check-ins (s1): at most one per patient per day; NaN marks an empty cell."""

    patient: Ints
    day: Ints
    mood: Floats
    sleep_hours: Floats
    craving: Floats
    used: Floats
    energy: Floats
    safety: Floats
    source: Source


@dataclass(frozen=True)
class InstrumentRows:
    """Instrument scores (s1): ``instrument`` indexes ``INSTRUMENTS``; items in order."""

    patient: Ints
    day: Ints
    instrument: Ints
    total: Floats
    items: Floats  # shape (rows, item columns); NaN for empty or skipped ('-')
    source: Source


@dataclass(frozen=True)
class ScreenRows:
    """Urine drug screens (s1): ``result`` indexes ``SCREEN_RESULTS``."""

    patient: Ints
    day: Ints
    result: Ints
    benzoylecgonine: Floats
    source: Source


@dataclass(frozen=True)
class Caseload:
    """Everything the monitoring core reads; ``patient`` columns index ``patient_ids``."""

    patient_ids: tuple[str, ...]
    checkins: CheckinRows
    instruments: InstrumentRows
    screens: ScreenRows


def empty_source(name: str) -> Source:
    return Source(name, np.zeros(0, np.int64))


def no_instruments(name: str = "instruments", item_columns: int = 0) -> InstrumentRows:
    z = np.zeros(0, np.int64)
    return InstrumentRows(z, z, z, np.zeros(0), np.zeros((0, item_columns)), empty_source(name))


def no_screens(name: str = "screens") -> ScreenRows:
    z = np.zeros(0, np.int64)
    return ScreenRows(z, z, z, np.zeros(0), empty_source(name))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _first(bad: Bools) -> int | None:
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def check_range(
    values: Floats, low: float, high: float, column: str, source: Source, *, optional: bool
) -> None:
    """Raise on the first value outside [low, high] (or empty when not ``optional``)."""
    missing = np.isnan(values)
    index = _first(missing & (not optional))
    if index is not None:
        raise InvalidTimeline(f"{source.where(index, column)}: is empty; a value is required")
    index = _first(~missing & ((values < low) | (values > high)))
    if index is not None:
        text = f"{_number(values[index])} is not between {_number(low)} and {_number(high)}"
        raise InvalidTimeline(f"{source.where(index, column)}: {text}")


def check_choice(
    values: Floats, allowed: tuple[float, ...], column: str, source: Source, *, optional: bool
) -> None:
    """Raise on the first value not in ``allowed`` (or empty when not ``optional``)."""
    missing = np.isnan(values)
    index = _first(missing & (not optional))
    if index is not None:
        raise InvalidTimeline(f"{source.where(index, column)}: is empty; a value is required")
    index = _first(~missing & ~np.isin(values, allowed))
    if index is not None:
        choices = " or ".join(_number(a) for a in allowed)
        text = f"{_number(values[index])} is not {choices}"
        raise InvalidTimeline(f"{source.where(index, column)}: {text}")


def check_checkins(rows: CheckinRows) -> None:
    """Ranges of monitoring.md s1: mood, craving, energy 0-10; sleep 0-24; used, safety 0/1."""
    src = rows.source
    check_range(rows.mood, 0, 10, "mood", src, optional=False)
    check_range(rows.sleep_hours, 0, 24, "sleep_hours", src, optional=False)
    check_range(rows.craving, 0, 10, "craving", src, optional=False)
    check_choice(rows.used, (0.0, 1.0), "used", src, optional=False)
    check_range(rows.energy, 0, 10, "energy", src, optional=True)
    check_choice(rows.safety, (0.0, 1.0), "safety", src, optional=True)


def check_screens(rows: ScreenRows) -> None:
    """Benzoylecgonine, when given, is a concentration in ng/mL (>= 0)."""
    index = _first(rows.benzoylecgonine < 0)
    if index is not None:
        where = rows.source.where(index, "benzoylecgonine_ng_ml")
        raise InvalidTimeline(f"{where}: {_number(rows.benzoylecgonine[index])} is below 0")


def check_duplicates(patient: Ints, day: Ints, source: Source, what: str) -> None:
    """At most one row per patient per day (s1 for check-ins); names the second row.

    Files sorted by patient and date pass in one comparison; others are sorted first.
    """
    if patient.size < 2:
        return
    key = patient * (1 << 22) + day  # ordinals stay below 2**22 up to the year 9999
    if bool(np.all(key[1:] > key[:-1])):
        return
    ordered = np.sort(key)
    if not bool((ordered[1:] == ordered[:-1]).any()):
        return
    order = np.lexsort((np.arange(patient.size), key))
    same = key[order][1:] == key[order][:-1]
    seconds, firsts = order[1:][same], order[:-1][same]
    k = int(np.argmin(seconds))
    second, first = int(seconds[k]), int(firsts[k])
    when = date.fromordinal(int(day[second])).isoformat()
    raise InvalidTimeline(
        f"{source.where(second, 'date')}: a second {what} for this patient on {when} "
        f"(the first is row {int(source.rows[first])}); at most one is allowed"
    )


def check_caseload(caseload: Caseload) -> None:
    """Enforce the whole contract of ``monitoring.md`` s1 (raises ``InvalidTimeline``)."""
    ci = caseload.checkins
    check_checkins(ci)
    check_duplicates(ci.patient, ci.day, ci.source, "check-in")
    check_instruments(caseload.instruments)
    check_screens(caseload.screens)


def check_instruments(rows: InstrumentRows) -> None:
    """Totals and items in range, totals equal to the sum of complete items.

    A duplicate score of one instrument on one day is refused: which one counts would be
    a guess (the program's rule; monitoring.md s1 only rules on check-ins).
    """
    key = rows.patient * len(INSTRUMENTS) + rows.instrument
    check_duplicates(key, rows.day, rows.source, "score of the same instrument")
    for code, (top, item_top, scored) in SCALES.items():
        _check_scale(rows, code, top, item_top, scored)
    cssrs_tier(rows)


def _check_scale(rows: InstrumentRows, code: int, top: int, item_top: int, scored: int) -> None:
    mine = rows.instrument == code
    name = INSTRUMENTS[code]
    items = rows.items[:, :scored]
    for j in range(items.shape[1]):
        values = np.where(mine, items[:, j], np.nan)
        check_range(values, 0, item_top, f"i{j + 1}", rows.source, optional=True)
        _check_integers(values, f"i{j + 1}", rows.source)
    total = np.where(mine, rows.total, np.nan)
    complete = mine & (items.shape[1] == scored) & ~np.isnan(items).any(axis=1)
    sums = items.sum(axis=1) if items.shape[1] == scored else np.full(mine.size, np.nan)
    index = _first(mine & np.isnan(total) & ~complete)
    if index is not None:
        where = rows.source.where(index, "total")
        raise InvalidTimeline(f"{where}: is empty and the {name} items are incomplete")
    check_range(total, 0, top, "total", rows.source, optional=True)
    _check_integers(total, "total", rows.source)
    index = _first(complete & ~np.isnan(total) & (total != sums))
    if index is not None:
        where = rows.source.where(index, "total")
        text = (
            f"{_number(total[index])} is not the sum of the {name} items ({_number(sums[index])})"
        )
        raise InvalidTimeline(f"{where}: {text}")


def _check_integers(values: Floats, column: str, source: Source) -> None:
    index = _first(~np.isnan(values) & (values != np.round(values)))
    if index is not None:
        where = source.where(index, column)
        raise InvalidTimeline(f"{where}: {_number(values[index])} is not a whole number")


def instrument_totals(rows: InstrumentRows) -> Floats:
    """Each row's total: the given one, or the sum of complete scored items."""
    total = rows.total.copy()
    for code, (_, _, scored) in SCALES.items():
        if rows.items.shape[1] < scored:
            continue
        fill = (rows.instrument == code) & np.isnan(total)
        total[fill] = rows.items[fill, :scored].sum(axis=1)
    total[rows.instrument == CSSRS] = np.nan
    return total


def cssrs_tier(rows: InstrumentRows) -> Floats:
    """C-SSRS screen risk tier per row (0 none .. 3 high), NaN for other instruments.

    instruments.md (cssrs row), from facts.md s2.4: ``high`` if q4 or q5 = 1 or q6 = 2;
    else ``moderate`` if q3 = 1 or q6 = 1; else ``low`` if q1 or q2 = 1; else ``none``.
    q3-q5 may be skipped ('-', empty) or 0 only when q2 = 0.
    """
    mine = rows.instrument == CSSRS
    tier = np.full(mine.size, np.nan)
    if not mine.any():
        return tier
    index = _first(mine & ~np.isnan(rows.total))
    if index is not None:
        where = rows.source.where(index, "total")
        raise InvalidTimeline(f"{where}: must be empty for cssrs (the screen has no total)")
    if rows.items.shape[1] < 6:
        raise InvalidTimeline(f"{rows.source.name}: cssrs rows need item columns i1..i6")
    q = [np.where(mine, rows.items[:, j], np.nan) for j in range(6)]
    _check_cssrs_answers(q, mine, rows.source)
    tier[mine] = 0
    tier[mine & ((q[0] == 1) | (q[1] == 1))] = 1
    tier[mine & ((q[2] == 1) | (q[5] == 1))] = 2
    tier[mine & ((q[3] == 1) | (q[4] == 1) | (q[5] == 2))] = 3
    return tier


def _check_cssrs_answers(q: list[Floats], mine: Bools, source: Source) -> None:
    check_choice(q[0], (0.0, 1.0), "i1", source, optional=True)
    check_choice(q[1], (0.0, 1.0), "i2", source, optional=True)
    check_choice(q[5], (0.0, 1.0, 2.0), "i6", source, optional=True)
    asked = q[1] == 1
    for j in (2, 3, 4):
        check_choice(q[j], (0.0, 1.0), f"i{j + 1}", source, optional=True)
        index = _first(asked & np.isnan(q[j]))
        if index is not None:
            where = source.where(index, f"i{j + 1}")
            raise InvalidTimeline(f"{where}: is empty; q2 = 1 requires 0 or 1")
        index = _first((q[1] == 0) & (q[j] == 1))
        if index is not None:
            where = source.where(index, f"i{j + 1}")
            raise InvalidTimeline(f"{where}: 1 is not allowed when q2 = 0 (skipped: '-' or 0)")
    for j in (0, 1, 5):
        index = _first(mine & np.isnan(q[j]))
        if index is not None:
            raise InvalidTimeline(f"{source.where(index, f'i{j + 1}')}: is empty")
