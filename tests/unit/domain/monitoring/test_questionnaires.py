"""Due, done, missed (portal.md: "stays due for 3 days, then missed"); pure."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.domain.monitoring.questionnaires import (
    DUE_DAYS,
    SCHEDULES,
    WEEK,
    current,
    due_dates,
)

SIGNED = dt.date(2026, 3, 2)  # a Monday


def _day(n: int) -> dt.date:
    return SIGNED + dt.timedelta(days=n)


def test_due_on_the_signing_day_and_for_three_days() -> None:
    for n in range(DUE_DAYS):
        dates = due_dates(SIGNED, WEEK, [], _day(n))
        assert [d.status for d in dates] == ["due", "upcoming"]
        assert dates[0].open_until == _day(2)
        assert dates[-1].due_on == _day(7)


def test_missed_from_the_fourth_day() -> None:
    dates = due_dates(SIGNED, WEEK, [], _day(3))
    assert current(dates).status == "missed"
    assert dates[-1].due_on == _day(7)


def test_done_inside_the_window() -> None:
    dates = due_dates(SIGNED, WEEK, [_day(2)], _day(5))
    assert current(dates).status == "done"
    assert current(dates).done_on == _day(2)


def test_an_answer_after_the_window_closed_counts_for_the_next_due_date() -> None:
    # Answered on day 4 (after the first window closed): the first stays missed; the
    # second due date (day 7) is already done.
    dates = due_dates(SIGNED, WEEK, [_day(4)], _day(8))
    assert [d.status for d in dates] == ["missed", "done", "upcoming"]


def test_a_clinic_administration_a_few_days_early_counts() -> None:
    dates = due_dates(SIGNED, WEEK, [_day(5)], _day(7))
    assert [d.status for d in dates] == ["missed", "done", "upcoming"]


def test_one_answer_never_counts_twice() -> None:
    dates = due_dates(SIGNED, WEEK, [_day(1)], _day(21))
    assert [d.status for d in dates] == ["done", "missed", "missed", "due", "upcoming"]


def test_before_the_plan_starts_only_the_next_date_shows() -> None:
    dates = due_dates(SIGNED, WEEK, [], _day(-1))
    assert [(d.due_on, d.status) for d in dates] == [(SIGNED, "upcoming")]
    assert current(dates).status == "upcoming"


def test_the_rule_sets_questionnaire_measures_have_a_schedule() -> None:
    from tandem.rulesets import load_ruleset

    for ruleset_id in ("tandem-default/1", "tandem-default/2"):
        ids = {m.id for m in load_ruleset(ruleset_id).measures}
        assert {"phq9_weekly", "pcl5_monthly", "auditc_monthly"} <= ids
    assert SCHEDULES["phq9_weekly"].every_days == WEEK


def test_refuses_a_window_longer_than_the_interval() -> None:
    with pytest.raises(ValueError, match="at most every_days"):
        due_dates(SIGNED, 2, [], SIGNED)


@given(
    st.integers(0, 120),
    st.sets(st.integers(-10, 120), max_size=20),
    st.sampled_from([7, 28]),
)
def test_every_answer_counts_at_most_once_and_statuses_follow_today(
    today_n: int, answered: set[int], every: int
) -> None:
    today = _day(today_n)
    dates = due_dates(SIGNED, every, [_day(n) for n in answered], today)
    done = [d.done_on for d in dates if d.done_on is not None]
    assert len(done) == len(set(done))
    assert dates[-1].status == "upcoming"
    assert dates[-1].due_on > today
    for d in dates[:-1]:
        assert d.due_on <= today
        if d.status == "due":
            assert today <= d.open_until
        if d.status == "missed":
            assert today > d.open_until
