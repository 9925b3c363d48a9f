"""The "what is shifting" panel (portal.md, My progress; monitoring.md s2 early markers).

Golden cases are built by hand from the spec: day 0 is the first check-in, blocks are
days 0-13, 14-27, 28-41, 42-55, so with 56 days of check-ins "a month ago" is days 0-27
and "the last month" is days 28-55.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.monitoring.records import Checkin, RecordSource
from tandem.domain.monitoring.shifting import (
    DEEPER_LOW,
    FEWER_LOW_DAYS,
    ShiftingPanel,
    what_is_shifting,
)

START = date(2026, 1, 1)


def timeline(
    days: int,
    mood: Callable[[int], float] = lambda t: 6,
    sleep: Callable[[int], float] = lambda t: 7,
    craving: Callable[[int], float] = lambda t: 3,
    used: frozenset[int] = frozenset(),
    skip: frozenset[int] = frozenset(),
) -> list[Checkin]:
    return [
        Checkin(
            "p1",
            START + timedelta(days=t),
            mood(t),
            sleep(t),
            craving(t),
            t in used,
            RecordSource.database("check-in", t),
        )
        for t in range(days)
        if t not in skip
    ]


def panel(checkins: list[Checkin], last_day: int = 55) -> ShiftingPanel:
    return what_is_shifting(checkins, START + timedelta(days=last_day))


def keys(p: ShiftingPanel) -> list[str]:
    return [s.key for s in p.statements]


def test_fewer_than_28_checkins_claims_nothing_and_says_how_many() -> None:
    p = panel(timeline(20), last_day=19)
    assert keys(p) == ["fewer_than_28_checkins", "deeper_low"]
    assert p.why_not is not None
    assert p.why_not.params == {"checkins": 20}
    assert p.shifts == ()


def test_no_checkins_at_all_says_why() -> None:
    assert keys(what_is_shifting([], START)) == ["fewer_than_28_checkins", "deeper_low"]


def test_under_four_complete_blocks_waits_for_eight_weeks() -> None:
    p = panel(timeline(55), last_day=54)  # block 3 holds 13 days: not complete
    assert keys(p) == ["fewer_than_8_weeks", "deeper_low"]


def test_too_few_checkins_in_the_last_month_claims_nothing() -> None:
    sparse = frozenset(range(28, 56)) - frozenset(range(28, 56, 3))  # 10 of 28 days kept
    p = panel(timeline(56, sleep=lambda t: 5 + 4 * (t % 2) if t < 28 else 7, skip=sparse))
    assert keys(p) == ["too_few_checkins_to_compare", "deeper_low"]


# a month ago: use on days 3, 10, 17, 24 and a crash (mood 2, baseline 6) the day after;
# nights of 5 and 9 hours in turn; craving 6. The last month: no use, 7-hour nights,
# craving 4.
IMPROVING = {
    "mood": lambda t: 2 if t < 28 and t % 7 == 4 else 6,
    "used": frozenset({3, 10, 17, 24}),
    "sleep": lambda t: (5 if t % 2 else 9) if t < 28 else 7,
    "craving": lambda t: 6 if t < 28 else 4,
}


def test_golden_improvement_says_each_shift_then_the_deeper_low() -> None:
    p = panel(timeline(56, **IMPROVING))  # type: ignore[arg-type]
    assert keys(p) == ["fewer_low_days", "steadier_sleep", "milder_cravings", "deeper_low"]
    low = p.shifts[0]
    assert low.text == FEWER_LOW_DAYS
    assert low.figures == {"earlier": 4.0, "recent": 0.0}  # four crash dips, then none
    assert p.shifts[1].figures == {"earlier": 2.0, "recent": 0.0}  # SD of 5/9 h nights
    assert p.shifts[2].figures == {"earlier": 6.0, "recent": 4.0}
    assert p.statements[-1].text == DEEPER_LOW


def test_steady_four_hour_nights_are_not_steadier_sleep() -> None:
    # ruleset-v2.md s7: spread falls (1 -> 0) but short nights rise (14 -> 28).
    p = panel(timeline(56, sleep=lambda t: (4 if t % 2 else 6) if t < 28 else 4))
    assert "steadier_sleep" not in keys(p)
    assert "fewer_short_nights" not in keys(p)
    assert keys(p) == ["no_clear_shift", "deeper_low"]


def test_fewer_short_nights_with_the_same_spread() -> None:
    p = panel(
        timeline(56, sleep=lambda t: (5 if t % 2 else 7) if t < 28 else (6.5 if t % 2 else 8.5))
    )
    assert keys(p) == ["fewer_short_nights", "deeper_low"]
    assert p.shifts[0].figures == {"earlier": 14.0, "recent": 0.0}


def test_a_small_change_in_spread_or_craving_is_not_claimed() -> None:
    p = panel(
        timeline(
            56,
            sleep=lambda t: (6.8 if t % 2 else 7.2) if t < 28 else 7,  # SD 0.2 -> 0: < 0.25
            craving=lambda t: 4 if t < 28 else 3.5,  # half a point: < 1
        )
    )
    assert keys(p) == ["no_clear_shift", "deeper_low"]


def test_worse_markers_are_not_turned_into_sentences() -> None:
    worse = {
        "mood": lambda t: 2 if t >= 28 and t % 7 == 4 else 6,
        "used": frozenset({31, 38, 45, 52}),
        "sleep": lambda t: 7 if t < 28 else (4 if t % 2 else 9),
        "craving": lambda t: 2 if t < 28 else 7,
    }
    p = panel(timeline(56, **worse))  # type: ignore[arg-type]
    assert keys(p) == ["no_clear_shift", "deeper_low"]


def test_checkins_after_today_are_ignored() -> None:
    p = panel(timeline(56, **IMPROVING), last_day=40)  # type: ignore[arg-type]
    assert keys(p) == ["fewer_than_8_weeks", "deeper_low"]


def test_fewer_checkins_do_not_pass_for_fewer_low_days() -> None:
    # A month ago 4 low days in 28 check-ins; the last month 2 in 14 check-ins (every
    # other day): fewer as a count, the same per check-in, so not claimed.
    low = {4, 11, 18, 25, 32, 46}
    odd_days = frozenset(t for t in range(28, 56) if t % 2)
    p = panel(timeline(56, mood=lambda t: 2 if t in low else 6, skip=odd_days))
    assert p.earlier is not None
    assert p.recent is not None
    assert (p.earlier.checkins, p.earlier.crash_dips) == (28, 4.0)
    assert (p.recent.checkins, p.recent.crash_dips) == (14, 2.0)
    assert "fewer_low_days" not in keys(p)


days_of_data = st.integers(min_value=0, max_value=100)


@st.composite
def timelines(draw: st.DrawFn) -> tuple[list[Checkin], int]:
    n = draw(days_of_data)
    rows = []
    for t in range(n):
        if draw(st.booleans()) and draw(st.booleans()):
            continue  # about a quarter of days missing
        rows.append(
            Checkin(
                "p1",
                START + timedelta(days=t),
                draw(st.integers(0, 10)),
                draw(st.sampled_from([3.0, 5.0, 6.5, 7.0, 9.0])),
                draw(st.integers(0, 10)),
                draw(st.integers(0, 9)) == 0,
                RecordSource.database("check-in", t),
            )
        )
    return rows, max(n - 1, 0)


@settings(max_examples=60, deadline=None)
@given(timelines())
def test_properties_of_every_panel(case: tuple[list[Checkin], int]) -> None:
    rows, last = case
    p = what_is_shifting(rows, START + timedelta(days=last))
    assert p.statements[-1].key == "deeper_low"  # always, and last
    assert p.statements[-1].text == DEEPER_LOW
    if p.why_not is not None:
        assert p.shifts == ()  # never a claim beside a reason why not
    if len(rows) < 28:
        assert p.why_not is not None
        assert p.why_not.key == "fewer_than_28_checkins"
    if last + 1 < 56:
        assert p.why_not is not None  # four complete 14-day blocks are needed
    for s in p.shifts:
        if s.key == "no_clear_shift":
            continue
        assert p.recent is not None
        assert p.earlier is not None
        assert min(p.recent.checkins, p.earlier.checkins) >= 14
        assert s.figures["recent"] < s.figures["earlier"]  # an improvement, never a worsening
