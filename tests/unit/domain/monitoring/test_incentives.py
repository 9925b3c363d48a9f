"""Contingency management (monitoring.md s7): the worked example, hand-checked schedule
rules, and Hypothesis properties of the ledgers."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.errors import InvalidOption
from tandem.domain.monitoring.incentives import (
    PROGRAM_BOWL,
    EscalatingSchedule,
    PrizeSchedule,
    Screen,
    ScreenResult,
    Slip,
    escalating_ledger,
    prize_ledger,
)

N, P, INV, M = (
    ScreenResult.NEGATIVE,
    ScreenResult.POSITIVE,
    ScreenResult.INVALID,
    ScreenResult.MISSED,
)
DAY0 = date(2026, 1, 5)


def screens(*results: ScreenResult, every: int = 2) -> list[Screen]:
    return [Screen(DAY0 + timedelta(days=every * i), r) for i, r in enumerate(results)]


def earned(ledger_entries: object) -> list[str]:
    return [f"{e.earned_cents / 100:.2f}" for e in ledger_entries]  # type: ignore[attr-defined]


# --- escalating vouchers ------------------------------------------------------------------


def test_worked_example_of_monitoring_md_s7() -> None:
    ledger = escalating_ledger(screens(N, N, N, P, N, N, N), EscalatingSchedule())
    assert [e.earned_cents for e in ledger.entries] == [1000, 1150, 1300, 0, 1000, 1150, 1450]
    assert ledger.total_cents == 7050


def test_reset_during_recovery_keeps_the_level_saved_before_the_first_reset() -> None:
    # after N N N the level is 14.50; P saves it; N earns 10.00; a second P keeps the
    # saved 14.50 (max of 14.50 and 11.50); two negatives later the level recovers.
    ledger = escalating_ledger(screens(N, N, N, P, N, P, N, N, N), EscalatingSchedule())
    assert [e.earned_cents for e in ledger.entries] == [
        1000, 1150, 1300, 0, 1000, 0, 1000, 1150, 1450,
    ]  # fmt: skip


def test_invalid_and_missed_reset_like_positive_and_are_shown_as_given() -> None:
    ledger = escalating_ledger(screens(N, N, INV, N, M, N), EscalatingSchedule())
    assert [e.earned_cents for e in ledger.entries] == [1000, 1150, 0, 1000, 0, 1000]
    assert [e.result for e in ledger.entries] == [N, N, INV, N, M, N]


def test_level_stops_at_max_per_screen() -> None:
    ledger = escalating_ledger(screens(*[N] * 14), EscalatingSchedule())
    # 10.00 + 1.50 k reaches 26.50 at the 12th negative (10 + 11 * 1.5) and stays there
    assert [e.earned_cents for e in ledger.entries][-3:] == [2650, 2650, 2650]
    assert ledger.entries[10].earned_cents == 2500


def test_bonus_every_third_negative() -> None:
    schedule = EscalatingSchedule(bonus_every=3, bonus_cents=500)
    ledger = escalating_ledger(screens(N, N, N, N), schedule)
    assert [e.earned_cents for e in ledger.entries] == [1000, 1150, 1800, 1450]


def test_cap_reached_in_the_middle_of_a_screen_pays_only_what_fits() -> None:
    # the normative pseudo-code: earn = min(earn, cap - total)
    ledger = escalating_ledger(screens(N, N, N, N), EscalatingSchedule(cap_cents=2500))
    assert [e.earned_cents for e in ledger.entries] == [1000, 1150, 350, 0]
    assert ledger.total_cents == 2500


def test_window_closes_168_days_after_the_first_screen_of_any_result() -> None:
    rows = [
        Screen(DAY0, P),
        Screen(DAY0 + timedelta(days=167), N),
        Screen(DAY0 + timedelta(days=168), N),
        Screen(DAY0 + timedelta(days=200), P),
    ]
    ledger = escalating_ledger(rows, EscalatingSchedule())
    assert [e.earned_cents for e in ledger.entries] == [0, 1000, 0, 0]
    assert [e.in_window for e in ledger.entries] == [True, True, False, False]
    assert len(ledger.entries) == len(rows)


def test_screens_on_one_day_are_taken_in_input_order_after_sorting_by_date() -> None:
    later, same = DAY0 + timedelta(days=4), DAY0 + timedelta(days=2)
    rows = [Screen(later, N), Screen(same, P), Screen(same, N), Screen(DAY0, N)]
    ledger = escalating_ledger(rows, EscalatingSchedule())
    assert [(e.date, e.result) for e in ledger.entries] == [
        (DAY0, N), (same, P), (same, N), (later, N),
    ]  # fmt: skip
    assert [e.earned_cents for e in ledger.entries] == [1000, 0, 1000, 1150]


def test_schedule_refuses_negative_money_and_empty_window() -> None:
    with pytest.raises(InvalidOption, match="start_cents"):
        EscalatingSchedule(start_cents=-1)
    with pytest.raises(InvalidOption, match="window_days"):
        EscalatingSchedule(window_days=0)
    with pytest.raises(InvalidOption, match="bowl"):
        PrizeSchedule(seed=1, bowl=(Slip("x", 100, 0),))


# --- prize draws --------------------------------------------------------------------------


def documented_slips(seed: int, key: str, bowl: tuple[Slip, ...], n: int) -> list[str]:
    """The documented stream: random.Random(f"{seed}:{key}").randrange(total slips)."""
    rng = random.Random(f"{seed}:{key}")
    table = [s.name for s in bowl for _ in range(s.count)]
    return [table[rng.randrange(len(table))] for _ in range(n)]


def test_draws_grow_with_the_run_and_reset_after_a_positive() -> None:
    ledger = prize_ledger(screens(N, N, N, P, N, *[N] * 9), PrizeSchedule(seed=3), "p1")
    assert [e.draws for e in ledger.entries] == [1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8]


def test_prizes_follow_the_documented_seeded_stream() -> None:
    ledger = prize_ledger(screens(N, N, N), PrizeSchedule(seed=42), "patient-7")
    drawn = [p.name for e in ledger.entries for p in e.prizes]
    assert drawn == documented_slips(42, "patient-7", PROGRAM_BOWL, 6)


def test_cap_reached_in_the_middle_of_a_screen_skips_a_prize_but_a_smaller_one_fits() -> None:
    bowl = (Slip("large", 2000, 1), Slip("small", 100, 1))
    schedule = PrizeSchedule(seed=4, draw_start=8, bowl=bowl, cap_cents=4050)
    names = documented_slips(4, "p", bowl, 8)
    assert names == ["large", "small", "large", "large", "large", "large", "small", "small"]
    prizes = prize_ledger(screens(N), schedule, "p").entries[0].prizes
    # 20.00 + 1.00 = 21.00; each further large would make 41.00 > 40.50: not awarded;
    # the two smalls still fit (22.00, 23.00)
    assert [p.name for p in prizes] == names
    assert [p.awarded for p in prizes] == [True, True, False, False, False, False, True, True]
    assert sum(p.value_cents for p in prizes if p.awarded) == 2300


# --- properties ---------------------------------------------------------------------------

results = st.sampled_from([N, N, N, P, INV, M])
gaps = st.integers(0, 40)


@st.composite
def screen_lists(draw: st.DrawFn) -> list[Screen]:
    day, out = DAY0, []
    for result in draw(st.lists(results, max_size=40)):
        day += timedelta(days=draw(gaps))
        out.append(Screen(day, result))
    return out


escalating = st.builds(
    EscalatingSchedule,
    start_cents=st.integers(0, 3000),
    step_cents=st.integers(0, 500),
    max_per_screen_cents=st.integers(0, 5000),
    recovery_after=st.integers(0, 4),
    bonus_every=st.integers(0, 4),
    bonus_cents=st.integers(0, 2000),
    cap_cents=st.integers(0, 60000),
    window_days=st.integers(1, 400),
)
prize = st.builds(
    PrizeSchedule,
    seed=st.integers(0, 2**32),
    draw_start=st.integers(1, 4),
    draw_max=st.integers(1, 10),
    cap_cents=st.integers(0, 20000),
    window_days=st.integers(1, 400),
)


@settings(max_examples=200, deadline=None)
@given(screen_lists(), escalating, prize)
def test_ledger_total_never_passes_the_cap_and_has_one_entry_per_screen(
    rows: list[Screen], esc: EscalatingSchedule, pri: PrizeSchedule
) -> None:
    for ledger, cap in (
        (escalating_ledger(rows, esc), esc.cap_cents),
        (prize_ledger(rows, pri, "p"), pri.cap_cents),
    ):
        assert 0 <= ledger.total_cents <= cap
        assert len(ledger.entries) == len(rows)
        assert all(e.earned_cents >= 0 for e in ledger.entries)


@settings(max_examples=100, deadline=None)
@given(screen_lists(), prize)
def test_same_seed_gives_the_same_prize_ledger(rows: list[Screen], pri: PrizeSchedule) -> None:
    assert prize_ledger(rows, pri, "p") == prize_ledger(list(rows), pri, "p")


@settings(max_examples=200, deadline=None)
@given(screen_lists(), escalating, prize, gaps)
def test_adding_a_negative_screen_at_the_end_never_lowers_the_total(
    rows: list[Screen], esc: EscalatingSchedule, pri: PrizeSchedule, gap: int
) -> None:
    last = rows[-1].date if rows else DAY0
    more = [*rows, Screen(last + timedelta(days=gap), N)]
    assert escalating_ledger(more, esc).total_cents >= escalating_ledger(rows, esc).total_cents
    assert prize_ledger(more, pri, "p").total_cents >= prize_ledger(rows, pri, "p").total_cents
