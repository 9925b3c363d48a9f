"""Contingency management (monitoring.md s7 as amended by ruleset-v2.md s7): the worked
examples, hand-checked schedule rules, and Hypothesis properties of the ledgers.

Numbers changed by rule set 2 (new escalating defaults 10.00 / 0.50 / 19.00 / 599.00,
one reward a day, ``eligible_per_week`` pacing) are worked by hand in each test; the v1
worked example is kept with its v1 parameters given explicitly."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.errors import InvalidOption
from tandem.domain.monitoring.incentives import (
    PROGRAM_BOWL,
    EscalatingSchedule,
    Ledger,
    LedgerNote,
    PrizeSchedule,
    Screen,
    ScreenResult,
    Slip,
    check_schedule,
    escalating_ledger,
    prize_ledger,
)
from tandem.domain.monitoring.pacing import (
    WeeklyEligibility,
    parse_eligible_per_week,
    program_week,
)

N, P, INV, M = (
    ScreenResult.NEGATIVE,
    ScreenResult.POSITIVE,
    ScreenResult.INVALID,
    ScreenResult.MISSED,
)
DAY0 = date(2026, 1, 5)
UNPACED = parse_eligible_per_week("all")
# monitoring.md s7 (v1): step 1.50, max 26.50 a screen, no pacing.
V1 = EscalatingSchedule(step_cents=150, max_per_screen_cents=2650, eligible_per_week=UNPACED)


def screens(*results: ScreenResult, every: int = 4) -> list[Screen]:
    """One screen every ``every`` days: 4 keeps at most 2 in a program week (default pacing)."""
    return [Screen(DAY0 + timedelta(days=every * i), r) for i, r in enumerate(results)]


def three_a_week(weeks: int, result: ScreenResult = N) -> list[Screen]:
    """Monday, Wednesday, Friday from DAY0 (a Monday), as Higgins' 3 a week (facts.md s8)."""
    return [
        Screen(DAY0 + timedelta(days=7 * week + day), result)
        for week in range(weeks)
        for day in (0, 2, 4)
    ]


def cents(ledger: Ledger) -> list[int]:
    return [e.earned_cents for e in ledger.entries]


# --- escalating vouchers ------------------------------------------------------------------


def test_worked_example_of_ruleset_v2_s7() -> None:
    # ruleset-v2.md s7: N x3, P, N x3 earn 10.00, 10.50, 11.00, 0.00, 10.00, 10.50, 11.50:
    # after 3 negatives the level is 11.50; the positive saves it and resets to 10.00;
    # the second negative after it recovers the level to 11.50 (recovery after 2).
    ledger = escalating_ledger(screens(N, N, N, P, N, N, N), EscalatingSchedule())
    assert cents(ledger) == [1000, 1050, 1100, 0, 1000, 1050, 1150]
    assert ledger.total_cents == 6350
    # the same with pacing off: the example does not depend on the screens' spacing
    unpaced = EscalatingSchedule(eligible_per_week=UNPACED)
    assert cents(escalating_ledger(screens(N, N, N, P, N, N, N, every=1), unpaced)) == cents(ledger)


def test_worked_example_of_monitoring_md_s7_with_v1_parameters() -> None:
    ledger = escalating_ledger(screens(N, N, N, P, N, N, N, every=2), V1)
    assert cents(ledger) == [1000, 1150, 1300, 0, 1000, 1150, 1450]
    assert ledger.total_cents == 7050


def test_36_negatives_in_a_row_pay_598_50() -> None:
    # ruleset-v2.md s7: 10.00 + 0.50 k reaches 19.00 at the 19th negative (k = 18):
    # 19 x 10.00 + 0.50 x (0 + ... + 18) = 275.50; then 17 x 19.00 = 323.00; 598.50.
    ledger = escalating_ledger(
        screens(*[N] * 36, every=1), EscalatingSchedule(eligible_per_week=UNPACED)
    )
    assert ledger.total_cents == 59850
    assert cents(ledger)[17:20] == [1850, 1900, 1900]
    assert ledger.cap_reached_on is None


def test_finding_13_old_defaults_reached_the_cap_by_week_9_at_three_screens_a_week() -> None:
    # v1: 10.00 + 1.50 k up to 26.50 (12 screens, 219.00), then 26.50 each: the 27th
    # screen passes 599.00 (219.00 + 14 x 26.50 = 590.00; the 15th pays 9.00). At three a
    # week the 27th screen is the Friday of week 9: the last 15 weeks paid nothing.
    old = escalating_ledger(three_a_week(24), V1)
    assert old.cap_reached_on == DAY0 + timedelta(days=7 * 8 + 4)
    assert program_week((old.cap_reached_on - DAY0).days) == 9
    assert cents(old)[26] == 900
    assert old.total_cents == 59900


def test_finding_13_new_defaults_with_pacing_pay_through_all_24_weeks() -> None:
    # 2 a week in weeks 1-12, 1 a week in 13-24: 36 rewarded days, 598.50, never the cap.
    ledger = escalating_ledger(three_a_week(24), EscalatingSchedule())
    assert ledger.cap_reached_on is None
    assert ledger.total_cents == 59850
    rewarded = [e for e in ledger.entries if e.earned_cents]
    assert len(rewarded) == 36
    assert Counter(e.week for e in rewarded) == {w: 2 if w <= 12 else 1 for w in range(1, 25)}
    assert rewarded[-1].week == 24
    assert rewarded[-1].earned_cents == 1900
    # week 1: Monday and Wednesday pay, Friday is beyond eligible_per_week
    assert [(e.earned_cents, e.note) for e in ledger.entries[:3]] == [
        (1000, None), (1050, None), (0, LedgerNote.NOT_ELIGIBLE_THIS_WEEK),
    ]  # fmt: skip


def test_two_negatives_on_one_day_pay_once() -> None:
    day2 = DAY0 + timedelta(days=2)
    rows = [Screen(DAY0, N), Screen(DAY0, N), Screen(day2, N)]
    ledger = escalating_ledger(rows, EscalatingSchedule())
    assert cents(ledger) == [1000, 0, 1050]
    assert [e.note for e in ledger.entries] == [None, LedgerNote.SAME_DAY, None]
    assert len(ledger.entries) == 3  # still one entry per input screen


def test_a_positive_the_same_day_makes_the_day_positive_whatever_the_order() -> None:
    # ruleset-v2.md s7: a day is positive if any screen that day is; the first entry (file
    # order) carries the day's result. v1 paid the negative after the positive (10.00).
    later, same = DAY0 + timedelta(days=4), DAY0 + timedelta(days=2)
    rows = [Screen(later, N), Screen(same, N), Screen(same, P), Screen(DAY0, N)]
    ledger = escalating_ledger(rows, EscalatingSchedule())
    assert [(e.date, e.result, e.day_result) for e in ledger.entries] == [
        (DAY0, N, N), (same, N, P), (same, P, P), (later, N, N),
    ]  # fmt: skip
    assert cents(ledger) == [1000, 0, 0, 1000]
    assert [e.note for e in ledger.entries] == [None, None, LedgerNote.SAME_DAY, None]


def test_a_negative_after_an_invalid_the_same_day_pays_on_the_first_entry() -> None:
    rows = [Screen(DAY0, INV), Screen(DAY0, N)]
    ledger = escalating_ledger(rows, EscalatingSchedule())
    assert [(e.result, e.day_result, e.earned_cents, e.note) for e in ledger.entries] == [
        (INV, N, 1000, None), (N, N, 0, LedgerNote.SAME_DAY),
    ]  # fmt: skip


def test_reset_during_recovery_keeps_the_level_saved_before_the_first_reset() -> None:
    # after N N N the level is 11.50; P saves it; N earns 10.00; a second P keeps the
    # saved 11.50 (max of 11.50 and 10.50); two negatives later the level recovers.
    ledger = escalating_ledger(screens(N, N, N, P, N, P, N, N, N), EscalatingSchedule())
    assert cents(ledger) == [1000, 1050, 1100, 0, 1000, 0, 1000, 1050, 1150]


def test_invalid_and_missed_reset_like_positive_and_are_shown_as_given() -> None:
    ledger = escalating_ledger(screens(N, N, INV, N, M, N), EscalatingSchedule())
    assert cents(ledger) == [1000, 1050, 0, 1000, 0, 1000]
    assert [e.result for e in ledger.entries] == [N, N, INV, N, M, N]


def test_a_negative_beyond_the_weeks_allowance_changes_neither_level_nor_run() -> None:
    # 1@1-2: days 0, 2 in week 1 (the second paced out), day 7 in week 2. Without the
    # pacing rule the run would be 2 on day 7 and pay 11.00 (or, if a paced-out day reset,
    # 10.00); the paced-out day is simply skipped: day 7 pays 10.50.
    pacing = parse_eligible_per_week("1@1-2")
    rows = [
        Screen(DAY0, N),
        Screen(DAY0 + timedelta(days=2), N),
        Screen(DAY0 + timedelta(days=7), N),
    ]
    ledger = escalating_ledger(rows, EscalatingSchedule(eligible_per_week=pacing))
    assert cents(ledger) == [1000, 0, 1050]
    assert ledger.entries[1].note is LedgerNote.NOT_ELIGIBLE_THIS_WEEK
    # a week the option does not name has 0 eligible days
    week3 = escalating_ledger(
        [*rows, Screen(DAY0 + timedelta(days=14), N)], EscalatingSchedule(eligible_per_week=pacing)
    )
    assert week3.entries[-1].earned_cents == 0
    assert week3.entries[-1].note is LedgerNote.NOT_ELIGIBLE_THIS_WEEK


def test_level_stops_at_max_per_screen() -> None:
    ledger = escalating_ledger(
        screens(*[N] * 22, every=1), EscalatingSchedule(eligible_per_week=UNPACED)
    )
    # 10.00 + 0.50 k reaches 19.00 at the 19th negative and stays there
    assert cents(ledger)[-4:] == [1900, 1900, 1900, 1900]
    assert ledger.entries[17].earned_cents == 1850


def test_bonus_every_third_negative() -> None:
    schedule = EscalatingSchedule(bonus_every=3, bonus_cents=500)
    ledger = escalating_ledger(screens(N, N, N, N), schedule)
    assert cents(ledger) == [1000, 1050, 1600, 1150]


def test_cap_reached_in_the_middle_of_a_screen_pays_only_what_fits() -> None:
    # the normative pseudo-code: earn = min(earn, cap - total)
    rows = screens(N, N, N, N)
    ledger = escalating_ledger(rows, EscalatingSchedule(cap_cents=2500))
    assert cents(ledger) == [1000, 1050, 450, 0]
    assert ledger.total_cents == 2500
    assert ledger.cap_reached_on == rows[2].date
    assert ledger.max_still_possible_cents == 0


def test_max_still_possible_counts_the_eligible_days_left_in_the_window() -> None:
    # One negative on day 0: 35 eligible days are left (1 more in week 1, 2 a week in
    # weeks 2-12, 1 a week in 13-24); they would pay the 2nd..36th of the 36 negatives:
    # 598.50 - 10.00 = 588.50.
    ledger = escalating_ledger([Screen(DAY0, N)], EscalatingSchedule())
    assert ledger.max_still_possible_cents == 58850
    # after a positive on the last day of week 24 nothing is left
    last = escalating_ledger(
        [Screen(DAY0, N), Screen(DAY0 + timedelta(days=167), P)], EscalatingSchedule()
    )
    assert last.max_still_possible_cents == 0
    # an empty ledger: the whole schedule is still possible
    assert escalating_ledger([], EscalatingSchedule()).max_still_possible_cents == 59850


def test_window_closes_168_days_after_the_first_screen_of_any_result() -> None:
    rows = [
        Screen(DAY0, P),
        Screen(DAY0 + timedelta(days=167), N),
        Screen(DAY0 + timedelta(days=168), N),
        Screen(DAY0 + timedelta(days=200), P),
    ]
    ledger = escalating_ledger(rows, EscalatingSchedule())
    assert cents(ledger) == [0, 1000, 0, 0]
    assert [e.in_window for e in ledger.entries] == [True, True, False, False]
    assert [e.week for e in ledger.entries] == [1, 24, 25, 29]
    assert len(ledger.entries) == len(rows)


def test_schedule_refuses_negative_money_and_empty_window() -> None:
    with pytest.raises(InvalidOption, match="start_cents"):
        EscalatingSchedule(start_cents=-1)
    with pytest.raises(InvalidOption, match="window_days"):
        EscalatingSchedule(window_days=0)
    with pytest.raises(InvalidOption, match="bowl"):
        PrizeSchedule(seed=1, bowl=(Slip("x", 100, 0),))


# --- pacing and the schedule check ----------------------------------------------------------


def test_eligible_per_week_reads_ranges_single_weeks_and_all() -> None:
    pacing = parse_eligible_per_week("2@1-12,1@13-24")
    assert [pacing.allowed(w) for w in (1, 12, 13, 24, 25)] == [2, 2, 1, 1, 0]
    assert pacing.text == "2@1-12,1@13-24"
    assert parse_eligible_per_week("all") == WeeklyEligibility(None)
    assert parse_eligible_per_week("all").allowed(99) is None
    assert parse_eligible_per_week("3@2, 1@1").text == "1@1,3@2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2", "must be 'all' or N@FIRST-LAST"),
        ("2@1-12;1@13-24", "must be 'all' or N@FIRST-LAST"),
        ("", "must be 'all' or N@FIRST-LAST"),
        ("2@0-12", "weeks count from 1"),
        ("2@5-1", "FIRST <= LAST"),
        ("2@1-12,1@12-24", "week 12 is named twice"),
    ],
)
def test_eligible_per_week_errors_name_the_option_and_the_form(text: str, message: str) -> None:
    with pytest.raises(InvalidOption, match="--eligible-per-week") as caught:
        parse_eligible_per_week(text, "--eligible-per-week")
    assert message in str(caught.value)


def test_check_schedule_passes_on_the_defaults() -> None:
    check = check_schedule(EscalatingSchedule())
    assert check.fits
    assert (check.rewarded_days, check.total_cents, check.uncapped_cents) == (36, 59850, 59850)
    assert check.cap_reached_day is None


def test_check_schedule_fails_on_the_v1_defaults_at_three_a_week() -> None:
    # v1 parameters paced at 3 a week: a negative every day, the first 3 of each week
    # pay; the 27th rewarded day (the third of week 9, program day 58) passes the cap
    # (219.00 + 14 x 26.50 = 590.00, then 9.00 of 26.50), as finding 13 found.
    three = EscalatingSchedule(
        step_cents=150,
        max_per_screen_cents=2650,
        eligible_per_week=parse_eligible_per_week("3@1-24"),
    )
    check = check_schedule(three)
    assert not check.fits
    assert (check.cap_reached_screen, check.cap_reached_week) == (27, 9)
    assert check.rewarded_days == 72
    assert check.cap_reached_day == 58
    assert check.short_days == 72 - 26


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


def test_prize_max_still_possible_is_the_largest_total_that_fits_the_cap() -> None:
    # cap 50.00: with only $20 slips two fit (40.00), a third would pass the cap; with $1
    # slips as well, 2 x 20.00 + 10 x 1.00 reaches 50.00 exactly (the draws left suffice).
    large = PrizeSchedule(seed=1, bowl=(Slip("large", 2000, 1),), cap_cents=5000)
    assert prize_ledger([], large, "p").max_still_possible_cents == 4000
    both = PrizeSchedule(
        seed=1, bowl=(Slip("large", 2000, 1), Slip("small", 100, 9)), cap_cents=5000
    )
    assert prize_ledger([], both, "p").max_still_possible_cents == 5000
    # no cap in reach: every draw left at the best slip. One negative on day 0 (1 draw),
    # then 35 eligible days with 2, 3, ..., 8, 8, ... draws: 2+...+8 = 35, 28 x 8 = 224.
    one = prize_ledger([Screen(DAY0, N)], PrizeSchedule(seed=1, cap_cents=10**8), "p")
    assert one.max_still_possible_cents == (35 + 224) * 10000


# --- properties ---------------------------------------------------------------------------

results = st.sampled_from([N, N, N, P, INV, M])
gaps = st.one_of(st.integers(0, 3), st.integers(0, 40))


@st.composite
def screen_lists(draw: st.DrawFn) -> list[Screen]:
    day, out = DAY0, []
    for result in draw(st.lists(results, max_size=40)):
        day += timedelta(days=draw(gaps))
        out.append(Screen(day, result))
    return out


@st.composite
def pacings(draw: st.DrawFn) -> WeeklyEligibility:
    if draw(st.booleans()):
        return draw(st.sampled_from([UNPACED, parse_eligible_per_week("2@1-12,1@13-24")]))
    weeks = draw(
        st.lists(
            st.tuples(st.integers(1, 30), st.integers(0, 4)), max_size=8, unique_by=lambda t: t[0]
        )
    )
    return WeeklyEligibility(tuple(sorted((w, w, n) for w, n in weeks)))


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
    eligible_per_week=pacings(),
)
prize = st.builds(
    PrizeSchedule,
    seed=st.integers(0, 2**32),
    draw_start=st.integers(1, 4),
    draw_max=st.integers(1, 10),
    cap_cents=st.integers(0, 20000),
    window_days=st.integers(1, 400),
    eligible_per_week=pacings(),
)


def rewarded_days(ledger: Ledger) -> list[date]:
    """Days whose first entry carries a reward: in the window, negative, not paced out."""
    return [e.date for e in ledger.entries if e.in_window and e.day_result is N and e.note is None]


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
        assert 0 <= ledger.max_still_possible_cents <= cap - ledger.total_cents


@settings(max_examples=200, deadline=None)
@given(screen_lists(), escalating, prize)
def test_ledger_pays_at_most_once_a_day_and_within_eligible_per_week(
    rows: list[Screen], esc: EscalatingSchedule, pri: PrizeSchedule
) -> None:
    first = min((r.date for r in rows), default=DAY0)
    for ledger, pacing in (
        (escalating_ledger(rows, esc), esc.eligible_per_week),
        (prize_ledger(rows, pri, "p"), pri.eligible_per_week),
    ):
        paying = Counter(e.date for e in ledger.entries if e.earned_cents or e.draws)
        assert all(n == 1 for n in paying.values())
        rewarded = rewarded_days(ledger)
        assert len(rewarded) == len(set(rewarded))  # at most one rewarded entry a day
        assert set(paying) <= set(rewarded)
        per_week = Counter(program_week((d - first).days) for d in rewarded)
        for week, count in per_week.items():
            allowed = pacing.allowed(week)
            assert allowed is None or count <= allowed


@settings(max_examples=200, deadline=None)
@given(screen_lists(), escalating)
def test_a_paced_out_negative_changes_nothing_else(
    rows: list[Screen], esc: EscalatingSchedule
) -> None:
    ledger = escalating_ledger(rows, esc)
    paced_out = {
        e.date
        for e in ledger.entries[1:]
        if e.note is LedgerNote.NOT_ELIGIBLE_THIS_WEEK and e.date != ledger.entries[0].date
    }
    kept = [r for r in rows if r.date not in paced_out]
    without = escalating_ledger(kept, esc)
    assert [e.earned_cents for e in ledger.entries if e.date not in paced_out] == cents(without)


@settings(max_examples=200, deadline=None)
@given(screen_lists(), escalating)
def test_max_still_possible_is_what_a_negative_every_day_left_would_pay(
    rows: list[Screen], esc: EscalatingSchedule
) -> None:
    ledger = escalating_ledger(rows, esc)
    first = min((r.date for r in rows), default=DAY0)
    last = max((r.date for r in rows), default=DAY0 - timedelta(days=1))
    end = first + timedelta(days=esc.window_days)
    rest = [Screen(last + timedelta(days=k), N) for k in range(1, (end - last).days)]
    assert escalating_ledger([*rows, *rest], esc).total_cents == (
        ledger.total_cents + ledger.max_still_possible_cents
    )


@settings(max_examples=100, deadline=None)
@given(screen_lists(), prize)
def test_prize_max_still_possible_bounds_any_later_negatives(
    rows: list[Screen], pri: PrizeSchedule
) -> None:
    ledger = prize_ledger(rows, pri, "p")
    last = max((r.date for r in rows), default=DAY0)
    more = [*rows, *(Screen(last + timedelta(days=k), N) for k in range(1, 30))]
    assert prize_ledger(more, pri, "p").total_cents <= (
        ledger.total_cents + ledger.max_still_possible_cents
    )


@settings(max_examples=100, deadline=None)
@given(escalating)
def test_check_schedule_is_the_ledger_of_a_negative_every_day(esc: EscalatingSchedule) -> None:
    check = check_schedule(esc)
    daily = escalating_ledger(screens(*[N] * esc.window_days, every=1), esc)
    assert check.total_cents == daily.total_cents
    assert check.rewarded_days == len(rewarded_days(daily))
    assert check.fits == (check.total_cents == check.uncapped_cents)
    reached = daily.cap_reached_on
    if check.cap_reached_day is not None and esc.cap_cents:
        assert reached == DAY0 + timedelta(days=check.cap_reached_day)


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
