"""Contingency management: escalating vouchers and prize draws, one ledger per patient.

Normative spec: ``monitoring.md`` s7 (its pseudo-code is followed line by line). Sources:
``facts.md`` s8 (Higgins escalating vouchers, Petry prize CM, California Recovery
Incentives Program). Money is integer cents throughout; never floating point.

Defaults marked "(program)" are the program's own choices: ``facts.md`` s8 could not
confirm California's exact step and reset rules (UNVERIFIED) nor a standard prize bowl
(the classic 500-slip composition is UNVERIFIED, facts.md s8 and s11 item 5).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from tandem.domain.errors import InvalidOption

# facts.md s8: California RIP starts around $10 a negative test (V2) and pays at most
# $26.50 a test (V2), at most $599 over the 24-week (168-day) CM period (V).
CA_START_CENTS = 1000
CA_MAX_PER_SCREEN_CENTS = 2650
CA_CAP_CENTS = 59900
CA_WINDOW_DAYS = 168
# (program) monitoring.md s7: the step and the recovery rule are the program's choice;
# facts.md s8 marks the California escalation step and reset rules UNVERIFIED.
PROGRAM_STEP_CENTS = 150
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
    """Escalating vouchers with reset and recovery (monitoring.md s7)."""

    start_cents: int = CA_START_CENTS
    step_cents: int = PROGRAM_STEP_CENTS
    max_per_screen_cents: int = CA_MAX_PER_SCREEN_CENTS
    recovery_after: int = PROGRAM_RECOVERY_AFTER
    bonus_every: int = 0  # 0 = off (monitoring.md s7)
    bonus_cents: int = 0
    cap_cents: int = CA_CAP_CENTS
    window_days: int = CA_WINDOW_DAYS

    def __post_init__(self) -> None:
        _cm_non_negative(self, "start_cents", "step_cents", "max_per_screen_cents")
        _cm_non_negative(self, "recovery_after", "bonus_every", "bonus_cents", "cap_cents")
        _cm_positive(self, "window_days")


@dataclass(frozen=True)
class PrizeSchedule:
    """Prize draws (fishbowl) with a recorded seed (monitoring.md s7)."""

    seed: int
    draw_start: int = PROGRAM_DRAW_START
    draw_max: int = PROGRAM_DRAW_MAX
    bowl: tuple[Slip, ...] = PROGRAM_BOWL
    cap_cents: int = CA_CAP_CENTS
    window_days: int = CA_WINDOW_DAYS

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
    """The ledger line for one input screen (exactly one per screen, monitoring.md s7)."""

    date: date
    result: ScreenResult
    earned_cents: int
    draws: int = 0
    prizes: tuple[Prize, ...] = ()
    in_window: bool = True


@dataclass(frozen=True)
class Ledger:
    entries: tuple[LedgerEntry, ...]
    total_cents: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_cents", sum(e.earned_cents for e in self.entries))


def in_date_order(screens: Iterable[Screen]) -> list[Screen]:
    """Screens by date; two on one day keep their input order (stable sort, s7)."""
    return sorted(screens, key=lambda screen: screen.date)


def escalating_ledger(screens: Sequence[Screen], schedule: EscalatingSchedule) -> Ledger:
    """Run the escalating-voucher pseudo-code of monitoring.md s7 over one patient's screens."""
    ordered = in_date_order(screens)
    level, run, saved, total = schedule.start_cents, 0, 0, 0
    has_saved = False
    entries: list[LedgerEntry] = []
    for screen in ordered:
        if not _cm_in_window(screen, ordered, schedule.window_days):
            entries.append(LedgerEntry(screen.date, screen.result, 0, in_window=False))
            continue
        if screen.result is ScreenResult.NEGATIVE:
            run += 1
            bonus = schedule.bonus_every and run % schedule.bonus_every == 0
            earn = level + (schedule.bonus_cents if bonus else 0)
            earn = min(earn, schedule.cap_cents - total)  # the normative pseudo-code clips here
            total += earn
            level = min(level + schedule.step_cents, schedule.max_per_screen_cents)
            if has_saved and run == schedule.recovery_after:
                level, has_saved = max(level, saved), False
        else:
            saved = max(saved, level) if has_saved else level
            has_saved, level, run, earn = True, schedule.start_cents, 0, 0
        entries.append(LedgerEntry(screen.date, screen.result, earn))
    return Ledger(tuple(entries))


def prize_ledger(screens: Sequence[Screen], schedule: PrizeSchedule, patient_key: str) -> Ledger:
    """Prize draws (monitoring.md s7): ``min(draw_start + run - 1, draw_max)`` draws per negative.

    Replayable: the slips come from ``random.Random(f"{seed}:{patient_key}")`` (CPython's
    Mersenne Twister; a str seed is hashed with SHA-512, so the stream does not depend on
    PYTHONHASHSEED), one ``randrange(total slips)`` per draw, with replacement. Each prize
    is checked against the cap on its own; one that would pass it is kept, not awarded.
    """
    ordered = in_date_order(screens)
    # A replayable, audited draw (s7) needs a seeded PRNG, not a cryptographic one.
    rng = random.Random(draw_seed(schedule.seed, patient_key))  # noqa: S311
    slips = _cm_slip_table(schedule.bowl)
    run, total = 0, 0
    entries: list[LedgerEntry] = []
    for screen in ordered:
        if not _cm_in_window(screen, ordered, schedule.window_days):
            entries.append(LedgerEntry(screen.date, screen.result, 0, in_window=False))
            continue
        if screen.result is not ScreenResult.NEGATIVE:
            run = 0
            entries.append(LedgerEntry(screen.date, screen.result, 0))
            continue
        run += 1
        draws = min(schedule.draw_start + run - 1, schedule.draw_max)
        prizes, total = _cm_draw(rng, slips, draws, total, schedule.cap_cents)
        earned = sum(p.value_cents for p in prizes if p.awarded)
        entries.append(LedgerEntry(screen.date, screen.result, earned, draws, prizes))
    return Ledger(tuple(entries))


def draw_seed(seed: int, patient_key: str) -> str:
    """The per-patient seed string: one recorded run seed gives each patient its own stream."""
    return f"{seed}:{patient_key}"


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


def _cm_slip_table(bowl: tuple[Slip, ...]) -> list[Slip]:
    """One list element per physical slip, in bowl order, so that an index is a slip."""
    return [slip for slip in bowl for _ in range(slip.count)]


def _cm_in_window(screen: Screen, ordered: list[Screen], window_days: int) -> bool:
    """The window starts at the first screen of any result (monitoring.md s7)."""
    return (screen.date - ordered[0].date).days < window_days


def _cm_non_negative(schedule: object, *names: str) -> None:
    for name in names:
        if getattr(schedule, name) < 0:
            raise InvalidOption(f"{name}: must be 0 or more")


def _cm_positive(schedule: object, *names: str) -> None:
    for name in names:
        if getattr(schedule, name) < 1:
            raise InvalidOption(f"{name}: must be 1 or more")
