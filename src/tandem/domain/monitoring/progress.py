"""What the patient portal's "My progress" page says in numbers (portal.md, My progress).

Plain data for the progress charts (one person, any period: an episode of care, the
last 90 days, a report's range) and the figures their one-sentence summaries quote,
plus "days since you last used". Pure: the caller passes ``today`` and the records; the
web layer and the reports draw and word them (``tandem.reports.charts``).

Missing days stay missing (monitoring.md s1): a day without a check-in has no entry,
and nothing here fills it in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from tandem.domain.i18n import N_
from tandem.domain.instruments import get as get_instrument
from tandem.domain.instruments.model import Band
from tandem.domain.monitoring.incentives import Ledger
from tandem.domain.monitoring.records import Checkin
from tandem.domain.monitoring.thresholds import CycleThresholds


@dataclass(frozen=True)
class Period:
    """The days ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=k) for k in range(self.days)]


@dataclass(frozen=True)
class DailyEntry:
    """One day's check-in numbers (monitoring.md s1); ``None`` where not answered."""

    on: date
    mood: float | None = None
    craving: float | None = None
    sleep_hours: float | None = None
    used: bool = False


@dataclass(frozen=True)
class ScorePoint:
    """A questionnaire total on a day (PHQ-9 here)."""

    on: date
    total: int


@dataclass(frozen=True)
class Earning:
    """Gift card credit earned on a day, in cents (monitoring.md s7 ledger)."""

    on: date
    cents: int


def daily_entries(checkins: Iterable[Checkin]) -> list[DailyEntry]:
    """The check-ins as chart entries, in date order (one per day, monitoring.md s1)."""
    return sorted(
        (DailyEntry(c.on, c.mood, c.craving, c.sleep_hours, c.used) for c in checkins),
        key=lambda e: e.on,
    )


def earnings(ledger: Ledger) -> list[Earning]:
    """The ledger's earning entries (earned > 0), in date order."""
    return sorted(
        (Earning(e.date, e.earned_cents) for e in ledger.entries if e.earned_cents > 0),
        key=lambda e: e.on,
    )


def in_period(entries: Sequence[DailyEntry], period: Period) -> list[DailyEntry]:
    return [e for e in entries if e.on in period]


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None and not math.isnan(v)]
    return sum(present) / len(present) if present else None


@dataclass(frozen=True)
class MoodCravingFigures:
    """What the mood-and-craving summary quotes: means over the period's check-ins."""

    days: int
    checkins: int  # days in the period with a mood or craving answered
    mean_mood: float | None
    mean_craving: float | None
    use_days: int


def mood_craving_figures(entries: Sequence[DailyEntry], period: Period) -> MoodCravingFigures:
    chosen = in_period(entries, period)
    return MoodCravingFigures(
        days=period.days,
        checkins=sum(1 for e in chosen if e.mood is not None or e.craving is not None),
        mean_mood=_mean(e.mood for e in chosen),
        mean_craving=_mean(e.craving for e in chosen),
        use_days=len({e.on for e in chosen if e.used}),
    )


@dataclass(frozen=True)
class SleepFigures:
    """What the sleep summary quotes."""

    days: int
    nights: int  # nights with sleep hours answered
    mean_hours: float | None
    short_nights: int  # under ``short_below_hours``
    short_below_hours: float


def sleep_figures(
    entries: Sequence[DailyEntry], period: Period, th: CycleThresholds | None = None
) -> SleepFigures:
    """Short nights as the early markers count them (ruleset-v2.md s7: under 6 hours;
    program, beside the adult recommendation of 7 hours or more, facts.md s12.2)."""
    below = (th or CycleThresholds()).short_sleep_below_hours
    hours = [e.sleep_hours for e in in_period(entries, period) if e.sleep_hours is not None]
    return SleepFigures(
        days=period.days,
        nights=len(hours),
        mean_hours=_mean(hours),
        short_nights=sum(1 for h in hours if h < below),
        short_below_hours=below,
    )


# PHQ-9 severity bands: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately
# severe, 20-27 severe (Kroenke 2001; facts.md s2.1 (V)), read from the instrument
# library so there is one table.
def _phq9_bands() -> tuple[Band, ...]:
    table = get_instrument("phq9").band_table(None)
    if table is None:  # the PHQ-9 definition always has one band table
        raise LookupError("the PHQ-9 definition has no band table")
    return table.bands


PHQ9_BANDS: Final[tuple[Band, ...]] = _phq9_bands()


def phq9_band(total: int) -> Band:
    """The PHQ-9 severity band of a total (facts.md s2.1)."""
    for band in PHQ9_BANDS:
        if band.low <= total <= band.high:
            return band
    raise ValueError(f"PHQ-9 total {total} is outside 0-27")


@dataclass(frozen=True)
class ScoreFigures:
    """What the PHQ-9 summary quotes: the first and latest score of the period."""

    count: int
    first: ScorePoint | None
    latest: ScorePoint | None

    @property
    def first_band(self) -> Band | None:
        return None if self.first is None else phq9_band(self.first.total)

    @property
    def latest_band(self) -> Band | None:
        return None if self.latest is None else phq9_band(self.latest.total)


def phq9_figures(scores: Sequence[ScorePoint], period: Period) -> ScoreFigures:
    chosen = sorted((s for s in scores if s.on in period), key=lambda s: s.on)
    return ScoreFigures(
        count=len(chosen),
        first=chosen[0] if chosen else None,
        latest=chosen[-1] if chosen else None,
    )


@dataclass(frozen=True)
class CreditFigures:
    """What the gift card credit summary quotes (monitoring.md s7; never "cash")."""

    total_cents: int  # everything earned up to the period's end
    in_period_cents: int
    rewards: int  # days in the period with credit earned


def credit_figures(given: Sequence[Earning], period: Period) -> CreditFigures:
    upto = [e for e in given if e.on <= period.end]
    inside = [e for e in upto if e.on >= period.start and e.cents > 0]
    return CreditFigures(
        total_cents=sum(e.cents for e in upto),
        in_period_cents=sum(e.cents for e in inside),
        rewards=len({e.on for e in inside}),
    )


ONE_DAY_SINCE_USE: Final = N_("1 day since you last used")
DAYS_SINCE_USE: Final = N_("{days} days since you last used")


@dataclass(frozen=True)
class DaysSinceUse:
    """Days since the last known use day: a count that simply starts again after use,
    never a streak that "breaks" (portal.md, My progress).

    ``text`` is English marked for translation; it takes ``days``. Two messages instead
    of a plural form: English and Spanish both use the singular for 1 only.
    """

    days: int
    last_use: date

    @property
    def text(self) -> str:
        return ONE_DAY_SINCE_USE if self.days == 1 else DAYS_SINCE_USE


def days_since_last_use(
    today: date,
    *,
    reported_use: Iterable[date],
    positive_screens: Iterable[date],
    intake_last_use: date | None,
) -> DaysSinceUse | None:
    """Days from the last use day to ``today``, or ``None`` when nothing is said.

    The last use day is the latest of the check-ins' use days, the positive screens'
    dates and the intake's last use (monitoring.md s5: days of abstinence count from the
    last use day, check-ins and positive screens; ruleset-v2.md s7: the intake's last
    use). Records after ``today`` are ignored (s2). Nothing is said when no use day is
    known (abstinence is never assumed, recovery.py) or when the last use is today: a
    "0 days" line helps no one (program).
    """
    known = [d for d in (*reported_use, *positive_screens) if d <= today]
    if intake_last_use is not None and intake_last_use <= today:
        known.append(intake_last_use)
    if not known:
        return None
    last = max(known)
    days = (today - last).days
    return DaysSinceUse(days, last) if days >= 1 else None
