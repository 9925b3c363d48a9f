"""What monitoring adds to a reassessment's case (issue 11), pure.

Accepting a step-up, step-down or emergency-evaluation suggestion, or re-evaluating a
provisional substance-induced depression on its ``reassess_on`` date, starts a
reassessment whose case is the intake's plus what monitoring has recorded since:

- ``last_use``: the latest use day known, from the intake's ``stimulant.last_use``,
  the use days patients report in check-ins, and screens positive for a stimulant;
- ``days_used_past_30``: use days among the assessment day and the 29 days before it
  (the case schema's window, ruleset-v1.md s1), counted from check-ins and positive
  screens **only when check-ins cover at least 27 of those 30 days** (issue 11; the
  number is the program's choice). Otherwise it stays unknown (``None``) and the count
  seen is shown beside it: unknown never means none (ruleset-v2.md s1).

The latest PHQ-9 and C-SSRS need nothing here: the case takes the episode's latest
administration of each instrument (``services.intake.case_for_formulation``).

``depression_review_due``: a formulation whose current depression is
``substance_induced_provisional`` is offered for re-evaluation from its ``reassess_on``
date (ruleset-v1.md: provisional until about four weeks of abstinence tell).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

WINDOW_DAYS: Final = 30  # the case's days_used_past_30 window (ruleset-v1.md s1)
MIN_COVERED_DAYS: Final = 27  # program (issue 11): check-in days needed to count use days

REASONS: Final = ("step_up", "step_down", "emergency_evaluation", "depression_review")


@dataclass(frozen=True)
class RecentUse:
    """Use around the assessment day as monitoring saw it."""

    assessed_on: dt.date
    covered_days: int  # days of the 30 with a check-in
    use_days_seen: int  # use days of the 30 from check-ins and positive screens
    days_used_past_30: int | None  # use_days_seen, or None when too few days are covered
    last_use: dt.date | None  # the latest known use day on or before assessed_on

    def as_dict(self) -> dict[str, object]:
        return {
            "assessed_on": self.assessed_on.isoformat(),
            "covered_days": self.covered_days,
            "use_days_seen": self.use_days_seen,
            "days_used_past_30": self.days_used_past_30,
            "last_use": self.last_use.isoformat() if self.last_use else None,
        }


def recent_use(
    assessed_on: dt.date,
    checkin_days: Iterable[dt.date],
    use_days: Iterable[dt.date],
    positive_screen_days: Iterable[dt.date],
    intake_last_use: dt.date | None = None,
) -> RecentUse:
    """Summarise use for a reassessment on ``assessed_on``.

    ``checkin_days``: the days with a check-in; ``use_days``: the days patients said they
    used; ``positive_screen_days``: collection days of screens positive for a stimulant;
    ``intake_last_use``: the intake's last use, kept when monitoring saw nothing later.
    Records after ``assessed_on`` are ignored.
    """
    start = assessed_on - dt.timedelta(days=WINDOW_DAYS - 1)
    covered = {d for d in checkin_days if start <= d <= assessed_on}
    used = {d for d in (*use_days, *positive_screen_days) if d <= assessed_on}
    in_window = sum(1 for d in used if d >= start)
    known = list(used) + ([intake_last_use] if intake_last_use else [])
    last = max((d for d in known if d <= assessed_on), default=None)
    return RecentUse(
        assessed_on=assessed_on,
        covered_days=len(covered),
        use_days_seen=in_window,
        days_used_past_30=in_window if len(covered) >= MIN_COVERED_DAYS else None,
        last_use=last,
    )


def depression_review_due(
    current_depression: str | None, reassess_on: dt.date | None, today: dt.date
) -> bool:
    """Whether a provisional substance-induced depression is due for re-evaluation."""
    return (
        current_depression == "substance_induced_provisional"
        and reassess_on is not None
        and reassess_on <= today
    )
