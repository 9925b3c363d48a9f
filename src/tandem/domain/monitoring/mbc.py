"""Measurement-based care for PHQ-9, GAD-7 and PCL-5 (``monitoring.md`` s3).

Baseline = the first score of each patient and instrument in the input; change = latest
- baseline, and percent change. Reliable improvement / deterioration = a change of at
least 6 (PHQ-9), 4 (GAD-7) or 15 (PCL-5) points (facts.md s7; the PHQ-9 and GAD-7 rules
are the IAPT convention, (V2), facts.md s11 item 11). For PHQ-9 only, and only when its
baseline is 10 or more (CMS159 counts an index score above 9, facts.md s6.1):
``response`` = at least 50% lower than baseline, ``remission`` = below 5 (facts.md s2.1,
s6), ``not_on_track`` = 42 days or more after the baseline date the latest score is less
than 20% below baseline (monitoring.md s3; the program's choice). Thresholds live in
``thresholds.MbcThresholds``.

Every other instrument of the library with a total (PHQ-2, AUDIT-C, DAST-10, SDS,
ASSIST, QIDS-SR16, ISI) gets its course too (baseline, latest, change), without reliable
change (no threshold is cited for them): ruleset-v2.md s7 "All instruments", nothing is
dropped silently.

Daily states (the score as of each day, carried forward from its date until the next
score) feed the ``deterioration`` and ``not_on_track`` alerts of s5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.domain.monitoring.rows import TOTALLED
from tandem.domain.monitoring.series import (
    Bools,
    DayGrid,
    Floats,
    Ints,
    first_true,
    last_index,
    take_days,
)
from tandem.domain.monitoring.thresholds import MbcThresholds

SCORED: tuple[str, ...] = ("phq9", "gad7", "pcl5")


@dataclass(frozen=True)
class ScoreCourse:
    """One instrument's course per patient (NaN / -1 where the patient has no score)."""

    baseline: Floats
    baseline_day: Ints
    latest: Floats
    latest_day: Ints
    change: Floats
    percent_change: Floats  # NaN when the baseline is 0
    reliable_improvement: Floats  # 1.0 / 0.0 / NaN (NaN too without a threshold)
    reliable_deterioration: Floats
    threshold: int | None  # None: no reliable-change threshold cited


@dataclass(frozen=True)
class Phq9Outcomes:
    """PHQ-9 response, remission, not_on_track as of today (NaN when baseline < 10)."""

    response: Floats
    remission: Floats
    not_on_track: Floats


@dataclass(frozen=True)
class Phq9Daily:
    """PHQ-9 states per day, for the alerts (``latest`` carried forward)."""

    latest: Floats
    latest_day: Ints
    best: Floats  # lowest score so far
    deterioration: Bools  # reliable deterioration from baseline or from the best score
    not_on_track: Bools


def _flag(condition: Bools, known: Bools) -> Floats:
    result: Floats = np.where(known, condition * 1.0, np.nan)
    return result


def course(scores: Floats, threshold: int | None) -> ScoreCourse:
    """Baseline, latest and change of one instrument's score grid."""
    has = ~np.isnan(scores)
    known = np.asarray(has.any(axis=1), bool)
    first = first_true(has)
    last = np.where(known, scores.shape[1] - 1 - has[:, ::-1].argmax(axis=1), -1)
    baseline = np.where(known, take_days(scores, first[:, None])[:, 0], np.nan)
    latest = np.where(known, take_days(scores, last[:, None])[:, 0], np.nan)
    change = latest - baseline
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = np.where(baseline > 0, 100.0 * change / baseline, np.nan)
    return ScoreCourse(
        baseline=baseline,
        baseline_day=np.where(known, first, -1).astype(np.int64),
        latest=latest,
        latest_day=last.astype(np.int64),
        change=change,
        percent_change=percent,
        reliable_improvement=_reliable(change <= -(threshold or 0), known, threshold),
        reliable_deterioration=_reliable(change >= (threshold or 0), known, threshold),
        threshold=threshold,
    )


def _reliable(condition: Bools, known: Bools, threshold: int | None) -> Floats:
    if threshold is None:
        return np.full(known.size, np.nan)
    return _flag(np.asarray(condition, bool), known)


def _no_course(patients: int) -> ScoreCourse:
    """The course of an instrument none of the patients has a score of."""
    nan, none = np.full(patients, np.nan), np.full(patients, -1, np.int64)
    return ScoreCourse(nan, none, nan, none, nan, nan, nan, nan, None)


def courses(grid: DayGrid, th: MbcThresholds) -> dict[str, ScoreCourse]:
    """The course of every instrument with a total (PHQ-9, GAD-7, PCL-5 first)."""
    grids = {"phq9": grid.phq9, "gad7": grid.gad7, "pcl5": grid.pcl5, **grid.other_totals}
    out = {name: course(grids[name], th.reliable_change[name].points) for name in SCORED}
    for name in TOTALLED:
        if name not in out:
            given = grids.get(name)
            out[name] = _no_course(grid.n_patients) if given is None else course(given, None)
    return out


def below_by(baseline: Floats, latest: Floats, percent: float) -> Bools:
    """Whether ``latest`` is at least ``percent``% below ``baseline`` (no rounding)."""
    with np.errstate(invalid="ignore"):
        result: Bools = (baseline - latest) * 100.0 >= percent * baseline
    return result


def phq9_daily(grid: DayGrid, phq9: ScoreCourse, th: MbcThresholds) -> Phq9Daily:
    """The PHQ-9 as of each day and the deterioration / not_on_track states."""
    has = ~np.isnan(grid.phq9)
    last = last_index(has)
    latest = np.where(last >= 0, take_days(grid.phq9, last), np.nan)
    best = np.fmin.accumulate(grid.phq9, axis=1)
    step = th.reliable_change["phq9"].points
    base = phq9.baseline[:, None]
    with np.errstate(invalid="ignore"):
        worse = (latest - base >= step) | (latest - best >= step)
        eligible = base >= th.min_phq9_baseline
    since = grid.day_index[None, :] - phq9.baseline_day[:, None]
    late = (phq9.baseline_day[:, None] >= 0) & (since >= th.not_on_track_after_days)
    off_track = eligible & late & ~below_by(base, latest, th.not_on_track_percent)
    return Phq9Daily(latest, last, best, worse, off_track)


def phq9_outcomes(phq9: ScoreCourse, daily: Phq9Daily, th: MbcThresholds) -> Phq9Outcomes:
    """Response, remission and not_on_track as of the last day (today)."""
    eligible = np.asarray(np.nan_to_num(phq9.baseline, nan=-1) >= th.min_phq9_baseline, bool)
    response = below_by(phq9.baseline, phq9.latest, th.response_percent)
    remission = np.asarray(np.nan_to_num(phq9.latest, nan=99) < th.remission_below, bool)
    return Phq9Outcomes(
        response=_flag(response, eligible),
        remission=_flag(remission, eligible),
        not_on_track=_flag(daily.not_on_track[:, -1], eligible),
    )
