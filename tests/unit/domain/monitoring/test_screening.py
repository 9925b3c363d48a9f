"""The screen rules of ruleset-v2.md s7 for one recorded screen (domain/monitoring/screening.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.domain.monitoring.panel import Panel
from tandem.domain.monitoring.screening import cm_reading, overdose_raises

DAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("status", "results", "substance", "expected"),
    [
        ("missed", {}, "cocaine", "missed"),
        ("invalid", {}, "cocaine", "invalid"),
        ("result", {"cocaine": "negative"}, "cocaine", "negative"),
        ("result", {"amphetamine": "negative"}, "cocaine", "invalid"),
        ("result", {"cocaine": "negative", "amphetamine": "positive"}, "cocaine", "positive"),
        ("result", {"cocaine": "negative", "fentanyl": "positive"}, "cocaine", "negative"),
        ("result", {"methamphetamine": "negative"}, "amphetamine_type", "negative"),
        ("result", {"cocaine": "negative"}, "amphetamine_type", "invalid"),
    ],
)
def test_cm_reading(status: str, results: dict, substance: str, expected: str) -> None:
    assert cm_reading(status, Panel(results), substance) == expected


def test_a_result_without_a_panel_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one analyte"):
        cm_reading("result", Panel())


@pytest.mark.parametrize(
    ("earlier", "raises"),
    [
        ([], True),
        ([DAY], True),  # the same day: that day's alert takes it (the store's rule)
        ([DAY - dt.timedelta(days=1)], False),
        ([DAY - dt.timedelta(days=14)], False),
        ([DAY - dt.timedelta(days=15)], True),
        ([DAY + dt.timedelta(days=3)], True),  # a later screen entered first
    ],
)
def test_overdose_raises_after_14_quiet_days(earlier: list[dt.date], raises: bool) -> None:
    assert overdose_raises(DAY, earlier) is raises


@given(st.lists(st.integers(min_value=-60, max_value=60)))
def test_overdose_raises_exactly_when_none_of_the_14_days_before_had_one(
    offsets: list[int],
) -> None:
    earlier = [DAY + dt.timedelta(days=k) for k in offsets]
    assert overdose_raises(DAY, earlier) is not any(-14 <= k <= -1 for k in offsets)
