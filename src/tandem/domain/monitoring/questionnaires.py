"""When a questionnaire of the signed plan is due, and whether it was done or missed.

portal.md "Weekly and monthly questionnaires": due dates come from the signed plan's
measures (PHQ-9 weekly by default); a questionnaire stays "due" for 3 days, then it is
"missed".

How the dates are read (the program's own reading where portal.md is silent; listed in
docs/clinical/patient-texts.md for the clinical lead's review):

- the first due date is the day the plan was signed (clinic-local); the next ones follow
  every ``every_days`` days (a week for ``*_weekly``; 28 days for ``*_monthly``, so a
  monthly questionnaire keeps its weekday);
- a due date ``d`` is open from ``d`` to ``d + DUE_DAYS - 1``; from ``d + DUE_DAYS`` it is
  missed unless done;
- an administration counts for the due date whose window it falls in: from the day after
  the previous due date's window closed to the last day of this one. So a questionnaire
  taken at the clinic a few days early counts, and one answer never counts twice.

Pure: the caller passes the dates (no clock, no database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

DUE_DAYS: Final = 3  # portal.md: a questionnaire stays "due" for 3 days, then "missed"
WEEK: Final = 7
FOUR_WEEKS: Final = 28  # "monthly": the program's choice, keeps the weekday


@dataclass(frozen=True)
class Schedule:
    """A plan measure that is a questionnaire: which instrument and how often."""

    measure_id: str
    instrument_id: str
    every_days: int


# The rule sets' questionnaire measures (tandem-default-1/2.json ``measures``) and their
# cadence. ``cssrs_every_visit`` is asked at visits, not on dates: it has no schedule here.
SCHEDULES: Final = {
    s.measure_id: s
    for s in (
        Schedule("phq9_weekly", "phq9", WEEK),
        Schedule("pcl5_monthly", "pcl5", FOUR_WEEKS),
        Schedule("auditc_monthly", "auditc", FOUR_WEEKS),
    )
}

Status = Literal["done", "due", "missed", "upcoming"]


@dataclass(frozen=True)
class DueDate:
    """One due date of a questionnaire: ``due_on``; open until ``open_until`` (inclusive)."""

    due_on: dt.date
    open_until: dt.date
    status: Status
    done_on: dt.date | None = None


def due_dates(
    start: dt.date,
    every_days: int,
    done_on: Iterable[dt.date],
    today: dt.date,
    due_days: int = DUE_DAYS,
) -> list[DueDate]:
    """Every due date from ``start`` up to ``today``, oldest first, then the next one
    ("upcoming"). ``done_on``: the dates the questionnaire was answered (any order)."""
    if every_days < due_days or due_days < 1:
        raise ValueError("a questionnaire is due for 1 or more days, and at most every_days")
    answered = sorted(set(done_on))
    result = []
    due_on = start
    while due_on <= today:
        open_until = due_on + dt.timedelta(days=due_days - 1)
        counts_from = open_until - dt.timedelta(days=every_days - 1)
        done = next((d for d in answered if counts_from <= d <= open_until), None)
        if done is not None:
            status: Status = "done"
        elif today <= open_until:
            status = "due"
        else:
            status = "missed"
        result.append(DueDate(due_on, open_until, status, done))
        due_on += dt.timedelta(days=every_days)
    result.append(DueDate(due_on, due_on + dt.timedelta(days=due_days - 1), "upcoming"))
    return result


def current(dates: list[DueDate]) -> DueDate:
    """What to tell the person now: the open or latest due date, else the next one."""
    past = [d for d in dates if d.status != "upcoming"]
    return past[-1] if past else dates[-1]
