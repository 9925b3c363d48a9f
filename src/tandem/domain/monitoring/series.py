"""Dense patients x days grids built from the timeline rows (``monitoring.md`` s1-s2).

Row ``i`` of every grid is one patient, column ``j`` is the calendar day
``first_day + j``; the last column is ``today``. Rows dated after ``today`` are ignored
(s2). A day without a check-in is missing: NaN in the value grids and ``False`` in
``checked``, never zero (s1). All later figures are computed on these grids with array
operations, not with a loop per patient or per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from tandem.domain.monitoring.panel import (
    ANALYTES,
    OPIOID_ANALYTES,
    AnalyteResult,
    Panel,
    unexpected_opioids,
)
from tandem.domain.monitoring.rows import (
    ANALYTE_NEGATIVE,
    ANALYTE_POSITIVE,
    CSSRS,
    GAD7,
    INSTRUMENTS,
    NEGATIVE,
    NO_LAST_USE,
    PCL5,
    PHQ9,
    POSITIVE,
    QIDS,
    TOTALLED,
    Caseload,
    ScoredInstruments,
)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Grid = TypeVar("Grid", bound=np.ndarray[Any, Any])


@dataclass(frozen=True)
class RowSelection:
    """Which rows of each table belong to a group of patients (indexes into the rows)."""

    checkins: Ints
    instruments: Ints
    screens: Ints


@dataclass(frozen=True)
class DayGrid:
    """The day grids of a group of patients; see the module docstring for the layout."""

    patients: Ints  # index into Caseload.patient_ids of each grid row
    first_day: int  # proleptic ordinal of column 0
    checked: Bools
    mood: Floats
    sleep: Floats
    craving: Floats
    used: Bools  # the check-in says use that day
    safety: Bools  # the check-in answers "thoughts of harming yourself" with 1
    phq9: Floats
    phq9_item9: Floats
    gad7: Floats
    pcl5: Floats
    cssrs_tier: Floats  # 0 none .. 3 high, NaN when no screen that day
    cssrs_signal_tier: Floats  # the tier during treatment (rows.in_treatment_tier)
    cssrs_intent_or_plan: Floats  # 1.0 Q4 or Q5 yes, 0.0 no, NaN when no screen
    cssrs_recent_behaviour: Floats  # 1.0 Q6 yes within 3 months, 0.0 no, NaN
    qids_item12: Floats  # NaN: no QIDS-SR16 that day, or a total only (unknown)
    other_totals: dict[str, Floats]  # totals of the other instruments given to the group
    screens: Ints  # screens of any result that day
    positives: Ints  # positive screens that day
    negatives: Ints  # negative screens that day
    negatives_before_positive: Ints  # most negatives in a row before a positive; -1 if none
    positive_benzoylecgonine: Floats  # highest level on a positive screen that day
    unexpected_opioid: Bools  # a screen that day positive for an unexpected opioid
    opioid_findings: dict[tuple[int, int], tuple[str, ...]]  # (row, day) -> analytes
    # Per patient: the day index of the intake's last use (ruleset-v2.md s7), negative
    # when before the grid, UNKNOWN_DAY when unknown. Days before the grid are counted,
    # never laid out, so a last use years ago does not widen the grid.
    intake_last_use: Ints

    @property
    def n_patients(self) -> int:
        return int(self.checked.shape[0])

    @property
    def n_days(self) -> int:
        return int(self.checked.shape[1])

    @property
    def day_index(self) -> Ints:
        return np.arange(self.n_days, dtype=np.int64)


UNKNOWN_DAY = -(1 << 40)  # intake_last_use of a patient whose last use is unknown
_UNIX_EPOCH = 719163  # date(1970, 1, 1).toordinal()


def iso_date_table(first_day: int, n_days: int) -> NDArray[np.str_]:
    """ISO date text of grid days ``-1 .. n_days - 1`` (index with ``day + 1``)."""
    unix = first_day - _UNIX_EPOCH - 1
    stamps = np.arange(unix, unix + n_days + 1).astype("datetime64[D]")
    result: NDArray[np.str_] = stamps.astype("U10")
    return result


def iso_dates(first_day: int, days: Ints) -> list[str | None]:
    """ISO dates of grid day indexes (``None`` for a negative index), in bulk."""
    d = np.asarray(days, np.int64)
    if d.size == 0:
        return []
    top = int(d.max())
    table = iso_date_table(first_day, max(top, 0) + 1).astype(object)
    table[0] = None
    out: list[str | None] = table[np.maximum(d, -1) + 1].tolist()
    return out


def iso_dates_known(first_day: int, days: Ints, known: Bools) -> list[str | None]:
    """ISO dates of grid day indexes, negative ones included (days before the grid, as a
    run that starts from the intake's last use), ``None`` where not ``known``."""
    d = np.asarray(days, np.int64)
    stamps = (np.where(known, d, 0) + (first_day - _UNIX_EPOCH)).astype("datetime64[D]")
    cells = stamps.astype("U10").astype(object)
    cells[~np.asarray(known, bool)] = None
    out: list[str | None] = cells.tolist()
    return out


def shift(grid: Grid, k: int, fill: object) -> Grid:
    """``out[:, t] = grid[:, t - k]`` (k may be negative); days outside get ``fill``."""
    out = np.full_like(grid, fill)
    n = grid.shape[1]
    if k >= 0 and k < n:
        out[:, k:] = grid[:, : n - k]
    elif k < 0 and -k < n:
        out[:, :k] = grid[:, -k:]
    return cast(Grid, out)


def window_sum(grid: Grid, before: int, after: int) -> Grid:
    """Sum of ``grid`` over days [t - before, t + after], clipped to the grid.

    One cumulative sum over a zero-padded copy and a difference of two slices: no loop
    over days. Booleans are counted as int32; ``after`` may be negative (days before t).
    """
    rows, n = grid.shape
    left, right = max(before, 0), max(after, 0)
    kind = np.int32 if grid.dtype == np.bool_ else grid.dtype
    padded: Any = np.zeros((rows, left + n + right + 1), kind)
    np.cumsum(grid, axis=1, dtype=kind, out=padded[:, left + 1 : left + n + 1])
    padded[:, left + n + 1 :] = padded[:, left + n : left + n + 1]
    hi = after + left + 1
    lo = left - before
    result: Grid = padded[:, hi : hi + n] - padded[:, lo : lo + n]
    return result


def last_index(mask: Bools) -> Ints:
    """For each day, the latest day <= it where ``mask`` holds, or -1 (carry forward)."""
    idx = np.where(mask, np.arange(mask.shape[1], dtype=np.int32), np.int32(-1))
    result: Ints = np.asarray(np.maximum.accumulate(idx, axis=1), dtype=np.int64)
    return result


def take_days(grid: Grid, days: Ints) -> Grid:
    """``grid[i, days[i, ...]]`` per patient; negative days must be masked by the caller."""
    rows = np.arange(grid.shape[0]).reshape((-1,) + (1,) * (days.ndim - 1))
    return cast(Grid, grid[rows, np.clip(days, 0, grid.shape[1] - 1)])


def first_true(mask: Bools) -> Ints:
    """Index of the first ``True`` day per patient, or the number of days when none."""
    found = mask.any(axis=1)
    return np.asarray(np.where(found, mask.argmax(axis=1), mask.shape[1]), dtype=np.int64)


def build_grid(
    caseload: Caseload,
    scored: ScoredInstruments,
    patients: Ints,
    rows: RowSelection,
    today: int,
) -> DayGrid:
    """Lay the selected rows of ``patients`` out on the day grid.

    ``patients`` is a contiguous ascending range of indexes into ``caseload.patient_ids``;
    ``scored`` is ``check_caseload``'s reading of the instrument rows.
    """
    ci = rows.checkins[caseload.checkins.day[rows.checkins] <= today]
    ins = rows.instruments[caseload.instruments.day[rows.instruments] <= today]
    scr = rows.screens[caseload.screens.day[rows.screens] <= today]
    days = np.concatenate(
        [caseload.checkins.day[ci], caseload.instruments.day[ins], caseload.screens.day[scr]]
    )
    first_day = int(days.min()) if days.size else today
    shape = (patients.size, today - first_day + 1)
    return DayGrid(
        patients=patients,
        first_day=first_day,
        **_checkin_grids(caseload, ci, patients, first_day, shape),
        **_instrument_grids(caseload, scored, ins, patients, first_day, shape),
        **_screen_grids(caseload, scr, patients, first_day, shape),
        intake_last_use=_intake_last_use(caseload, patients, first_day, today),
    )


def _intake_last_use(caseload: Caseload, patients: Ints, first_day: int, today: int) -> Ints:
    """The intake's last use as a day index (ruleset-v2.md s7), ``UNKNOWN_DAY`` when
    unknown. A last use dated after ``today`` is ignored, as every row after it is (s2).
    """
    intake = caseload.intake_or_empty()
    last = intake.last_use[patients]
    known = (last != NO_LAST_USE) & (last <= today)
    result: Ints = np.where(known, last - first_day, UNKNOWN_DAY).astype(np.int64)
    return result


def _cells(caseload_patient: Ints, day: Ints, patients: Ints, first_day: int) -> tuple[Ints, Ints]:
    first = int(patients[0]) if patients.size else 0
    return caseload_patient - first, day - first_day


def nothing_given(grid: Floats) -> bool:
    """Whether ``grid`` is the shared empty grid of ``_scatter`` (no row at all), so that
    a caller can skip work on it."""
    return bool(grid.size) and grid.strides == (0, 0)


def _scatter(shape: tuple[int, int], flat: Ints, values: Floats) -> Floats:
    """A NaN grid with ``values`` at the flat cells; a shared read-only NaN grid if empty."""
    if flat.size == 0:
        return np.broadcast_to(np.float64(np.nan), shape)
    g = np.full(shape, np.nan)
    g.ravel()[flat] = values
    return g


def _checkin_grids(
    caseload: Caseload, ci: Ints, patients: Ints, first_day: int, shape: tuple[int, int]
) -> dict[str, Any]:
    c = caseload.checkins
    r, t = _cells(c.patient[ci], c.day[ci], patients, first_day)
    flat = r * shape[1] + t
    grids: dict[str, Any] = {}
    for name, values in (("mood", c.mood), ("sleep", c.sleep_hours), ("craving", c.craving)):
        grids[name] = _scatter(shape, flat, values[ci])
    for name, flags in (("checked", None), ("used", c.used), ("safety", c.safety)):
        b = np.zeros(shape, bool)
        b.ravel()[flat] = True if flags is None else flags[ci] == 1
        grids[name] = b
    return grids


def _instrument_grids(
    caseload: Caseload,
    scored: ScoredInstruments,
    ins: Ints,
    patients: Ints,
    first_day: int,
    shape: tuple[int, int],
) -> dict[str, Any]:
    rows = caseload.instruments
    grids: dict[str, Any] = {}
    for name, code, values in (
        ("phq9", PHQ9, scored.total),
        ("phq9_item9", PHQ9, scored.phq9_item9),  # NaN: total only, item 9 unknown
        ("gad7", GAD7, scored.total),
        ("pcl5", PCL5, scored.total),
        ("cssrs_tier", CSSRS, scored.cssrs_tier),
        ("cssrs_signal_tier", CSSRS, scored.cssrs_signal_tier),
        ("cssrs_intent_or_plan", CSSRS, scored.cssrs_intent_or_plan),
        ("cssrs_recent_behaviour", CSSRS, scored.cssrs_recent_behaviour),
        ("qids_item12", QIDS, scored.qids_item12),  # NaN: total only, item 12 unknown
    ):
        sel = ins[rows.instrument[ins] == code]
        r, t = _cells(rows.patient[sel], rows.day[sel], patients, first_day)
        grids[name] = _scatter(shape, r * shape[1] + t, values[sel])
    others: dict[str, Floats] = {}
    given = np.unique(rows.instrument[ins])
    for name in TOTALLED:
        code = INSTRUMENTS.index(name)
        if name in ("phq9", "gad7", "pcl5") or code not in given:
            continue
        sel = ins[rows.instrument[ins] == code]
        r, t = _cells(rows.patient[sel], rows.day[sel], patients, first_day)
        others[name] = _scatter(shape, r * shape[1] + t, scored.total[sel])
    grids["other_totals"] = others
    return grids


def _screen_grids(
    caseload: Caseload, scr: Ints, patients: Ints, first_day: int, shape: tuple[int, int]
) -> dict[str, Any]:
    s = caseload.screens
    order = scr[np.lexsort((s.source.rows[scr], s.day[scr], s.patient[scr]))]
    r, t = _cells(s.patient[order], s.day[order], patients, first_day)
    result = s.result[order]
    flat = r * shape[1] + t
    size = shape[0] * shape[1]

    def count(mask: Bools) -> Ints:
        return np.bincount(flat[mask], minlength=size).reshape(shape).astype(np.int64)

    positive = result == POSITIVE
    before = _negatives_in_a_row_before(result == NEGATIVE, r)
    streak = np.full(size, -1, np.int64)
    np.maximum.at(streak, flat[positive], before[positive])
    level = np.full(size, -np.inf)
    be = np.nan_to_num(s.benzoylecgonine[order][positive], nan=-np.inf)
    np.maximum.at(level, flat[positive], be)
    level[np.isinf(level)] = np.nan
    findings = _opioid_findings(caseload, order, r, t, patients)
    unexpected = np.zeros(shape, bool)
    for row, day in findings:
        unexpected[row, day] = True
    return {
        "screens": count(np.ones(result.size, bool)),
        "positives": count(positive),
        "negatives": count(result == NEGATIVE),
        "negatives_before_positive": streak.reshape(shape),
        "positive_benzoylecgonine": level.reshape(shape),
        "unexpected_opioid": unexpected,
        "opioid_findings": findings,
    }


_OPIOID_COLUMNS = np.array([ANALYTES.index(a) for a in OPIOID_ANALYTES])


def _opioid_findings(
    caseload: Caseload, order: Ints, r: Ints, t: Ints, patients: Ints
) -> dict[tuple[int, int], tuple[str, ...]]:
    """Per (grid row, day): the opioids positive on that day's screens that raise
    ``overdose_risk`` (``panel.unexpected_opioids``: fentanyl always, other opioids unless
    prescribed; ruleset-v2.md s7). Only screens with an opioid positive are looked at."""
    analytes = caseload.screens.analytes
    if analytes is None or order.size == 0:
        return {}
    cells = analytes[order]
    hits = np.flatnonzero((cells[:, _OPIOID_COLUMNS] == ANALYTE_POSITIVE).any(axis=1))
    prescribed = caseload.intake_or_empty().prescribed_opioids
    first = int(patients[0])
    found: dict[tuple[int, int], tuple[str, ...]] = {}
    for i in hits.tolist():
        tested: dict[str, AnalyteResult] = {
            a: ("positive" if c == ANALYTE_POSITIVE else "negative")
            for a, c in zip(ANALYTES, cells[i].tolist(), strict=True)
            if c in (ANALYTE_NEGATIVE, ANALYTE_POSITIVE)
        }
        row = int(r[i])
        opioids = set(unexpected_opioids(Panel(tested), prescribed[row + first]))
        if opioids:
            key = (row, int(t[i]))
            opioids |= set(found.get(key, ()))
            found[key] = tuple(a for a in OPIOID_ANALYTES if a in opioids)
    return found


def _negatives_in_a_row_before(negative: Bools, patient: Ints) -> Ints:
    """For screens in (patient, date, file) order: negatives in a row just before each.

    Missed and invalid screens break the run: they are not negative (monitoring.md s6
    counts them as not negative).
    """
    n = negative.size
    i = np.arange(n)
    starts = np.ones(n, bool)
    starts[1:] = patient[1:] != patient[:-1]
    breaks = np.where(~negative, i, -1)
    breaks = np.where(starts & negative, i - 1, breaks)
    last_break = np.maximum.accumulate(breaks) if n else breaks
    before = np.zeros(n, np.int64)
    before[1:] = i[:-1] - last_break[:-1]
    before[starts] = 0
    return before
