"""The group outreach rule (domain/monitoring/groups.py): two unexcused absences in 14
days raise a routine ``missed_groups`` alert, once per episode (program)."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.domain.monitoring.alerts import KIND_BY_NAME
from tandem.domain.monitoring.groups import (
    AttendanceCounts,
    MissedGroupsRule,
    count_attendance,
    missed_groups_raises,
)
from tandem.domain.monitoring.thresholds import DEFAULT_RECIPIENTS

DAY = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


def test_one_absence_raises_nothing() -> None:
    assert not missed_groups_raises([day(0)], day(0))


def test_the_second_absence_within_14_days_raises() -> None:
    assert missed_groups_raises([day(0), day(13)], day(13))


def test_absences_15_days_apart_do_not_count_together() -> None:
    # day 0 and day 14: the window ending on day 14 starts on day 1.
    assert not missed_groups_raises([day(0), day(14)], day(14))


def test_two_sessions_missed_on_one_day_count_twice() -> None:
    assert missed_groups_raises([day(3), day(3)], day(3))


def test_a_third_absence_in_the_same_episode_raises_nothing_new() -> None:
    assert not missed_groups_raises([day(0), day(2), day(5)], day(5))


def test_a_new_episode_after_14_days_without_the_condition() -> None:
    # The condition holds on days 2..13 (0 and 2 in the window); false from day 14. A
    # new pair on days 28 and 29: 15 days after day 13, a new episode.
    assert missed_groups_raises([day(0), day(2), day(28), day(29)], day(29))
    # ... but a pair on days 20 and 21 comes within 14 days of day 13: same episode.
    assert not missed_groups_raises([day(0), day(2), day(20), day(21)], day(21))


def test_later_absences_are_ignored() -> None:
    assert not missed_groups_raises([day(0), day(5)], day(0))


def test_the_rule_is_configurable() -> None:
    rule = MissedGroupsRule(absences=3, window_days=7)
    assert not missed_groups_raises([day(0), day(1)], day(1), rule)
    assert missed_groups_raises([day(0), day(1), day(6)], day(6), rule)


def test_the_kind_is_routine_outreach_to_the_peer_specialist() -> None:
    kind = KIND_BY_NAME["missed_groups"]
    assert (kind.severity, kind.action) == ("routine", "Outreach.")
    assert DEFAULT_RECIPIENTS["missed_groups"] == ("peer_specialist",)


def test_counts() -> None:
    counts = count_attendance(["present", "late", "excused", "unexcused", "unexcused"])
    assert counts == AttendanceCounts(attended=2, excused=1, unexcused=2)
    assert counts.total == 5
    with pytest.raises(ValueError, match="unknown attendance status"):
        count_attendance(["absent"])
