"""Contingency management: escalating vouchers and prize draws, one ledger per patient.

Normative spec: ``monitoring.md`` s7 (its pseudo-code is followed line by line) as
amended by ``ruleset-v2.md`` s7: one reward a day, ``eligible_per_week`` pacing (see
``pacing``), new escalating defaults, ``cap_reached_on`` and ``max_still_possible`` on
each ledger, and a check that a schedule fits its cap. Sources: ``facts.md`` s8 (Higgins
escalating vouchers, Petry prize CM, California Recovery Incentives Program) and s12.3
(the California program). Money is integer cents throughout; never floating point.

Defaults marked "(program)" are the program's own choices: ``facts.md`` s8 and s12.3
could not confirm California's exact step and reset rules or its weekly test split
(UNVERIFIED) nor a standard prize bowl (the classic 500-slip composition is
UNVERIFIED, facts.md s8 and s11 item 5).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from itertools import groupby

from tandem.domain.errors import InvalidOption
from tandem.domain.monitoring.pacing import PROGRAM_PACING, WeeklyEligibility, program_week

# facts.md s8: California RIP starts around $10 a negative test (V2) and pays at most
# $599 over the 24-week (168-day) CM period (V), "contingent on 36 stimulant-negative
# urine tests" (facts.md s12.3, V). ruleset-v2.md s7 keeps the $10 start.
CA_START_CENTS = 1000
CA_CAP_CENTS = 59900
CA_WINDOW_DAYS = 168
# (program) ruleset-v2.md s7: step 0.50 and at most 19.00 a screen, so that 36 negatives
# in a row pay 598.50, under the cap. California's own maximum per test ($26.50, facts.md
# s8, V2) is no longer the default: with a 1.50 step it reached the cap by week 9 at three
# screens a week (issue 8, finding 13). facts.md s12.3 marks California's step UNVERIFIED.
PROGRAM_STEP_CENTS = 50
PROGRAM_MAX_PER_SCREEN_CENTS = 1900
# (program) monitoring.md s7: recovery after 2 negatives in a row; facts.md s12.3 found
# only "a positive test earns nothing" for California's reset rules (UNVERIFIED).
PROGRAM_RECOVERY_AFTER = 2
# (program) monitoring.md s7: prize draws start at 1 and grow to at most 8 per screen.
PROGRAM_DRAW_START = 1
PROGRAM_DRAW_MAX = 8


class ScreenResult(StrEnum):
    """A urine drug screen's stimulant result (monitoring.md s1)."""

    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"  # counts as missed, shown as invalid (monitoring.md s7)
    MISSED = "missed"


class LedgerNote(StrEnum):
    """Why a negative screen earned nothing (ruleset-v2.md s7)."""

    SAME_DAY = "same_day"  # the day's first entry carries the day's reward
    NOT_ELIGIBLE_THIS_WEEK = "not_eligible_this_week"  # beyond eligible_per_week


@dataclass(frozen=True)
class Screen:
    """One screen as entered (the input order breaks ties between screens on one day)."""

    date: date
    result: ScreenResult


@dataclass(frozen=True)
class Slip:
    """One kind of slip in the prize bowl; ``value_cents`` 0 means praise only."""

    name: str
    value_cents: int
    count: int


# (program) monitoring.md s7: "a commonly quoted composition" of 500 slips; facts.md s8
# marks these percentages UNVERIFIED (Petry's bowl as often quoted).
PROGRAM_BOWL: tuple[Slip, ...] = (
    Slip("good job", 0, 250),
    Slip("small", 100, 209),
    Slip("large", 2000, 40),
    Slip("jumbo", 10000, 1),
)


@dataclass(frozen=True)
class EscalatingSchedule:
    """Escalating vouchers with reset and recovery (monitoring.md s7, ruleset-v2.md s7)."""

    start_cents: int = CA_START_CENTS
    step_cents: int = PROGRAM_STEP_CENTS
    max_per_screen_cents: int = PROGRAM_MAX_PER_SCREEN_CENTS
    recovery_after: int = PROGRAM_RECOVERY_AFTER
    bonus_every: int = 0  # 0 = off (monitoring.md s7)
    bonus_cents: int = 0
    cap_cents: int = CA_CAP_CENTS
    window_days: int = CA_WINDOW_DAYS
    eligible_per_week: WeeklyEligibility = PROGRAM_PACING

    def __post_init__(self) -> None:
        _cm_non_negative(self, "start_cents", "step_cents", "max_per_screen_cents")
        _cm_non_negative(self, "recovery_after", "bonus_every", "bonus_cents", "cap_cents")
        _cm_positive(self, "window_days")


@dataclass(frozen=True)
class PrizeSchedule:
    """Prize draws (fishbowl) with a recorded seed (monitoring.md s7, ruleset-v2.md s7)."""

    seed: int
    draw_start: int = PROGRAM_DRAW_START
    draw_max: int = PROGRAM_DRAW_MAX
    bowl: tuple[Slip, ...] = PROGRAM_BOWL
    cap_cents: int = CA_CAP_CENTS
    window_days: int = CA_WINDOW_DAYS
    eligible_per_week: WeeklyEligibility = PROGRAM_PACING

    def __post_init__(self) -> None:
        _cm_positive(self, "draw_start", "draw_max", "window_days")
        _cm_non_negative(self, "cap_cents")
        if not self.bowl or any(s.count < 0 or s.value_cents < 0 for s in self.bowl):
            raise InvalidOption("bowl: needs at least one slip kind; counts and values >= 0")
        if sum(s.count for s in self.bowl) < 1:
            raise InvalidOption("bowl: needs at least one slip")


@dataclass(frozen=True)
class Prize:
    """One draw: the slip taken and whether it was awarded under the cap."""

    name: str
    value_cents: int
    awarded: bool


@dataclass(frozen=True)
class LedgerEntry:
    """The ledger line for one input screen (exactly one per screen, monitoring.md s7).

    ``result`` is this screen's own result; ``day_result`` the result of its day (positive
    if any screen that day is positive, else negative if any is negative, else invalid or
    missed, ruleset-v2.md s7). ``week`` is the program week (1 = days 0-6 from the first
    screen). ``note`` says why a negative earned nothing, if it did.
    """

    date: date
    result: ScreenResult
    earned_cents: int
    draws: int = 0
    prizes: tuple[Prize, ...] = ()
    in_window: bool = True
    week: int = 1
    day_result: ScreenResult | None = None
    note: LedgerNote | None = None


@dataclass(frozen=True)
class Ledger:
    """One patient's ledger; ``cap_reached_on`` and ``max_still_possible_cents`` are as of
    its last screen (ruleset-v2.md s7)."""

    entries: tuple[LedgerEntry, ...]
    cap_reached_on: date | None = None
    max_still_possible_cents: int = 0
    total_cents: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_cents", sum(e.earned_cents for e in self.entries))


@dataclass(frozen=True)
class ScheduleCheck:
    """An escalating schedule with every eligible day negative (``tandem cm --check-schedule``).

    ``rewarded_days`` eligible days in the window; ``total_cents`` what they pay under the
    cap and ``uncapped_cents`` without it; ``cap_reached_day`` the program day (0 = first
    screen) on which the total reaches the cap, None if it never does; ``short_days`` the
    eligible negatives the cap paid less than their amount. The schedule fits when none did.
    """

    rewarded_days: int
    total_cents: int
    uncapped_cents: int
    cap_cents: int
    cap_reached_day: int | None
    cap_reached_screen: int | None
    short_days: int

    @property
    def fits(self) -> bool:
        return self.short_days == 0

    @property
    def cap_reached_week(self) -> int | None:
        return None if self.cap_reached_day is None else program_week(self.cap_reached_day)


def in_date_order(screens: Iterable[Screen]) -> list[Screen]:
    """Screens by date; two on one day keep their input order (stable sort, s7)."""
    return sorted(screens, key=lambda screen: screen.date)


def day_result(results: Iterable[ScreenResult]) -> ScreenResult:
    """A day's result (ruleset-v2.md s7): positive if any screen is, else negative if any is.

    Otherwise ``invalid`` if any screen is invalid, else ``missed`` (program: a collected
    but invalid sample says more than a missed one; both reset alike, monitoring.md s7).
    """
    seen = set(results)
    for result in (ScreenResult.POSITIVE, ScreenResult.NEGATIVE, ScreenResult.INVALID):
        if result in seen:
            return result
    return ScreenResult.MISSED


@dataclass(frozen=True)
class _Day:
    """One calendar day of a patient's screens, with its result and eligibility."""

    date: date
    offset: int  # days since the first screen
    screens: tuple[Screen, ...]
    result: ScreenResult
    in_window: bool
    eligible: bool  # a negative day within its week's eligible_per_week

    @property
    def week(self) -> int:
        return program_week(self.offset)


def _cm_days(screens: Sequence[Screen], window_days: int, pacing: WeeklyEligibility) -> list[_Day]:
    """Group screens into days in date order; pace the negative days week by week."""
    ordered = in_date_order(screens)
    if not ordered:
        return []
    first, used = ordered[0].date, Counter[int]()
    days: list[_Day] = []
    for when, group in groupby(ordered, key=lambda screen: screen.date):
        on_day = tuple(group)
        offset = (when - first).days
        result = day_result(s.result for s in on_day)
        in_window = offset < window_days
        eligible = in_window and result is ScreenResult.NEGATIVE
        if eligible:
            eligible = _cm_take(pacing, used, program_week(offset))
        days.append(_Day(when, offset, on_day, result, in_window, eligible))
    return days


def _cm_take(pacing: WeeklyEligibility, used: Counter[int], week: int) -> bool:
    """Use one of ``week``'s eligible days if one is left."""
    allowed = pacing.allowed(week)
    if allowed is not None and used[week] >= allowed:
        return False
    used[week] += 1
    return True


def _cm_day_entries(
    day: _Day, earned: int = 0, draws: int = 0, prizes: tuple[Prize, ...] = ()
) -> list[LedgerEntry]:
    """One entry per screen of the day; the first carries the day's reward."""
    if not day.in_window:
        return [
            LedgerEntry(s.date, s.result, 0, in_window=False, week=day.week, day_result=day.result)
            for s in day.screens
        ]
    paced_out = day.result is ScreenResult.NEGATIVE and not day.eligible
    first = LedgerEntry(
        day.date,
        day.screens[0].result,
        earned,
        draws,
        prizes,
        week=day.week,
        day_result=day.result,
        note=LedgerNote.NOT_ELIGIBLE_THIS_WEEK if paced_out else None,
    )
    others = [
        replace(
            first, result=s.result, earned_cents=0, draws=0, prizes=(), note=LedgerNote.SAME_DAY
        )
        for s in day.screens[1:]
    ]
    return [first, *others]


def _cm_days_left(days: list[_Day], window_days: int, pacing: WeeklyEligibility) -> list[int]:
    """Offsets of the eligible days after the last screen's day, up to the window's end.

    The best case: a negative screen on every calendar day still to come; pacing allows
    the first N of each week, counting the week's eligible days already used.
    """
    start = days[-1].offset + 1 if days else 0
    used = Counter(day.week for day in days if day.eligible)
    return [
        offset
        for offset in range(start, window_days)
        if _cm_take(pacing, used, program_week(offset))
    ]


@dataclass
class _Vouchers:
    """The escalating pseudo-code's state (monitoring.md s7): level, run, saved, total."""

    schedule: EscalatingSchedule
    level: int
    run: int = 0
    saved: int | None = None
    total: int = 0

    def negative(self) -> tuple[int, int]:
        """One rewarded negative day: (earned under the cap, the amount before the cap)."""
        schedule = self.schedule
        self.run += 1
        bonus = schedule.bonus_every and self.run % schedule.bonus_every == 0
        amount = self.level + (schedule.bonus_cents if bonus else 0)
        earn = min(amount, schedule.cap_cents - self.total)  # the normative pseudo-code clips
        self.total += earn
        self.level = min(self.level + schedule.step_cents, schedule.max_per_screen_cents)
        if self.saved is not None and self.run == schedule.recovery_after:
            self.level, self.saved = max(self.level, self.saved), None
        return earn, amount

    def reset(self) -> None:
        """A positive, missed or invalid day: back to ``start``, the level saved for recovery."""
        self.saved = self.level if self.saved is None else max(self.saved, self.level)
        self.level, self.run = self.schedule.start_cents, 0


def escalating_ledger(screens: Sequence[Screen], schedule: EscalatingSchedule) -> Ledger:
    """Escalating vouchers over one patient's screens (monitoring.md s7, ruleset-v2.md s7).

    One reward a day, on the day's first entry; only eligible negative days
    (``eligible_per_week``) earn and move the level and the run; positive, missed and
    invalid days reset. ``max_still_possible`` assumes a negative on every eligible day
    after the last screen, up to the window's end.
    """
    days = _cm_days(screens, schedule.window_days, schedule.eligible_per_week)
    state = _Vouchers(schedule, schedule.start_cents)
    entries: list[LedgerEntry] = []
    cap_reached_on: date | None = None
    for day in days:
        earned = 0
        if day.in_window and day.result is not ScreenResult.NEGATIVE:
            state.reset()
        elif day.eligible:
            earned, _ = state.negative()
        if day.in_window and cap_reached_on is None and state.total >= schedule.cap_cents:
            cap_reached_on = day.date
        entries.extend(_cm_day_entries(day, earned))
    still = sum(
        state.negative()[0]
        for _ in _cm_days_left(days, schedule.window_days, schedule.eligible_per_week)
    )
    return Ledger(tuple(entries), cap_reached_on, still)


def check_schedule(schedule: EscalatingSchedule) -> ScheduleCheck:
    """Every eligible day negative from the first screen on: does the cap hold out?

    ruleset-v2.md s7: says whether and when the cap would be reached before the window
    ends. A negative screen is assumed on every calendar day; pacing decides which pay.
    """
    state = _Vouchers(schedule, schedule.start_cents)
    offsets = _cm_days_left([], schedule.window_days, schedule.eligible_per_week)
    uncapped, short = 0, 0
    reached_day: int | None = None
    reached_screen: int | None = None
    for number, offset in enumerate(offsets, start=1):
        earn, amount = state.negative()
        uncapped += amount
        short += earn < amount
        if reached_day is None and state.total >= schedule.cap_cents:
            reached_day, reached_screen = offset, number
    return ScheduleCheck(
        len(offsets), state.total, uncapped, schedule.cap_cents, reached_day, reached_screen, short
    )


def prize_ledger(screens: Sequence[Screen], schedule: PrizeSchedule, patient_key: str) -> Ledger:
    """Prize draws (monitoring.md s7): ``min(draw_start + run - 1, draw_max)`` draws per
    rewarded negative day (one a day, paced by ``eligible_per_week``, ruleset-v2.md s7).

    Replayable: the slips come from ``random.Random(f"{seed}:{patient_key}")`` (CPython's
    Mersenne Twister; a str seed is hashed with SHA-512, so the stream does not depend on
    PYTHONHASHSEED), one ``randrange(total slips)`` per draw, with replacement. Each prize
    is checked against the cap on its own; one that would pass it is kept, not awarded.
    ``max_still_possible`` is the most the remaining draws could award under the cap, with
    a negative on every eligible day after the last screen.
    """
    days = _cm_days(screens, schedule.window_days, schedule.eligible_per_week)
    # A replayable, audited draw (s7) needs a seeded PRNG, not a cryptographic one.
    rng = random.Random(draw_seed(schedule.seed, patient_key))  # noqa: S311
    slips = _cm_slip_table(schedule.bowl)
    run, total = 0, 0
    entries: list[LedgerEntry] = []
    cap_reached_on: date | None = None
    for day in days:
        draws = 0
        prizes: tuple[Prize, ...] = ()
        if day.in_window and day.result is not ScreenResult.NEGATIVE:
            run = 0
        elif day.eligible:
            run += 1
            draws = _cm_draw_count(schedule, run)
            prizes, total = _cm_draw(rng, slips, draws, total, schedule.cap_cents)
        if day.in_window and cap_reached_on is None and total >= schedule.cap_cents:
            cap_reached_on = day.date
        earned = sum(p.value_cents for p in prizes if p.awarded)
        entries.extend(_cm_day_entries(day, earned, draws, prizes))
    left = _cm_days_left(days, schedule.window_days, schedule.eligible_per_week)
    draws_left = sum(_cm_draw_count(schedule, run + k) for k in range(1, len(left) + 1))
    values = [slip.value_cents for slip in schedule.bowl if slip.count]
    still = _cm_most_awardable(draws_left, values, schedule.cap_cents - total)
    return Ledger(tuple(entries), cap_reached_on, still)


def draw_seed(seed: int, patient_key: str) -> str:
    """The per-patient seed string: one recorded run seed gives each patient its own stream."""
    return f"{seed}:{patient_key}"


def _cm_draw_count(schedule: PrizeSchedule, run: int) -> int:
    return min(schedule.draw_start + run - 1, schedule.draw_max)


def _cm_draw(
    rng: random.Random, slips: list[Slip], draws: int, total: int, cap_cents: int
) -> tuple[tuple[Prize, ...], int]:
    prizes: list[Prize] = []
    for _ in range(draws):
        slip = slips[rng.randrange(len(slips))]
        awarded = total + slip.value_cents <= cap_cents
        total += slip.value_cents if awarded else 0
        prizes.append(Prize(slip.name, slip.value_cents, awarded))
    return tuple(prizes), total


def _cm_most_awardable(draws: int, values: list[int], room: int) -> int:
    """The largest total of at most ``draws`` slips that fits in ``room`` cents.

    Exact: a draw that would pass the cap is not awarded, so any such total is reachable
    (draw its slips first; any later slip that still fitted would make a larger total).
    Sums reachable so far are the bits of one integer.
    """
    useful = sorted({v for v in values if 0 < v <= room})
    if not useful or draws <= 0:
        return 0
    if draws * useful[-1] <= room:
        return draws * useful[-1]
    mask, reach = (1 << (room + 1)) - 1, 1
    for _ in range(draws):
        grown = reach
        for value in useful:
            grown |= reach << value
        grown &= mask
        if grown == reach or grown >> room & 1:
            reach = grown
            break
        reach = grown
    return reach.bit_length() - 1


def _cm_slip_table(bowl: tuple[Slip, ...]) -> list[Slip]:
    """One list element per physical slip, in bowl order, so that an index is a slip."""
    return [slip for slip in bowl for _ in range(slip.count)]


def _cm_non_negative(schedule: object, *names: str) -> None:
    for name in names:
        if getattr(schedule, name) < 0:
            raise InvalidOption(f"{name}: must be 0 or more")


def _cm_positive(schedule: object, *names: str) -> None:
    for name in names:
        if getattr(schedule, name) < 1:
            raise InvalidOption(f"{name}: must be 1 or more")
