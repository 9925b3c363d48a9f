"""Step-up and step-down suggestions (``monitoring.md`` s6), as of ``today``.

Suggestions, never automatic moves; each lists its evidence.
- step up (OP -> IOP -> PHP -> referral): ``deterioration`` or ``not_on_track`` holding
  today together with 2 or more positive screens in the last 14 days; or a C-SSRS tier of
  ``moderate`` or ``high`` in the last 14 days;
- step down: PHQ-9 response, at least 4 screens in the last 28 days all negative (missed
  and invalid count as not negative), and no ``suicide_risk`` condition on any of those
  28 days (stricter than "no alert raised": an alert is raised once per episode).

When both would apply, step up wins: safety first (the program's choice). "The last N
days" are today and the N - 1 days before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tandem.domain.monitoring.mbc import Phq9Daily, Phq9Outcomes
from tandem.domain.monitoring.rows import CSSRS_TIERS
from tandem.domain.monitoring.series import Bools, DayGrid
from tandem.domain.monitoring.thresholds import AlertSettings

LEVELS_PATH = "OP -> IOP -> PHP -> referral"


@dataclass(frozen=True)
class Suggestion:
    """A suggestion for one patient: ``step_up`` or ``step_down`` and its evidence."""

    row: int
    kind: str
    evidence: dict[str, Any]


def _last(grid: DayGrid, values: np.ndarray[Any, Any], days: int) -> np.ndarray[Any, Any]:
    return values[:, max(grid.n_days - days, 0) :]


def suggestions(
    grid: DayGrid,
    daily: Phq9Daily,
    outcomes: Phq9Outcomes,
    suicide: Bools,
    st: AlertSettings,
) -> list[Suggestion]:
    """The suggestion of every patient that has one."""
    up_days, down_days = st.step_up_window_days, st.step_down_window_days
    positives = _last(grid, grid.positives, up_days).sum(axis=1)
    tiers = np.nan_to_num(_last(grid, grid.cssrs_tier, up_days), nan=-1).max(axis=1)
    deteriorating = daily.deterioration[:, -1]
    off_track = daily.not_on_track[:, -1]
    by_scores = (deteriorating | off_track) & (positives >= st.step_up_positive_screens)
    by_cssrs = tiers >= 2
    screens = _last(grid, grid.screens, down_days).sum(axis=1)
    negatives = _last(grid, grid.negatives, down_days).sum(axis=1)
    calm = ~_last(grid, suicide, down_days).any(axis=1)
    down = (outcomes.response == 1) & (screens >= st.step_down_min_screens)
    down &= (negatives == screens) & calm
    out: list[Suggestion] = []
    for row in np.flatnonzero(by_scores | by_cssrs | down).tolist():
        if by_scores[row] or by_cssrs[row]:
            e: dict[str, Any] = {"path": LEVELS_PATH}
            if by_scores[row]:
                e.update(deterioration=bool(deteriorating[row]), not_on_track=bool(off_track[row]))
                e.update(positive_screens_last_14_days=int(positives[row]))
            if by_cssrs[row]:
                e.update(cssrs_tier_last_14_days=CSSRS_TIERS[int(tiers[row])])
            out.append(Suggestion(row, "step_up", e))
        else:
            e = {
                "phq9_response": True,
                "screens_last_28_days": int(screens[row]),
                "all_negative": True,
                "suicide_risk_last_28_days": False,
            }
            out.append(Suggestion(row, "step_down", e))
    return out
