"""What monitoring puts into a reassessment's case (issue 11): golden edges and properties."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tandem.domain.monitoring.reassessment import (
    MIN_COVERED_DAYS,
    WINDOW_DAYS,
    depression_review_due,
    recent_use,
)

ON = dt.date(2026, 12, 4)


def days_back(*offsets: int) -> list[dt.date]:
    return [ON - dt.timedelta(days=n) for n in offsets]


def test_27_of_30_days_covered_counts_use_days_from_checkins_and_screens() -> None:
    covered = days_back(*range(27))  # today and the 26 days before
    use = recent_use(ON, covered, days_back(3, 5), days_back(5, 20), None)
    assert use.covered_days == MIN_COVERED_DAYS == 27
    assert use.days_used_past_30 == 3  # days 3, 5 (once) and 20
    assert use.use_days_seen == 3
    assert use.last_use == ON - dt.timedelta(days=3)


def test_26_days_covered_leaves_days_used_unknown_with_the_count_shown() -> None:
    use = recent_use(ON, days_back(*range(26)), days_back(3), [], None)
    assert use.days_used_past_30 is None  # unknown never means none
    assert use.use_days_seen == 1
    assert use.covered_days == 26


def test_the_window_is_the_assessment_day_and_the_29_before() -> None:
    covered = days_back(*range(40))
    use = recent_use(ON, covered, days_back(29, 30), [], None)
    assert use.covered_days == WINDOW_DAYS
    assert use.days_used_past_30 == 1  # day 29 is in, day 30 is out
    assert use.last_use == ON - dt.timedelta(days=29)


def test_records_after_the_assessment_day_are_ignored() -> None:
    use = recent_use(ON, days_back(-1, 0), days_back(-1), days_back(-2), None)
    assert use.covered_days == 1
    assert use.last_use is None


def test_the_intake_last_use_is_kept_when_monitoring_saw_nothing_later() -> None:
    intake_last = ON - dt.timedelta(days=100)
    assert recent_use(ON, [], [], [], intake_last).last_use == intake_last
    later = recent_use(ON, [], days_back(10), [], intake_last)
    assert later.last_use == ON - dt.timedelta(days=10)
    earlier_seen = recent_use(ON, [], [], days_back(200), intake_last)
    assert earlier_seen.last_use == intake_last


@given(st.sets(st.integers(0, 60)), st.sets(st.integers(0, 60)), st.sets(st.integers(0, 60)))
def test_days_used_is_known_only_with_enough_cover_and_never_exceeds_30(
    covered: set[int], used: set[int], positive: set[int]
) -> None:
    use = recent_use(ON, days_back(*covered), days_back(*used), days_back(*positive), None)
    assert 0 <= use.use_days_seen <= WINDOW_DAYS
    assert (use.days_used_past_30 is None) == (use.covered_days < MIN_COVERED_DAYS)
    if use.days_used_past_30 is not None:
        assert use.days_used_past_30 == use.use_days_seen
    if used | positive:
        assert use.last_use == ON - dt.timedelta(days=min(used | positive))


def test_depression_review_is_due_from_reassess_on_for_a_provisional_finding_only() -> None:
    due = ON - dt.timedelta(days=1)
    assert depression_review_due("substance_induced_provisional", due, ON)
    assert depression_review_due("substance_induced_provisional", ON, ON)
    assert not depression_review_due("substance_induced_provisional", ON + dt.timedelta(1), ON)
    assert not depression_review_due("independent", due, ON)
    assert not depression_review_due("substance_induced_provisional", None, ON)
