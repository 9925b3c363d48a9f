"""Recovery after stopping and ``persistent_low`` (``monitoring.md`` s2, s5).

A day counts as use when its check-in says so or when a positive urine screen falls on it
or on one of the next 2 days: cocaine is detectable about 1-3 days after use (facts.md
s8.1, (V2)). A day without a check-in counts as a day without use (s2). Days without
use are counted from the last use day (s5), so they are unknown (-1) until a first use
day is known: abstinence before the first record is never assumed. A run therefore
needs a use day before it; a run that starts at the first check-in with no earlier use
is not "recovery after stopping" (s2) and is not reported (the program's reading).

For the latest run of >= 28 consecutive days without use: mean mood on its days 1-7 and
22-28 and the latest PHQ-9 in its last 14 days. ``persistent_low`` when that PHQ-9 is
>= 10 or the mood on days 22-28 is <= 4: depression that stays after a month of
abstinence points to an independent disorder (facts.md s3.4-3.5; DESIGN.md glossary),
so the formulation should be reassessed. It is true when either available part holds,
false when at least one part is available and none holds, null when neither is
available (the program's reading of "when there is one").

Two readings of the same definition:
- ``recovery`` describes the latest run as of ``today`` (the report's ``recovery``);
- ``persistent_low_daily`` evaluates ``persistent_low`` as of each day, with only what
  was known that day: the run of >= 28 days without use containing the day (use known
  by then: check-ins and positive screens dated on or before it), the latest PHQ-9
  within that run's last 14 days as of the day, and mood on run days 22-28. The
  ``persistent_depression`` alert is raised from it, so a later ``today`` never
  rewrites an alert already raised (s5), and its evidence never quotes a later value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tandem.domain.monitoring.series import (
    UNKNOWN_DAY,
    Bools,
    DayGrid,
    Floats,
    Ints,
    last_index,
    shift,
    take_days,
    window_sum,
)
from tandem.domain.monitoring.thresholds import CycleThresholds


@dataclass(frozen=True)
class Recovery:
    """Per-patient figures of the latest run of >= 28 days without use (NaN/-1 if none)."""

    run_start: Ints  # day index (before the grid when intake's last use starts it)
    run_end: Ints
    run_days: Ints
    mood_days_1_7: Floats
    mood_days_22_28: Floats
    phq9: Floats  # latest PHQ-9 in the run's last 14 days
    phq9_day: Ints  # its day index, -1 when none
    persistent_low: Floats  # 1.0, 0.0 or NaN


@dataclass(frozen=True)
class PersistentLowDaily:
    """``persistent_low`` as of each day (patients x days), and what it was read from.

    Where ``holds`` is false the other grids may still carry the day's figures; they
    are only quoted on days where it holds.
    """

    holds: Bools
    run_start: Ints  # first day of the run containing the day (may be < 0: intake)
    days_without_use: Ints  # as of the day, -1 until a use day is known
    mood_days_22_28: Floats
    phq9: Floats  # latest PHQ-9 within the run's last 14 days as of the day, else NaN
    phq9_day: Ints  # its day, -1 when none


def use_days(grid: DayGrid, th: CycleThresholds) -> Bools:
    """Use from check-ins, and from a positive screen on the day or the next 2 days."""
    positive = grid.positives > 0
    use = grid.used | positive
    for k in range(1, th.screen_lookback_days + 1):
        use |= shift(positive, -k, False)
    result: Bools = use
    return result


def days_without_use(use: Bools, intake_last_use: Ints | None = None) -> Ints:
    """Days since the last use day (0 on a use day); -1 until a use day is known.

    s5 counts days of abstinence from the last use day; with none known the count is
    unknown, not the days since the first record. ``intake_last_use`` (a day index per
    patient, perhaps before the grid; ``series.UNKNOWN_DAY`` when unknown) is the
    intake's last use: ruleset-v2.md s7 counts the days after it as days without use
    until a later use day is known.
    """
    found = last_index(use)
    last = np.where(found >= 0, found, UNKNOWN_DAY)
    if intake_last_use is not None:
        last = np.maximum(last, intake_last_use[:, None])
    t = np.arange(use.shape[1])
    result: Ints = np.where(last > UNKNOWN_DAY, t[None, :] - last, -1)
    return result


def recovery(grid: DayGrid, run_len: Ints, th: CycleThresholds) -> Recovery:
    """The latest run of >= 28 days without use per patient, and ``persistent_low``.

    ``run_len`` is ``days_without_use`` of the patients' use days.
    """
    ends = (run_len >= th.recovery_run_days) & ~shift(run_len > 0, -1, False)
    found = np.asarray(ends.any(axis=1), bool)
    end = np.where(found, grid.n_days - 1 - ends[:, ::-1].argmax(axis=1), -1)
    length = np.where(found, take_days(run_len, end), 0)
    begin = np.where(found, end - length + 1, -1)
    mood_1_7 = _window_mean(grid, begin, 0, 7, found)
    mood_22_28 = _window_mean(grid, begin, 21, 28, found)
    phq9, phq9_day = _latest_phq9(grid, end, found)
    return Recovery(
        run_start=begin,
        run_end=end,
        run_days=length.astype(np.int64),
        mood_days_1_7=mood_1_7,
        mood_days_22_28=mood_22_28,
        phq9=phq9,
        phq9_day=phq9_day,
        **_persistent_low(mood_22_28, phq9, th),
    )


def _window_mean(grid: DayGrid, begin: Ints, lo: int, hi: int, found: Bools) -> Floats:
    """Mean mood on the run's days lo+1..hi (check-in days only; a run that began
    before the grid, from the intake's last use, has no check-ins there)."""
    n_days = grid.n_days
    a = np.clip(begin + lo, 0, n_days)[:, None]
    b = np.clip(begin + hi, 0, n_days)[:, None]
    mood = np.zeros((grid.mood.shape[0], n_days + 1))
    np.cumsum(np.nan_to_num(grid.mood), axis=1, out=mood[:, 1:])
    checked = np.zeros(mood.shape, np.int64)
    np.cumsum(grid.checked, axis=1, out=checked[:, 1:])
    t = (np.take_along_axis(mood, b, 1) - np.take_along_axis(mood, a, 1))[:, 0]
    n = (np.take_along_axis(checked, b, 1) - np.take_along_axis(checked, a, 1))[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Floats = np.where(found & (n > 0), t / n, np.nan)
    return result


def _latest_phq9(grid: DayGrid, end: Ints, found: Bools) -> tuple[Floats, Ints]:
    last = take_days(last_index(~np.isnan(grid.phq9)), end[:, None])[:, 0]
    inside = found & (last >= 0) & (last >= end - 13)
    score = np.where(inside, take_days(grid.phq9, last[:, None])[:, 0], np.nan)
    return score, np.where(inside, last, -1).astype(np.int64)


def _persistent_low(mood: Floats, phq9: Floats, th: CycleThresholds) -> dict[str, Any]:
    by_phq9 = phq9 >= th.persistent_phq9
    by_mood = mood <= th.persistent_mood
    known = ~np.isnan(phq9) | ~np.isnan(mood)
    value = np.where(by_phq9 | by_mood, 1.0, np.where(known, 0.0, np.nan))
    return {"persistent_low": value}


def persistent_low_daily(
    grid: DayGrid,
    phq9_latest: Floats,
    phq9_latest_day: Ints,
    th: CycleThresholds,
) -> PersistentLowDaily:
    """``persistent_low`` as of each day, from data dated on or before that day.

    It holds only on days with at least ``min_checkins`` check-ins so far: with fewer,
    persistent_low is insufficient data (s2) and raises no alert either.

    ``phq9_latest``/``phq9_latest_day``: each day's latest PHQ-9 and its day, carried
    forward (``mbc.Phq9Daily``). Days without use count from the intake's last use
    too (ruleset-v2.md s7).
    """
    abstinent = days_without_use(grid.used | (grid.positives > 0), grid.intake_last_use)
    in_run = abstinent >= th.recovery_run_days
    t = grid.day_index[None, :]
    start = np.where(abstinent >= 0, t - abstinent + 1, -1)
    # s2: mood on run days 22-28, the 7 days ending on run day 28.
    total = window_sum(np.nan_to_num(grid.mood), 6, 0)
    count = window_sum(grid.checked, 6, 0)
    day28 = start + 27
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = take_days(total, day28) / take_days(count, day28)
    mood = np.where(in_run & (day28 >= 0), mean, np.nan)  # day 28 before the grid: none
    recent = in_run & (phq9_latest_day >= 0) & (phq9_latest_day >= t - 13)
    phq9 = np.where(recent, phq9_latest, np.nan)
    # s2 figures need at least 28 check-ins, else insufficient_data: counted as of the
    # day, so that an alert raised stays raised when more check-ins arrive later.
    enough = np.cumsum(grid.checked, axis=1, dtype=np.int32) >= th.min_checkins
    with np.errstate(invalid="ignore"):
        low = (phq9 >= th.persistent_phq9) | (mood <= th.persistent_mood)
    holds = in_run & enough & low
    return PersistentLowDaily(
        holds=np.asarray(holds, bool),
        run_start=np.where(in_run, start, -1).astype(np.int64),
        days_without_use=abstinent,
        mood_days_22_28=mood,
        phq9=phq9,
        phq9_day=np.where(recent, phq9_latest_day, -1).astype(np.int64),
    )
