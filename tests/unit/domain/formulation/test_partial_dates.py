"""Partial dates in the current month or year (ruleset-v1.md s1, s2; the lead's decision).

Checking a case, a partial date is the interval of days it could mean (s2's onset-order
reading): it is refused only when no day fits. Computing, it is s2's midpoint clamped into
what the case allows (docs/clinical/formulation.md, decision 1).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.domain.errors import InvalidCase
from tandem.domain.formulation import formulate, parse_case
from tandem.domain.formulation.dates import parse_partial_date
from tandem.rulesets import load_ruleset
from tests.unit.domain.formulation.conftest import spec_example


def _case(**changes: Any) -> dict[str, Any]:
    case = spec_example()
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            case[section][field] = value
        else:
            case[section] = value
    return case


def test_an_onset_in_the_month_of_assessment_is_taken_as_assessed_on() -> None:
    case = _case(depressive_episodes=[{"onset": "2026-11", "end": None}])  # assessed 2026-11-02
    parsed = parse_case(case)
    assert parsed.depressive_episodes[0].onset.midpoint == date(2026, 11, 2)
    episode = formulate(parsed, load_ruleset("tandem-default/1")).as_dict()["episodes"][0]
    assert episode["facts"]["onset"] == "2026-11-02"
    assert episode["classification"] == "substance_induced_provisional"  # 3 days after use
    assert "2026-11 (taken as 2026-11-02)" in episode["reason"]


def test_an_onset_in_the_year_of_assessment_is_taken_as_assessed_on() -> None:
    case = _case(
        assessed_on="2026-03-10",
        stimulant__use_periods=[],
        stimulant__last_use=None,
        stimulant__days_used_past_30=0,
        depressive_episodes=[{"onset": "2026", "end": None}],
    )
    assert parse_case(case).depressive_episodes[0].onset.midpoint == date(2026, 3, 10)


def test_an_ongoing_use_period_starting_this_month_is_taken_as_last_use() -> None:
    case = _case(
        assessed_on="2026-05-20",
        stimulant__use_periods=[
            {"start": "2018-05", "end": "2020-01"},
            {"start": "2026-05", "end": None},
        ],
        stimulant__last_use="2026-05-10",
        stimulant__days_used_past_30=5,
    )
    parsed = parse_case(case)
    assert parsed.stimulant.use_periods[1].start.midpoint == date(2026, 5, 10)
    assert parsed.stimulant.use_periods[0].start.midpoint == date(2018, 5, 15)  # unchanged
    formulate(parsed, load_ruleset("tandem-default/1"))


def test_an_end_is_refused_only_when_it_cannot_follow_its_start() -> None:
    case = _case(depressive_episodes=[{"onset": "2018-09", "end": "2018"}])
    episode = parse_case(case).depressive_episodes[0]
    assert episode.end is not None
    assert episode.end.midpoint == episode.onset.midpoint == date(2018, 9, 15)  # not 2018-07-01


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"depressive_episodes": [{"onset": "2026-12", "end": None}]},
            "$.depressive_episodes[0].onset: 2026-12 (at the earliest 2026-12-01) is after "
            "assessed_on 2026-11-02",
        ),
        (
            {"depressive_episodes": [{"onset": "2018-09", "end": "2018-08"}]},
            "$.depressive_episodes[0].end: 2018-08 (at the latest 2018-08-31) is before its "
            "onset 2018-09 (at the earliest 2018-09-01)",
        ),
        (
            {"stimulant__last_use": "2021-02-28", "stimulant__days_used_past_30": 0},
            "$.stimulant.last_use: 2021-02-28 is before the start 2021-03 (at the earliest "
            "2021-03-01) of the ongoing use period",
        ),
    ],
)
def test_dates_no_reading_allows_are_still_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidCase) as caught:
        parse_case(_case(**changes))
    assert str(caught.value) == message


def test_items_follow_each_other_on_the_clamped_midpoints() -> None:
    follows = [{"onset": "2016-09", "end": "2026-10-20"}, {"onset": "2026-11", "end": None}]
    assert parse_case(_case(depressive_episodes=follows)).depressive_episodes[1].onset.midpoint
    same_day = [{"onset": "2016-09", "end": "2026-11-02"}, {"onset": "2026-11", "end": None}]
    with pytest.raises(InvalidCase) as caught:
        parse_case(_case(depressive_episodes=same_day))
    assert str(caught.value) == (
        "$.depressive_episodes[1].onset: 2026-11 (taken as 2026-11-02) does not come after the "
        "previous item's end 2026-11-02 (oldest first, no overlap)"
    )


@given(
    st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    st.sampled_from(["year", "month"]),
    st.integers(0, 400),
)
def test_a_clamped_midpoint_is_a_day_the_date_could_mean(
    day: date, precision: str, days_later: int
) -> None:
    text = day.strftime("%Y") if precision == "year" else day.strftime("%Y-%m")
    value = parse_partial_date(text, "$.x")
    highest = date.fromordinal(value.earliest.toordinal() + days_later)
    clamped = value.clamped(highest)
    assert value.earliest <= clamped.midpoint <= min(value.latest, highest)
    assert clamped.midpoint == min(value.s2_midpoint, highest)
