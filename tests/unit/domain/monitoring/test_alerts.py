"""The alerts of monitoring.md s5: golden timelines and the once-per-episode property."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.monitoring.alerts import KINDS, episode_starts

from .builders import Patient, alert_days, iso, one, report


def _starts(pattern: str, quiet: int = 14) -> list[int]:
    condition = np.array([[c == "x" for c in pattern]])
    return np.flatnonzero(episode_starts(condition, quiet)[0]).tolist()


def test_an_episode_raises_once_and_a_new_one_needs_14_quiet_days() -> None:
    # x on days 0-2; 13 quiet days (3-15); x on 16: the same episode, no new alert.
    assert _starts("xxx" + "." * 13 + "x") == [0]
    # 14 quiet days (3-16), x on day 17: a new episode.
    assert _starts("xxx" + "." * 14 + "x") == [0, 17]
    assert _starts("." * 5 + "x" * 40) == [5]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=120), st.integers(1, 20))
def test_an_alert_never_fires_twice_in_one_episode(days: list[bool], quiet: int) -> None:
    condition = np.array([days])
    raised = np.flatnonzero(episode_starts(condition, quiet)[0]).tolist()
    holds = np.flatnonzero(condition[0]).tolist()
    # Reference: split the true days into episodes separated by >= quiet false days.
    episodes: list[list[int]] = []
    for t in holds:
        if episodes and t - episodes[-1][-1] - 1 < quiet:
            episodes[-1].append(t)
        else:
            episodes.append([t])
    assert raised == [e[0] for e in episodes]
    assert set(raised) <= set(holds)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from([None, 2.0, 6.0, 9.0]), min_size=30, max_size=90),
    st.sets(st.integers(0, 89), max_size=20),
    st.sets(st.integers(0, 89), max_size=5),
)
def test_every_alert_is_dated_once_and_carries_evidence_and_a_recipient(
    mood: list[float | None], used: set[int], safety: set[int]
) -> None:
    result = one(Patient(mood=mood, used=sorted(used), safety=sorted(safety)), len(mood) - 1)
    for kind in KINDS:
        dates = [np.datetime64(d) for d in alert_days(result, kind.name)]
        assert dates == sorted(dates)
        assert len(set(dates)) == len(dates)
    for alert in result["alerts"]:
        assert alert["evidence"], alert["kind"]
        assert alert["recipients"]
        assert alert["severity"] in {"urgent", "high", "routine"}


def test_missed_checkins_on_the_third_day_in_a_row() -> None:
    # Check-ins on days 0-4, 7-9 (2 missed: no alert), 13-20 (3 missed: 10-12).
    mood: list[float | None] = [6.0] * 21
    for t in (5, 6, 10, 11, 12):
        mood[t] = None
    result = one(Patient(mood=mood), today=20)
    assert alert_days(result, "missed_checkins") == [iso(12)]
    alert = result["alerts"][0]
    assert alert["evidence"] == {"last_checkin": iso(9), "days_without_checkin": 3}
    assert (alert["severity"], alert["recipients"]) == ("routine", ["peer_specialist"])


def test_missed_checkins_up_to_today_and_not_before_the_first() -> None:
    mood: list[float | None] = [None] * 6 + [6.0] * 5
    assert alert_days(one(Patient(mood=mood), today=12), "missed_checkins") == []
    assert alert_days(one(Patient(mood=mood), today=13), "missed_checkins") == [iso(13)]


def _first_signal(date: str, score: int, **record: object) -> dict[str, object]:
    signal = {"date": date, "score": score, **record}
    return {"score": score, "rule": "first_signal", "previous_alert": None, "signals": [signal]}


def test_suicide_risk_from_each_source() -> None:
    safety = one(Patient(mood=[6.0] * 5, safety=[3]), today=4)
    assert alert_days(safety, "suicide_risk") == [iso(3)]
    assert safety["alerts"][0]["evidence"] == _first_signal(iso(3), 1, checkin_safety=1)
    assert safety["alerts"][0]["severity"] == "urgent"
    assert safety["alerts"][0]["recipients"] == ["therapist", "prescriber"]  # ruleset-v2 s7
    assert "988" in safety["alerts"][0]["action"]
    item9 = one(Patient(mood=[6.0] * 5, scores={("phq9", 2): (8, 1)}), today=4)
    assert item9["alerts"][0]["evidence"] == _first_signal(iso(2), 1, phq9_item9=1)
    none = one(Patient(mood=[6.0] * 5, scores={("phq9", 2): (8, 0)}), today=4)
    assert alert_days(none, "suicide_risk") == []
    low = one(Patient(mood=[6.0] * 5, scores={("cssrs", 1): (1, 0, None, None, None, 0)}), 4)
    assert low["alerts"][0]["evidence"] == _first_signal(iso(1), 2, cssrs_tier="low")
    clear = one(Patient(mood=[6.0] * 5, scores={("cssrs", 1): (0, 0, None, None, None, 0)}), 4)
    assert clear["alerts"] == []


def test_a_repeated_safety_answer_raises_again_after_7_days() -> None:
    """ruleset-v2.md s7 rule 3 replaces v1's 14-day episode for suicide_risk: day 10 is
    7 days after the alert of day 3 (v1 raised none), day 12 only 2 after day 10."""
    result = one(Patient(mood=[6.0] * 40, safety=[3, 10, 12, 30]), today=39)
    assert alert_days(result, "suicide_risk") == [iso(3), iso(10), iso(30)]


def test_lapse_after_two_negative_screens_with_the_carry_over_note() -> None:
    screens = [(0, "negative"), (3, "negative"), (7, "positive")]
    result = one(Patient(mood=[6.0] * 10, screens=screens, levels={7: 450.0}), today=9)
    assert alert_days(result, "lapse") == [iso(7)]
    evidence = result["alerts"][0]["evidence"]
    assert evidence["negatives_in_a_row_before"] == 2
    assert evidence["benzoylecgonine_ng_ml"] == 450
    assert "carry-over" in evidence["note"]


@pytest.mark.parametrize(
    "screens",
    [
        [(3, "negative"), (7, "positive")],  # one negative only
        [(0, "negative"), (3, "missed"), (5, "negative"), (7, "positive")],  # missed breaks
        [(0, "negative"), (3, "invalid"), (5, "negative"), (7, "positive")],
    ],
)
def test_no_lapse_without_two_negatives_in_a_row(screens: list[tuple[int, str]]) -> None:
    assert alert_days(one(Patient(mood=[6.0] * 10, screens=screens), 9), "lapse") == []


def test_two_screens_on_one_day_are_taken_in_file_order() -> None:
    screens = [(0, "negative"), (3, "negative"), (3, "positive")]
    assert alert_days(one(Patient(mood=[6.0] * 5, screens=screens), 4), "lapse") == [iso(3)]


def test_lapse_after_7_days_without_use_but_not_6() -> None:
    # Use on day 2, then on day 10 (7 days without use: 3-9) -> lapse.
    assert alert_days(one(Patient(mood=[6.0] * 12, used=[2, 10]), 11), "lapse") == [iso(10)]
    # Use on day 2 and day 9 (6 days without use) -> no lapse.
    assert alert_days(one(Patient(mood=[6.0] * 12, used=[2, 9]), 11), "lapse") == []


def test_the_first_known_use_is_not_a_gap_based_lapse() -> None:
    # No use known before day 10: the days without use before it are unknown (s5).
    assert alert_days(one(Patient(mood=[6.0] * 12, used=[10]), 11), "lapse") == []


def test_no_early_sobriety_depression_before_a_first_use_day() -> None:
    patient = Patient(mood=[6.0] * 30, scores={("phq9", 10): 12})
    assert alert_days(one(patient, 29), "early_sobriety_depression") == []


def test_a_positive_screen_the_same_day_does_not_hide_a_reported_lapse() -> None:
    patient = Patient(mood=[6.0] * 12, used=[2, 10], screens=[(10, "positive")])
    result = one(patient, 11)
    assert alert_days(result, "lapse") == [iso(10)]
    assert result["alerts"][0]["evidence"]["days_without_use_before"] == 7


@pytest.mark.parametrize(
    ("phq9_day", "raised_on"), [(1, 9), (5, 9), (8, 9), (9, 9), (86, 86), (87, None)]
)
def test_early_sobriety_depression_between_7_and_84_days(
    phq9_day: int, raised_on: int | None
) -> None:
    # Use on day 2: day 9 is the 7th day without use, day 86 the 84th. The latest PHQ-9
    # holds until the next one, as for every alert: a 12 taken on day 1, 5 or 8 still
    # holds on day 9 (s5 "PHQ-9 >= 10 while abstinent 7 to 84 days").
    mood = [6.0] * 90
    patient = Patient(mood=mood, used=[2], scores={("phq9", phq9_day): 12})
    result = one(patient, 89)
    days = alert_days(result, "early_sobriety_depression")
    assert days == ([] if raised_on is None else [iso(raised_on)])
    if raised_on is not None:
        alert = next(a for a in result["alerts"] if a["kind"] == "early_sobriety_depression")
        assert alert["evidence"] == {
            "phq9": 12,
            "phq9_date": iso(phq9_day),
            "days_without_use": raised_on - 2,
            "item9_unknown": True,  # the builder's PHQ-9 is a total only (ruleset-v2 s7)
        }


def test_early_sobriety_counts_only_use_known_by_the_day() -> None:
    # PHQ-9 12 on day 9, the 7th day after use on day 2; a positive screen on day 11
    # says use on days 9-11 (s2), but on day 9 that was not known: the alert stays.
    patient = Patient(
        mood=[6.0] * 20, used=[2], scores={("phq9", 9): 12}, screens=[(11, "positive")]
    )
    assert alert_days(one(patient, 19), "early_sobriety_depression") == [iso(9)]


def test_deterioration_from_the_best_score() -> None:
    # Baseline 14, best 5, then 11: 6 above the best, only 3 below baseline.
    patient = Patient(mood=[6.0] * 3, scores={("phq9", 0): 14, ("phq9", 7): 5, ("phq9", 14): 11})
    result = one(patient, 20)
    assert alert_days(result, "deterioration") == [iso(14)]
    alert = next(a for a in result["alerts"] if a["kind"] == "deterioration")
    assert alert["evidence"]["best_so_far"] == 5
    assert alert["evidence"]["phq9"] == 11


def test_a_caseload_is_alerted_patient_by_patient() -> None:
    result = report({"A": Patient(mood=[6.0] * 5, safety=[1]), "B": Patient(mood=[6.0] * 5)}, 4)
    assert alert_days(result["A"], "suicide_risk") == [iso(1)]
    assert result["B"]["alerts"] == []


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from([None, 2.0, 4.0, 6.0, 6.0]), min_size=40, max_size=100),
    st.sets(st.integers(0, 99), max_size=3),
    st.dictionaries(st.integers(0, 99), st.sampled_from([4, 12, 20]), max_size=8),
    st.lists(st.tuples(st.integers(0, 99), st.sampled_from(["negative", "positive"])), max_size=6),
    st.integers(0, 60),
)
def test_a_later_today_never_rewrites_the_alerts_already_raised(
    mood: list[float | None],
    used: set[int],
    phq9: dict[int, int],
    screens: list[tuple[int, str]],
    cut: int,
) -> None:
    # s5: an alert is raised on the first date its condition holds; running the analysis
    # again later must give the same alerts up to the earlier date, evidence included.
    patient = Patient(
        mood=mood,
        used=sorted(used | {0}),
        scores={("phq9", d): v for d, v in phq9.items()},
        screens=sorted(set(screens)),
    )
    late = len(mood) - 1
    early = min(cut + 30, late)
    before = one(patient, early)["alerts"]
    after = [a for a in one(patient, late)["alerts"] if a["date"] <= iso(early)]
    assert before == after
