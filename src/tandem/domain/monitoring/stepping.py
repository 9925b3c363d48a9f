"""Suggestions as of ``today``: emergency evaluation, step up, step down.

Suggestions, never automatic moves; each lists its evidence. First match wins:

- ``emergency_evaluation`` (ruleset-v2.md s7), outranking every other suggestion: a
  current C-SSRS ``high`` from past-month intent or plan (Q4, Q5); or a ``high`` from
  recent behaviour alone (Q6 within 3 months) on the first such screen in 90 days
  (program). Precautions now and a same-day evaluation by a mental-health professional
  (facts.md s2.4). Recipients: prescriber and the on-call clinician (s7).
- ``step_up`` (OP -> IOP -> PHP -> referral), on either axis alone (ruleset-v2.md s7,
  review finding 11): ``deterioration`` or ``not_on_track`` holding today; or a current
  C-SSRS ``moderate`` (or a ``high`` that does not call for an emergency evaluation:
  the program's reading, a higher tier never gets less); or 2 or more days with a
  positive screen in the last 14 days once the patient's first screen is 28 or more
  days old (program).
- ``step_down`` (as monitoring.md s6): PHQ-9 response, at least 4 screens in the last 28
  days all negative (missed and invalid count as not negative), and no suicide signal on
  any of those 28 days (stricter than "no alert raised": every signal day is covered by
  an alert that day or in the 6 days before).

"The last N days" are today and the N - 1 days before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tandem.domain.monitoring.mbc import Phq9Daily, Phq9Outcomes
from tandem.domain.monitoring.rows import CSSRS_TIERS
from tandem.domain.monitoring.series import Bools, DayGrid, first_true, iso_dates
from tandem.domain.monitoring.suicide import CurrentCssrs, emergency_evaluation
from tandem.domain.monitoring.thresholds import AlertSettings

LEVELS_PATH = "OP -> IOP -> PHP -> referral"
EMERGENCY_ACTION = (
    "Precautions now and a same-day evaluation by a mental-health professional "
    "(facts.md s2.4; ruleset-v2.md s7)."
)
MODERATE = CSSRS_TIERS.index("moderate")


@dataclass(frozen=True)
class Suggestion:
    """A suggestion for one patient: its kind and evidence."""

    row: int
    kind: str
    evidence: dict[str, Any]


def _last(grid: DayGrid, values: np.ndarray[Any, Any], days: int) -> np.ndarray[Any, Any]:
    return values[:, max(grid.n_days - days, 0) :]


def suggestions(
    grid: DayGrid,
    daily: Phq9Daily,
    outcomes: Phq9Outcomes,
    signal: Bools,
    cssrs: CurrentCssrs,
    st: AlertSettings,
) -> list[Suggestion]:
    """The suggestion of every patient that has one (``signal``: suicide signal days)."""
    emergency = emergency_evaluation(cssrs)
    up, up_evidence = _step_up(grid, daily, cssrs, st)
    down_days = st.step_down_window_days
    screens = _last(grid, grid.screens, down_days).sum(axis=1)
    negatives = _last(grid, grid.negatives, down_days).sum(axis=1)
    calm = ~_last(grid, signal, down_days).any(axis=1)
    down = (outcomes.response == 1) & (screens >= st.step_down_min_screens)
    down &= (negatives == screens) & calm
    cssrs_dates = iso_dates(grid.first_day, cssrs.day)
    out: list[Suggestion] = []
    for row in np.flatnonzero(emergency | up | down).tolist():
        if emergency[row]:
            e: dict[str, Any] = {
                "cssrs_tier": "high",
                "cssrs_date": cssrs_dates[row],
                "intent_or_plan": bool(cssrs.intent_or_plan[row]),
                "recent_behaviour": bool(cssrs.recent_behaviour[row]),
                "action": EMERGENCY_ACTION,
                "recipients": list(st.recipients["emergency_evaluation"]),
            }
            out.append(Suggestion(row, "emergency_evaluation", e))
        elif up[row]:
            out.append(Suggestion(row, "step_up", up_evidence(row)))
        else:
            e = {
                "phq9_response": True,
                "screens_last_28_days": int(screens[row]),
                "all_negative": True,
                "suicide_risk_last_28_days": False,
            }
            out.append(Suggestion(row, "step_down", e))
    return out


def _step_up(
    grid: DayGrid, daily: Phq9Daily, cssrs: CurrentCssrs, st: AlertSettings
) -> tuple[Bools, Any]:
    """Who gets a step up, and a function giving one patient's evidence."""
    positive_days = (_last(grid, grid.positives, st.step_up_window_days) > 0).sum(axis=1)
    first_screen = first_true(grid.screens > 0)
    screens_old = grid.n_days - 1 - first_screen >= st.step_up_first_screen_age_days
    by_screens = screens_old & (positive_days >= st.step_up_positive_screens)
    deteriorating = daily.deterioration[:, -1]
    off_track = daily.not_on_track[:, -1]
    by_scores = deteriorating | off_track
    with np.errstate(invalid="ignore"):
        by_cssrs = np.asarray(cssrs.tier >= MODERATE, bool)
    tier = np.nan_to_num(cssrs.tier, nan=0).astype(np.int64)
    dates = iso_dates(grid.first_day, cssrs.day)

    def evidence(row: int) -> dict[str, Any]:
        e: dict[str, Any] = {"path": LEVELS_PATH}
        if by_scores[row]:
            e.update(deterioration=bool(deteriorating[row]), not_on_track=bool(off_track[row]))
        if by_cssrs[row]:
            e.update(cssrs_tier=CSSRS_TIERS[int(tier[row])], cssrs_date=dates[row])
        if by_screens[row]:
            e.update(positive_screen_days_last_14_days=int(positive_days[row]))
        return e

    result: Bools = by_scores | by_cssrs | by_screens
    return result, evidence
