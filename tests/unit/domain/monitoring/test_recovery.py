"""Recovery after stopping and persistent_low (monitoring.md s2)."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.domain.monitoring.recovery import days_without_use

from .builders import Patient, alert_days, iso, one


def _run(use_days: list[int], days: int = 41, **kw: object) -> Patient:
    mood = kw.pop("mood", None) or [6.0] * days
    return Patient(mood=mood, used=use_days, **kw)  # type: ignore[arg-type]  # test helper


def test_exactly_28_days_without_use_is_a_run() -> None:
    # Use on days 5 and 34: days 6-33 are 28 days without use.
    mood = [6.0] * 41
    mood[6:13] = [3.0] * 7  # days 1-7 of the run
    mood[27:34] = [4.0] * 7  # days 22-28 of the run
    rec = one(_run([5, 34], mood=mood), today=40)["recovery"]
    assert rec["run_start"] == iso(6)
    assert rec["run_end"] == iso(33)
    assert rec["days_without_use"] == 28
    assert rec["ongoing"] is False
    assert rec["mood_days_1_7"] == 3.0
    assert rec["mood_days_22_28"] == 4.0
    assert rec["phq9"] is None
    assert rec["persistent_low"] is True  # mood on days 22-28 <= 4


def test_27_days_are_not_enough() -> None:
    rec = one(_run([5, 33]), today=40)["recovery"]
    assert rec["run_start"] is None
    assert rec["persistent_low"] is None


def test_a_positive_screen_counts_as_use_on_its_day_and_the_2_days_before() -> None:
    # Use on day 0; a positive screen on day 40 makes days 38-40 use days. The run
    # after it (days 41-59) is too short, so the latest run is days 1-37.
    patient = Patient(mood=[6.0] * 60, used=[0], screens=[(40, "positive")])
    rec = one(patient, today=59)["recovery"]
    assert (rec["run_start"], rec["run_end"], rec["days_without_use"]) == (iso(1), iso(37), 37)


def test_a_day_without_checkin_counts_as_a_day_without_use() -> None:
    mood: list[float | None] = [6.0] * 10 + [None] * 10 + [6.0] * 20
    rec = one(Patient(mood=mood, used=[0]), today=39)["recovery"]
    assert rec["days_without_use"] == 39
    assert rec["ongoing"] is True


def test_a_run_needs_a_use_day_before_it() -> None:
    # No use day known: days without use cannot be counted from "the last use day" (s5),
    # and a run from the first check-in is not recovery after stopping (s2).
    # ruleset-v2.md s7: the part says why it is missing.
    rec = one(Patient(mood=[6.0] * 40, scores={("phq9", 35): 12}), today=39)["recovery"]
    assert rec == {"insufficient_data": True, "reason": "no_use_days"}


def test_latest_phq9_in_the_last_14_days_of_the_run() -> None:
    # Run days 1-37 (use on day 0, screen on day 40). Day 24 is its 14th-last day.
    inside = Patient(
        mood=[6.0] * 60, used=[0], screens=[(40, "positive")], scores={("phq9", 24): 12}
    )
    rec = one(inside, today=59)["recovery"]
    assert (rec["phq9"], rec["phq9_date"], rec["persistent_low"]) == (12, iso(24), True)
    # Day 23 is outside the last 14 days; mood on days 22-28 is 6: not persistent_low.
    outside = Patient(
        mood=[6.0] * 60, used=[0], screens=[(40, "positive")], scores={("phq9", 23): 12}
    )
    rec = one(outside, today=59)["recovery"]
    assert (rec["phq9"], rec["persistent_low"]) == (None, False)


def test_a_phq9_below_10_after_the_month_is_not_persistent_low() -> None:
    rec = one(Patient(mood=[6.0] * 40, used=[0], scores={("phq9", 35): 9}), today=39)["recovery"]
    assert rec["persistent_low"] is False


def test_persistent_depression_alert_on_the_day_the_evidence_is_complete() -> None:
    # Mood 4 on days 22-28 of the run that starts on day 6: complete on day 33.
    mood = [6.0] * 41
    mood[27:34] = [4.0] * 7
    result = one(_run([5, 34], mood=mood), today=40)
    assert alert_days(result, "persistent_depression") == [iso(33)]
    alert = next(a for a in result["alerts"] if a["kind"] == "persistent_depression")
    assert alert["evidence"]["mood_days_22_28"] == 4
    assert alert["severity"] == "high"


def _low_then_better() -> Patient:
    # Check-ins days 0-60, use only on day 0, PHQ-9 12 on day 28 and 6 on day 49.
    return Patient(mood=[6.0] * 61, used=[0], scores={("phq9", 28): 12, ("phq9", 49): 6})


@pytest.mark.parametrize("today", [30, 45, 60])
def test_a_persistent_depression_alert_stays_when_the_analysis_is_run_later(today: int) -> None:
    # Day 28 is the 28th day without use and the PHQ-9 of 12 is in its last 14 days:
    # persistent_low holds that day (s2), so the alert is dated then whatever --today (s5).
    result = one(_low_then_better(), today=today)
    assert alert_days(result, "persistent_depression") == [iso(28)]
    alert = next(a for a in result["alerts"] if a["kind"] == "persistent_depression")
    assert alert["evidence"] == {
        "run_start": iso(1),
        "days_without_use": 28,
        "mood_days_22_28": 6,
        "phq9": 12,
        "phq9_date": iso(28),
        "item9_unknown": True,  # a PHQ-9 total only (ruleset-v2.md s7)
    }


def test_the_recovery_figures_still_describe_the_latest_run_as_of_today() -> None:
    rec = one(_low_then_better(), today=60)["recovery"]
    assert (rec["run_start"], rec["days_without_use"], rec["phq9"]) == (iso(1), 60, 6)
    assert rec["persistent_low"] is False


def test_persistent_depression_evidence_quotes_nothing_after_its_date() -> None:
    # Mood 3 on run days 22-28 (days 22-28): the alert is dated day 28. A PHQ-9 of 12
    # taken on day 40 is later, so the evidence does not quote it.
    mood = [6.0] * 51
    mood[22:29] = [3.0] * 7
    patient = Patient(mood=mood, used=[0], scores={("phq9", 40): 12})
    result = one(patient, today=50)
    alert = next(a for a in result["alerts"] if a["kind"] == "persistent_depression")
    assert alert["date"] == iso(28)
    assert alert["evidence"]["mood_days_22_28"] == 3
    assert (alert["evidence"]["phq9"], alert["evidence"]["phq9_date"]) == (None, None)


def test_no_persistent_depression_from_insufficient_data() -> None:
    # Use on day 0, then check-ins only on days 29-31 with a PHQ-9 of 12 on day 30: a run
    # of 30 days, but 4 check-ins, so persistent_low is insufficient data (s2) and
    # raises no alert either.
    mood: list[float | None] = [6.0] + [None] * 28 + [6.0] * 3
    result = one(Patient(mood=mood, used=[0], scores={("phq9", 30): 12}), today=31)
    assert result["recovery"] == {
        "insufficient_data": True,
        "reason": "fewer_than_28_checkins",
        "checkins": 4,
    }
    assert alert_days(result, "persistent_depression") == []


def test_days_without_use_counts_from_the_last_use_and_is_unknown_before_it() -> None:
    use = np.array([[False, False, True, False, False], [False] * 5])
    assert days_without_use(use).tolist() == [[-1, -1, 0, 1, 2], [-1] * 5]
