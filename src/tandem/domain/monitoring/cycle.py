"""The crash cycle per patient: surge, crash, chase, deepening (``monitoring.md`` s2).

Use here is what the check-in says; a day without a check-in counts as a day without use
(s2). Each day is compared with its *local baseline*: the mean mood of the baseline days
within 14 days either side of it, the day itself included, when there are at least 3
such days, else the patient's ``baseline_mood``. Window sums are differences of
cumulative sums over the day grid, so every patient and day is handled at once.

Comparisons against the local baseline are made on sums, ``mood * n - sum(mood)``,
which is exact for whole-number moods: a mood exactly 2 points under its baseline is a
low day, with no rounding doubt. These are descriptions of a person's own pattern, not
a diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tandem.domain.monitoring.series import Bools, DayGrid, Floats, Ints, shift, window_sum
from tandem.domain.monitoring.thresholds import CycleThresholds


@dataclass(frozen=True)
class Baselines:
    """Baseline days and each day's local baseline, kept as a (sum, count) pair."""

    baseline_day: Bools
    baseline_mood: Floats  # per patient; NaN without baseline days
    total: Floats  # sum of the baseline moods the day's local baseline averages
    count: Floats  # how many baseline days it averages (0: not computable)
    scaled_gap: Floats  # mood * count - total: (mood - local baseline) * count

    @property
    def local(self) -> Floats:
        """Each day's local baseline (NaN when the patient has no baseline day)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            result: Floats = self.total / self.count
        return result

    def gap(self) -> Floats:
        """mood - local baseline (NaN where either is missing)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            result: Floats = self.scaled_gap / self.count
        return result

    def at_or_below(self, drop: float) -> Bools:
        """Check-in days whose mood is at or below the local baseline minus ``drop``."""
        with np.errstate(invalid="ignore"):
            result: Bools = (self.count > 0) & (self.scaled_gap <= -drop * self.count)
        return result


@dataclass(frozen=True)
class CrashCycle:
    """Per-patient crash-cycle figures (NaN where not computable)."""

    checkins: Ints
    insufficient_data: Bools
    baseline_mood: Floats
    surge: Floats
    crash: Floats
    crash_days: Ints
    chase_after_low: Floats
    chase_after_other: Floats
    chase_ratio: Floats
    chase_n_low: Ints
    chase_n_other: Ints
    deepening: Floats
    deepening_flag: Floats  # 1.0 flagged, 0.0 not, NaN when deepening is null


def any_in_days_before(flags: Bools, days: int) -> Bools:
    """Whether ``flags`` holds on any of the ``days`` days before each day."""
    out = np.zeros_like(flags)
    for k in range(1, days + 1):
        out |= shift(flags, k, False)
    return out


def baselines(grid: DayGrid, th: CycleThresholds) -> Baselines:
    """Baseline days (check-in, no use that day or the 3 before) and local baselines."""
    use = grid.used
    base = grid.checked & ~use & ~any_in_days_before(use, th.use_free_days_before_baseline)
    mood = np.where(base, grid.mood, 0.0)
    n_all = base.sum(axis=1).astype(float)
    sum_all = mood.sum(axis=1)
    w = th.local_half_width
    total = window_sum(mood, w, w)
    count = window_sum(base, w, w).astype(np.float64)
    local = count >= th.min_local_days
    total = np.where(local, total, sum_all[:, None])
    count = np.where(local, count, n_all[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        baseline_mood = sum_all / n_all
    return Baselines(base, baseline_mood, total, count, grid.mood * count - total)


def _mean(values: Floats, mask: Bools) -> tuple[Floats, Ints]:
    """Per-patient mean of ``values`` over ``mask`` days (NaN when no day) and the count."""
    n = mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mask, values, 0.0).sum(axis=1) / n
    return np.where(n > 0, mean, np.nan), n.astype(np.int64)


def crash_cycle(grid: DayGrid, b: Baselines, th: CycleThresholds) -> CrashCycle:
    """Surge, crash, chase and deepening for every patient of ``grid`` (s2)."""
    gap = b.gap()
    defined = b.count > 0
    use = grid.used
    surge, _ = _mean(gap, use & defined)
    after_use = any_in_days_before(use, th.crash_after_days)
    crash_mask = after_use & ~use & grid.checked & defined
    crash, crash_days = _mean(gap, crash_mask)
    chase = _chase(grid, b, th)
    slope = _deepening(grid, b, th)
    n = grid.checked.sum(axis=1).astype(np.int64)
    with np.errstate(invalid="ignore"):
        flag = np.where(np.isnan(slope), np.nan, (slope < th.deepening_flag_below) * 1.0)
    return CrashCycle(
        checkins=n,
        insufficient_data=n < th.min_checkins,
        baseline_mood=b.baseline_mood,
        surge=surge,
        crash=crash,
        crash_days=crash_days,
        deepening=slope,
        deepening_flag=flag,
        **chase,
    )


def _chase(grid: DayGrid, b: Baselines, th: CycleThresholds) -> dict[str, Any]:
    """Share of days with use after a low day against after other days (s2 chase)."""
    prev_checked = shift(grid.checked, 1, False)
    prev_defined = shift(b.count > 0, 1, False)
    prev_low = shift(b.at_or_below(th.low_day_drop), 1, False)
    after_low = prev_checked & prev_low
    after_other = prev_checked & prev_defined & ~prev_low
    n_low = after_low.sum(axis=1)
    n_other = after_other.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_low = np.where(n_low > 0, (after_low & grid.used).sum(axis=1) / n_low, np.nan)
        share_other = np.where(n_other > 0, (after_other & grid.used).sum(axis=1) / n_other, np.nan)
        ratio = np.where(share_other > 0, share_low / share_other, np.nan)
    return {
        "chase_after_low": share_low,
        "chase_after_other": share_other,
        "chase_ratio": ratio,
        "chase_n_low": n_low.astype(np.int64),
        "chase_n_other": n_other.astype(np.int64),
    }


def masked_slope(x: Floats, y: Floats, mask: Bools, minimum: int) -> Floats:
    """Least-squares slope of ``y`` on ``x`` per row over ``mask`` (NaN under ``minimum``)."""
    n = mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.where(mask, x, 0.0).sum(axis=1) / n
        my = np.where(mask, y, 0.0).sum(axis=1) / n
        dx = np.where(mask, x - mx[:, None], 0.0)
        dy = np.where(mask, y - my[:, None], 0.0)
        sxx = (dx * dx).sum(axis=1)
        slope = (dx * dy).sum(axis=1) / sxx
    result: Floats = np.where((n >= minimum) & (sxx > 0), slope, np.nan)
    return result


def _deepening(grid: DayGrid, b: Baselines, th: CycleThresholds) -> Floats:
    """Slope of mood on baseline days against time, in points per 28 days (s2)."""
    days = np.broadcast_to(grid.day_index.astype(float), grid.mood.shape)
    slope = masked_slope(days, grid.mood, b.baseline_day, th.min_deepening_days)
    result: Floats = slope * th.deepening_per_days
    return result
