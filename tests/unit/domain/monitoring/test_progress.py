"""Figures for the progress page: days since the last use, PHQ-9 bands, chart summaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tandem.domain.monitoring.progress import (
    DAYS_SINCE_USE,
    ONE_DAY_SINCE_USE,
    PHQ9_BANDS,
    DailyEntry,
    Earning,
    Period,
    ScorePoint,
    credit_figures,
    days_since_last_use,
    mood_craving_figures,
    phq9_band,
    phq9_figures,
    sleep_figures,
)

TODAY = date(2026, 3, 13)


def test_days_since_the_last_reported_use() -> None:
    got = days_since_last_use(
        TODAY, reported_use=[date(2026, 3, 1), date(2026, 2, 1)], positive_screens=[],
        intake_last_use=None,
    )  # fmt: skip
    assert got is not None
    assert got.days == 12
    assert got.last_use == date(2026, 3, 1)
    assert got.text.format(days=got.days) == "12 days since you last used"


def test_one_day_is_singular() -> None:
    got = days_since_last_use(
        TODAY, reported_use=[TODAY - timedelta(days=1)], positive_screens=[], intake_last_use=None
    )
    assert got is not None
    assert got.text == ONE_DAY_SINCE_USE
    assert DAYS_SINCE_USE != ONE_DAY_SINCE_USE


def test_positive_screens_and_intake_count_as_use_days() -> None:
    got = days_since_last_use(
        TODAY, reported_use=[date(2026, 3, 1)], positive_screens=[date(2026, 3, 5)],
        intake_last_use=date(2026, 1, 1),
    )  # fmt: skip
    assert got is not None
    assert got.days == 8
    only_intake = days_since_last_use(
        TODAY, reported_use=[], positive_screens=[], intake_last_use=date(2026, 3, 3)
    )
    assert only_intake is not None
    assert only_intake.days == 10


def test_nothing_is_said_without_a_known_use_day_or_on_a_use_day() -> None:
    none_known = days_since_last_use(
        TODAY, reported_use=[], positive_screens=[], intake_last_use=None
    )
    assert none_known is None
    assert days_since_last_use(
        TODAY, reported_use=[TODAY], positive_screens=[], intake_last_use=None
    ) is None  # fmt: skip


def test_use_after_today_is_ignored() -> None:
    got = days_since_last_use(
        TODAY, reported_use=[date(2026, 3, 3), date(2026, 3, 20)], positive_screens=[],
        intake_last_use=date(2026, 4, 1),
    )  # fmt: skip
    assert got is not None
    assert got.days == 10


@pytest.mark.parametrize(
    ("total", "key"),
    [(0, "none_minimal"), (4, "none_minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
     (14, "moderate"), (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"),
     (27, "severe")],
)  # fmt: skip
def test_phq9_bands_are_facts_md_s2_1(total: int, key: str) -> None:
    assert phq9_band(total).key == key


def test_phq9_bands_cover_0_to_27_without_gaps() -> None:
    covered = [t for band in PHQ9_BANDS for t in range(band.low, band.high + 1)]
    assert covered == list(range(28))
    with pytest.raises(ValueError, match="outside"):
        phq9_band(28)


def test_period_refuses_an_end_before_its_start() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Period(TODAY, TODAY - timedelta(days=1))


def test_summary_figures_use_only_the_period() -> None:
    period = Period(date(2026, 3, 1), date(2026, 3, 10))
    entries = [
        DailyEntry(date(2026, 2, 28), 1, 9, 3, True),  # before the period
        DailyEntry(date(2026, 3, 1), 4, 6, 5, True),
        DailyEntry(date(2026, 3, 3), 6, 2, 8, False),
        DailyEntry(date(2026, 3, 4), None, None, None, True),  # a use day, no check-in
    ]
    f = mood_craving_figures(entries, period)
    assert (f.days, f.checkins, f.mean_mood, f.mean_craving, f.use_days) == (10, 2, 5, 4, 2)
    s = sleep_figures(entries, period)
    assert (s.nights, s.mean_hours, s.short_nights, s.short_below_hours) == (2, 6.5, 1, 6.0)
    scores = [ScorePoint(date(2026, 3, 9), 8), ScorePoint(date(2026, 3, 2), 16)]
    p = phq9_figures(scores, period)
    assert p.count == 2
    assert p.first == scores[1]
    assert p.latest == scores[0]
    assert p.first_band is not None
    assert p.first_band.key == "moderately_severe"
    c = credit_figures([Earning(date(2026, 2, 1), 1000), Earning(date(2026, 3, 2), 1050)], period)
    assert (c.total_cents, c.in_period_cents, c.rewards) == (2050, 1050, 1)
