"""IOP/PHP group attendance and its outreach rule (issue 11; docs/clinical/groups.md).

An attendance is one of four statuses (the clinic's own vocabulary): ``present``,
``late`` (both count as attended), ``excused`` and ``unexcused``. The outreach rule is
the program's own (no published source): two unexcused absences within 14 days raise a
routine ``missed_groups`` alert. Like every alert of monitoring.md s5 it is raised on the
first day its condition holds and not again until the condition has been false for at
least 14 days. Pure: the caller passes the days; no clock, no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

AttendanceStatus = Literal["present", "late", "excused", "unexcused"]
ATTENDANCE_STATUSES: Final[tuple[AttendanceStatus, ...]] = (
    "present",
    "late",
    "excused",
    "unexcused",
)
ATTENDED: Final = frozenset({"present", "late"})
# The levels a group runs at (storage's LEVELS less residential, which is a referral).
GROUP_LEVELS: Final = ("iop", "php", "outpatient")


@dataclass(frozen=True)
class MissedGroupsRule:
    """The outreach rule's figures, all the program's own choice."""

    absences: int = 2  # program: two unexcused absences ...
    window_days: int = 14  # program: ... within 14 days (the day itself included)
    quiet_days: int = 14  # monitoring.md s5: a new episode after 14 days without it


def _holds(days: list[dt.date], on: dt.date, rule: MissedGroupsRule) -> bool:
    """The condition on ``on``: ``absences`` or more unexcused days in the window ending
    on it (``window_days`` days, ``on`` included)."""
    start = on - dt.timedelta(days=rule.window_days - 1)
    return sum(1 for d in days if start <= d <= on) >= rule.absences


def missed_groups_raises(
    unexcused_days: Iterable[dt.date], on: dt.date, rule: MissedGroupsRule | None = None
) -> bool:
    """Whether a ``missed_groups`` alert is raised on ``on``: the condition holds on it
    and held on none of the ``quiet_days`` days before (monitoring.md s5's episode rule).

    ``unexcused_days`` are the days of the patient's unexcused absences (one per session;
    two sessions missed on one day count twice); only those on or before ``on`` count."""
    rule = rule or MissedGroupsRule()
    days = sorted(d for d in unexcused_days if d <= on)
    if not _holds(days, on, rule):
        return False
    before = (on - dt.timedelta(days=k) for k in range(1, rule.quiet_days + 1))
    return not any(_holds(days, day, rule) for day in before)


@dataclass(frozen=True)
class AttendanceCounts:
    """A patient's attendance over a window: attended (present or late), excused,
    unexcused."""

    attended: int = 0
    excused: int = 0
    unexcused: int = 0

    @property
    def total(self) -> int:
        return self.attended + self.excused + self.unexcused


def count_attendance(statuses: Iterable[str]) -> AttendanceCounts:
    """Count attendance statuses (an unknown status is a programming error)."""
    attended = excused = unexcused = 0
    for status in statuses:
        if status in ATTENDED:
            attended += 1
        elif status == "excused":
            excused += 1
        elif status == "unexcused":
            unexcused += 1
        else:
            raise ValueError(f"unknown attendance status {status!r}")
    return AttendanceCounts(attended, excused, unexcused)
