"""The crash cycle (monitoring.md s2): golden timelines worked on paper, planted effects."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.monitoring.cycle import baselines, crash_cycle
from tandem.domain.monitoring.thresholds import CycleThresholds

from .builders import Patient, analyse, one, report


def test_a_flat_timeline_without_use() -> None:
    # 28 check-ins, mood 6, no use: every day is a baseline day.
    result = one(Patient(mood=[6] * 28), today=27)["cycle"]
    assert result["baseline_mood"] == 6.0
    assert result["surge"] is None
    assert result["crash"] is None
    assert result["crash_days"] == 0
    # Days 1-27 have a checked previous day; none is low, none has use.
    assert result["chase"] == {
        "after_low": None, "after_other": 0.0, "ratio": None, "n_low": 0, "n_other": 27
    }  # fmt: skip
    assert result["deepening"] == 0.0
    assert result["deepening_flag"] is False


def test_28_checkins_are_enough_and_27_are_not() -> None:
    assert "insufficient_data" not in one(Patient(mood=[6] * 28), today=27)["cycle"]
    short = one(Patient(mood=[6] * 27), today=30)
    why = {"insufficient_data": True, "reason": "fewer_than_28_checkins", "checkins": 27}
    assert short["cycle"] == why  # ruleset-v2.md s7: insufficient data says why
    assert short["recovery"] == why
    assert short["early_markers_trend"] == why
    assert short["early_markers"] == []


def test_no_baseline_days_says_so() -> None:
    """Use every day: no day without use in the 3 days before, so no baseline day."""
    result = one(Patient(mood=[6] * 30, used=list(range(30))), today=29)
    assert result["cycle"] == {"insufficient_data": True, "reason": "no_baseline_days"}


def test_missing_days_are_missing_not_zero() -> None:
    # 28 check-ins of mood 6 spread over 40 days: the 12 empty days change nothing.
    mood: list[float | None] = [6 if t % 10 < 7 else None for t in range(40)]
    assert sum(m is not None for m in mood) == 28
    result = one(Patient(mood=mood), today=39)["cycle"]
    assert result["baseline_mood"] == 6.0
    assert result["deepening"] == 0.0


def test_surge_crash_and_chase_on_one_binge() -> None:
    # Days 0-29 mood 5; use on day 10 with mood 9; days 11-13 mood 2.
    # Baseline days: all but 10 (use) and 11-13 (use in the 3 days before): mood 5.
    # surge = 9 - 5 = 4; crash = mean(2 - 5) over days 11, 12, 13 = -3.
    # Chase: low days (mood <= 5 - 2) are 11-13, so days 12-14 follow a low day, none
    # with use: 0/3. The other 26 days (1-29 minus 12-14) hold the use of day 10: 1/26.
    mood = [5.0] * 30
    mood[10] = 9
    mood[11] = mood[12] = mood[13] = 2
    result = one(Patient(mood=mood, used=[10]), today=29)["cycle"]
    assert result["baseline_mood"] == 5.0
    assert result["surge"] == 4.0
    assert result["crash"] == -3.0
    assert result["crash_days"] == 3
    assert result["chase"]["n_low"] == 3
    assert result["chase"]["after_low"] == 0.0
    assert result["chase"]["n_other"] == 26
    assert result["chase"]["after_other"] == pytest.approx(1 / 26, abs=1e-3)
    assert result["chase"]["ratio"] == 0.0


def test_local_baseline_falls_back_to_baseline_mood_past_the_reported_days() -> None:
    # Days 0-14 mood 4, days 15-30 mood 8, all baseline days (31 days, mean 188/31).
    # From day 31 to 59 (today): use on odd days with mood 10, even days mood 5.
    # A day t >= 31 has 45 - t baseline days within 14 days (all mood 8), so t <= 42
    # uses the local baseline 8; later days have fewer than 3 (their window reaches
    # past day 59, where nothing is reported) and use baseline_mood = 188/31.
    # surge = (6 * 2 + 9 * (10 - 188/31)) / 15 = 98/31.
    # crash = (6 * (5 - 8) + 8 * (5 - 188/31)) / 14 = -822/434.
    mood = [4.0] * 15 + [8.0] * 16 + [10.0 if t % 2 else 5.0 for t in range(31, 60)]
    used = list(range(31, 60, 2))
    result = one(Patient(mood=mood, used=used), today=59)["cycle"]
    assert result["baseline_mood"] == round(188 / 31, 3)
    assert result["surge"] == round(98 / 31, 3)
    assert result["crash"] == round(-822 / 434, 3)
    assert result["crash_days"] == 14
    # Deepening on days 0-30: slope 480/2480 a day, times 28.
    assert result["deepening"] == round(480 / 2480 * 28, 3)
    assert result["deepening_flag"] is False


def test_exactly_three_local_baseline_days_are_enough_and_two_are_not() -> None:
    # A: days 0-2 mood 3 (baseline), use on days 3-19 (mood 5), days 20-49 mood 9.
    # Days 20-22 follow use within 3 days, so the later baseline days are 23-49.
    # Day 4: window [0, 18] holds exactly days 0-2 -> local baseline 3 (not 8.4).
    # Day 16: window [2, 30] holds day 2 and days 23-30 -> (3 + 8 * 9) / 9.
    a = Patient(mood=[3.0] * 3 + [5.0] * 17 + [9.0] * 30, used=list(range(3, 20)))
    # B: only days 0-1 before the use: day 4 has 2 local days -> baseline_mood,
    # (2 * 3 + 27 * 9) / 29.
    b = Patient(mood=[3.0] * 2 + [5.0] * 18 + [9.0] * 30, used=list(range(2, 20)))
    grid = analyse({"A": a, "B": b}, today=49).grid
    local = baselines(grid, CycleThresholds()).local
    assert local[0, 4] == 3.0
    assert local[0, 16] == pytest.approx(75 / 9)
    assert local[0, 17] == 9.0
    assert local[1, 4] == pytest.approx(249 / 29)


def test_checkins_after_today_are_ignored() -> None:
    mood = [6.0] * 28 + [1.0] * 10
    late = one(Patient(mood=mood, used=[30]), today=27)["cycle"]
    assert late["baseline_mood"] == 6.0
    assert late["surge"] is None


def test_a_deepening_below_minus_half_a_point_per_28_days_is_flagged() -> None:
    # Mood falls 1 point every 28 days on baseline days: slope -1.0 per 28 days.
    mood = [8.0 - t / 28 for t in range(84)]
    result = one(Patient(mood=mood), today=83)["cycle"]
    assert result["deepening"] == -1.0
    assert result["deepening_flag"] is True


def _planted(rng: np.random.Generator, days: int) -> tuple[list[float], list[int]]:
    """Baseline mood 6.5 sinking 0.6 a month; use days surge +2.5; days after use -2."""
    use = rng.random(days) < 0.08
    mood = 6.5 - 0.6 * np.arange(days) / 28 + rng.normal(0, 0.4, days)
    after = np.zeros(days, bool)
    for k in (1, 2, 3):
        after[k:] |= use[:-k]
    mood = np.clip(mood + 2.5 * use + (-2.0) * (after & ~use), 0, 10)
    return mood.tolist(), np.flatnonzero(use).tolist()


def test_planted_surge_crash_and_deepening_are_recovered() -> None:
    rng = np.random.default_rng(11)
    patients = {f"P{i}": Patient(*_planted(rng, 168)) for i in range(40)}
    result = report(patients, today=167)
    surge = np.mean([r["cycle"]["surge"] for r in result.values()])
    crash = np.mean([r["cycle"]["crash"] for r in result.values()])
    deepening = np.mean([r["cycle"]["deepening"] for r in result.values()])
    # Tolerances: the local baseline itself moves (deepening) and carries noise.
    assert surge == pytest.approx(2.5, abs=0.2)
    assert crash == pytest.approx(-2.0, abs=0.2)
    assert deepening == pytest.approx(-0.6, abs=0.1)
    assert all(r["cycle"]["deepening_flag"] for r in result.values())


def test_planted_chase_is_recovered() -> None:
    # Use follows a low day (mood 2 on a baseline of 7) half the time, other days 5%.
    rng = np.random.default_rng(3)
    days = 2000
    low = rng.random(days) < 0.15
    use = np.zeros(days, bool)
    for t in range(1, days):
        use[t] = rng.random() < (0.5 if low[t - 1] else 0.05)
    low &= ~use
    mood = np.where(low, 2.0, 7.0)
    result = one(Patient(mood=mood.tolist(), used=np.flatnonzero(use).tolist()), today=days - 1)
    chase = result["cycle"]["chase"]
    assert chase["after_low"] == pytest.approx(0.5, abs=0.06)
    assert chase["after_other"] == pytest.approx(0.05, abs=0.02)
    assert chase["ratio"] == pytest.approx(10, rel=0.35)


def test_many_patients_at_once_equal_each_alone() -> None:
    rng = np.random.default_rng(5)
    patients = {f"P{i}": Patient(*_planted(rng, 120)) for i in range(6)}
    patients["P2"].mood = [None] * 30 + list(patients["P2"].mood[30:])
    together = report(patients, today=119)
    for pid, patient in patients.items():
        alone = report({pid: patient}, today=119)[pid]
        assert alone["cycle"] == together[pid]["cycle"]
        assert alone["early_markers"] == together[pid]["early_markers"]


def test_crash_cycle_on_the_grid_directly() -> None:
    group = analyse({"A": Patient(mood=[5.0] * 30)}, today=29)
    cycle = crash_cycle(group.grid, baselines(group.grid, CycleThresholds()), CycleThresholds())
    assert cycle.checkins.tolist() == [30]
    assert not cycle.insufficient_data[0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(2, 8), min_size=28, max_size=80),
    st.sets(st.integers(0, 79), max_size=15),
    st.integers(-2, 2),
)
def test_moving_every_mood_by_a_constant_moves_only_baseline_mood(
    moods: list[int], used: set[int], offset: int
) -> None:
    # Surge, crash, chase and deepening compare moods with their own baselines.
    a = one(Patient(mood=[float(m) for m in moods], used=sorted(used)), len(moods) - 1)
    b = one(Patient(mood=[float(m + offset) for m in moods], used=sorted(used)), len(moods) - 1)
    for key in ("surge", "crash", "crash_days", "chase", "deepening", "deepening_flag"):
        assert a["cycle"][key] == b["cycle"][key], key
    if a["cycle"]["baseline_mood"] is not None:
        # The report rounds to 3 decimals, so the two roundings may differ by 0.001.
        shifted = a["cycle"]["baseline_mood"] + offset
        assert b["cycle"]["baseline_mood"] == pytest.approx(shifted, abs=1.001e-3)
    assert a["early_markers"] == b["early_markers"]  # dips are relative too
