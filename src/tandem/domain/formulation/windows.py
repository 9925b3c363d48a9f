"""When use may have happened: the windows of ruleset-v2.md s1.

"Within 30 days" means on or after ``assessed_on`` - 29 (the window of
``days_used_past_30``); "within 12 months" means on or after ``assessed_on`` - 364. A use
period ends on its latest possible day (the end of its interval; an ongoing one at
``last_use`` when that is known, else at ``assessed_on``). Unknown never means safe:
"possible use" is true unless the record rules it out, and "no use (known)" needs every
piece of the record to say so.
"""

from __future__ import annotations

from datetime import date, timedelta

from tandem.domain.formulation.case import Case, Stimulant


def window_start(case: Case, days: int) -> date:
    """The first day of a window of ``days`` days ending on ``assessed_on``."""
    return case.assessed_on - timedelta(days=days - 1)


def period_ends(case: Case) -> list[date]:
    """Each use period's latest possible last day (ruleset-v2.md s1)."""
    s = case.stimulant
    return [
        p.end.latest if p.end is not None else (s.last_use or case.assessed_on)
        for p in s.use_periods
    ]


def ongoing_period(s: Stimulant) -> bool:
    return bool(s.use_periods) and s.use_periods[-1].end is None


def possible_use_within(case: Case, days: int, *, periods: bool) -> bool:
    """Use in the window is possible: days used >= 1, ``last_use`` in it, or both unknown
    while a use period is ongoing; with ``periods`` also a use period ending in it."""
    s = case.stimulant
    start = window_start(case, days)
    if s.days_used_past_30 is not None and s.days_used_past_30 >= 1:
        return True
    if s.last_use is not None and s.last_use >= start:
        return True
    if s.last_use is None and s.days_used_past_30 is None and ongoing_period(s):
        return True
    return periods and any(end >= start for end in period_ends(case))


def no_use_within_known(case: Case, days: int) -> bool:
    """No use in the window, known: 0 days used, ``last_use`` known and before the window,
    and no use period ending in it (ruleset-v2.md s1)."""
    s = case.stimulant
    start = window_start(case, days)
    return (
        s.days_used_past_30 == 0
        and s.last_use is not None
        and s.last_use < start
        and not any(end >= start for end in period_ends(case))
    )


def any_use_recorded(case: Case) -> bool:
    """Some use is on record: a use period, a last use, a use day, criteria met or remission."""
    s = case.stimulant
    return bool(
        s.use_periods
        or s.last_use is not None
        or (s.days_used_past_30 or 0) >= 1
        or s.dsm_criteria_past_12_months
        or s.remission is not None
    )


def use_periods_incomplete(case: Case, criteria_count: int | None, past_year_days: int) -> bool:
    """ruleset-v2.md s2: 2 or more criteria met in the past 12 months, but no use period
    (any pattern) ends within 12 months or is ongoing: the record of use is too thin."""
    if criteria_count is None or criteria_count < 2:
        return False
    start = window_start(case, past_year_days)
    recent = any(p.end is None or p.end.latest >= start for p in case.stimulant.use_periods)
    return not recent
