"""Suicide signals during treatment, and when ``suicide_risk`` is raised (ruleset-v2.md s7).

A *signal* is an event on its record's date, never carried forward. Its score (program,
for comparing signals only): C-SSRS ``high`` 6, ``moderate`` 4, ``low`` 2 (the tier
during treatment: ``rows.in_treatment_tier``, past-month ideation Q1-Q5 and behaviour
within 3 months; lifetime behaviour more than 3 months ago gives no signal by itself);
PHQ-9 item 9 and QIDS-SR16 item 12: the item's answer (1-3); a check-in with
``safety`` = 1: 1. A day's signal is the highest score of its records.

``suicide_risk`` (urgent) is raised, replacing monitoring.md's 14-day episode rule for
this kind:

1. on the first day with a signal;
2. on a day whose signal is higher than the signal of the latest ``suicide_risk`` alert;
3. on a day with a signal when the latest alert is 7 or more days earlier (program).

So every signal day is covered: it has an alert, or the latest alert is at most 6 days
earlier with the same or a higher score. Each alert's evidence lists every signal since
the previous alert. Each day's decision uses only that day and earlier ones, so the
functions give the same alerts whether a grid ends today or a later day.

A C-SSRS result is current for 30 days or until the next C-SSRS (program: no published
validity period, facts.md s12.2); currency matters for the tier shown and the
suggestions (``current_cssrs``, ``emergency_evaluation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from tandem.domain.monitoring.rows import CSSRS_TIERS
from tandem.domain.monitoring.series import (
    Bools,
    DayGrid,
    Floats,
    Ints,
    iso_dates,
    nothing_given,
)

# ruleset-v2.md s7 (program): the score of a C-SSRS tier, by index into CSSRS_TIERS.
CSSRS_SCORES: Final = np.array([0.0, 2.0, 4.0, 6.0])
SAFETY_SCORE: Final = 1.0  # s7: a check-in with safety = 1 scores 1
# The day counts (7 days to raise again, 30 days of currency, 90 days for a repeated
# Q6) are settings: thresholds.AlertSettings, with their sources.


@dataclass(frozen=True)
class Signals:
    """Each day's signal: the highest score of its records (0 where none)."""

    score: Floats
    item9_unknown: Bools  # a PHQ-9 given as a total only that day (item 9 unknown)


def _record_scores(grid: DayGrid, r: Any, t: Any) -> dict[str, Floats]:
    """The score of each kind of record at cells (r, t) (0 where none)."""
    tier = np.nan_to_num(grid.cssrs_signal_tier[r, t], nan=0.0).astype(np.int64)
    return {
        "cssrs": CSSRS_SCORES[tier],
        "phq9_item9": np.nan_to_num(grid.phq9_item9[r, t], nan=0.0),
        "qids_item12": np.nan_to_num(grid.qids_item12[r, t], nan=0.0),
        "safety": np.where(grid.safety[r, t], SAFETY_SCORE, 0.0),
    }


def signals(grid: DayGrid) -> Signals:
    """Every record's signal score on its own date (s7). Instrument grids are read only
    where the instrument was given (``fmax`` passes over NaN: no record, no signal)."""
    score = np.where(grid.safety, SAFETY_SCORE, 0.0)
    for items in (grid.phq9_item9, grid.qids_item12):
        if not nothing_given(items):
            np.fmax(score, items, out=score)
    if not nothing_given(grid.cssrs_signal_tier):
        r, t = np.nonzero(~np.isnan(grid.cssrs_signal_tier))
        np.maximum.at(score, (r, t), _record_scores(grid, r, t)["cssrs"])
    return Signals(score=score, item9_unknown=~np.isnan(grid.phq9) & np.isnan(grid.phq9_item9))


def raise_days(score: Floats, realert_after: int) -> Bools:
    """The days ``suicide_risk`` is raised (rules 1-3 above), for every patient at once.

    The rules depend on the previous alert, so days are taken in order; only days on
    which some patient has a signal are visited.
    """
    rows = score.shape[0]
    raised = np.zeros(score.shape, bool)
    last_day = np.full(rows, -(1 << 40), np.int64)
    last_score = np.zeros(rows)
    for t in np.flatnonzero((score > 0).any(axis=0)).tolist():
        s = score[:, t]
        first = last_day < -(1 << 39)
        hit = (s > 0) & (first | (s > last_score) | (t - last_day >= realert_after))
        raised[:, t] = hit
        last_day[hit] = t
        last_score[hit] = s[hit]
    return raised


def alert_evidence(
    grid: DayGrid, sig: Signals, raised: Bools, rows: Ints, days: Ints
) -> list[dict[str, Any]]:
    """The evidence of the alerts at (``rows``, ``days``), in that order: the alert's
    score, the rule that raised it, the previous alert's date, and every signal since
    that alert (each with its date, score and records). A PHQ-9 given as a total only in
    the same period is listed under ``item9_unknown`` (ruleset-v2.md s7)."""
    score = sig.score
    er, et = np.nonzero((score > 0) | sig.item9_unknown)
    dates = iso_dates(grid.first_day, et)
    parts = {name: v.tolist() for name, v in _record_scores(grid, er, et).items()}
    scores = score[er, et].tolist()
    tiers = np.nan_to_num(grid.cssrs_signal_tier[er, et], nan=0).astype(np.int64).tolist()
    unknown = sig.item9_unknown[er, et].tolist()
    is_alert = raised[er, et].tolist()
    by_alert: dict[tuple[int, int], dict[str, Any]] = {}
    pending: list[dict[str, Any]] = []
    pending_unknown: list[str | None] = []
    previous: tuple[str | None, int] | None = None
    row_before = -1
    for k, (r, t) in enumerate(zip(er.tolist(), et.tolist(), strict=True)):
        if r != row_before:
            pending, pending_unknown, previous, row_before = [], [], None, r
        if unknown[k]:
            pending_unknown.append(dates[k])
        if scores[k] > 0:
            pending.append(_signal(dates[k], scores[k], parts, k, tiers[k]))
        if is_alert[k]:
            by_alert[(r, t)] = _evidence(pending, pending_unknown, previous)
            pending, pending_unknown, previous = [], [], (dates[k], int(scores[k]))
    return [by_alert[(r, t)] for r, t in zip(rows.tolist(), days.tolist(), strict=True)]


def _signal(
    date: str | None, score: float, parts: dict[str, list[Any]], k: int, tier: int
) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": date, "score": int(score)}
    if parts["cssrs"][k] > 0:
        entry["cssrs_tier"] = CSSRS_TIERS[tier]
    if parts["phq9_item9"][k] > 0:
        entry["phq9_item9"] = int(parts["phq9_item9"][k])
    if parts["qids_item12"][k] > 0:
        entry["qids_item12"] = int(parts["qids_item12"][k])
    if parts["safety"][k] > 0:
        entry["checkin_safety"] = 1
    return entry


def _evidence(
    pending: list[dict[str, Any]],
    unknown: list[str | None],
    previous: tuple[str | None, int] | None,
) -> dict[str, Any]:
    """The alert's evidence; ``previous`` is the latest alert's (date, score)."""
    score = pending[-1]["score"]
    if previous is None:
        rule = "first_signal"
    elif score > previous[1]:
        rule = "higher_than_latest_alert"
    else:
        rule = "latest_alert_7_or_more_days_earlier"
    e: dict[str, Any] = {
        "score": score,
        "rule": rule,
        "previous_alert": None if previous is None else previous[0],
        "signals": pending,
    }
    if unknown:
        e["item9_unknown"] = unknown
    return e


@dataclass(frozen=True)
class CurrentCssrs:
    """Per patient, the C-SSRS current on the grid's last day (ruleset-v2.md s7).

    ``tier`` is the tier during treatment (NaN when none is current); ``day`` its date
    (-1); ``intent_or_plan``: Q4 or Q5 yes; ``recent_behaviour``: Q6 yes within 3 months;
    ``first_behaviour_in_90_days``: no earlier screen with Q6 within 3 months in the 90
    days before it.
    """

    tier: Floats
    day: Ints
    intent_or_plan: Bools
    recent_behaviour: Bools
    first_behaviour_in_90_days: Bools


def current_cssrs(grid: DayGrid, current_days: int, repeat_days: int) -> CurrentCssrs:
    """The C-SSRS current today: the latest one, if dated within the last ``current_days``
    days (today and the ``current_days`` - 1 days before, as ruleset-v2.md s1 counts
    "within 30 days"). Q6 within 3 months is "first" when no other screen said so in the
    ``repeat_days`` days before it."""
    n = grid.n_days
    if nothing_given(grid.cssrs_signal_tier):  # no C-SSRS in the group
        none, no_day = np.zeros(grid.n_patients, bool), np.full(grid.n_patients, -1)
        return CurrentCssrs(np.full(grid.n_patients, np.nan), no_day, none, none, none)
    has = ~np.isnan(grid.cssrs_signal_tier)
    latest = np.where(has.any(axis=1), n - 1 - has[:, ::-1].argmax(axis=1), -1)
    current = (latest >= 0) & (latest >= n - current_days)
    rows = np.arange(latest.size)
    at = np.maximum(latest, 0)
    tier = np.where(current, grid.cssrs_signal_tier[rows, at], np.nan)
    intent = current & (grid.cssrs_intent_or_plan[rows, at] == 1)
    behaviour = current & (grid.cssrs_recent_behaviour[rows, at] == 1)
    earlier = _behaviour_before(grid, at, repeat_days)
    return CurrentCssrs(
        tier=tier,
        day=np.where(current, latest, -1).astype(np.int64),
        intent_or_plan=np.asarray(intent, bool),
        recent_behaviour=np.asarray(behaviour, bool),
        first_behaviour_in_90_days=np.asarray(behaviour & ~earlier, bool),
    )


def _behaviour_before(grid: DayGrid, day: Ints, window: int) -> Bools:
    """Whether a screen with Q6 within 3 months falls in the ``window`` days before
    ``day`` (days ``day - window`` .. ``day - 1``)."""
    b = grid.cssrs_recent_behaviour == 1
    cum = np.zeros((b.shape[0], b.shape[1] + 1), np.int64)
    np.cumsum(b, axis=1, out=cum[:, 1:])
    lo = np.clip(day - window, 0, b.shape[1])[:, None]
    hi = np.clip(day, 0, b.shape[1])[:, None]
    result: Bools = (np.take_along_axis(cum, hi, 1) - np.take_along_axis(cum, lo, 1))[:, 0] > 0
    return result


def emergency_evaluation(c: CurrentCssrs) -> Bools:
    """s7: a current C-SSRS ``high`` from past-month intent or plan (Q4, Q5); or a
    ``high`` from recent behaviour alone on the first such screen in 90 days (program)."""
    result: Bools = c.intent_or_plan | c.first_behaviour_in_90_days
    return result
