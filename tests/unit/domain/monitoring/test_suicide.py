"""Suicide signals and when ``suicide_risk`` is raised (ruleset-v2.md s7).

The review's monitoring reproductions (issue 8, finding 1) are here as golden cases,
worked by hand in each docstring, with the two Hypothesis properties of the issue.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.monitoring.suicide import raise_days

from .builders import Patient, iso, one

LOW = (1, 0, None, None, None, 0)  # Q1 only: low, score 2
MODERATE = (1, 1, 1, 0, 0, 0)  # Q3: moderate, score 4
HIGH_INTENT = (1, 1, 1, 1, 0, 0)  # Q4: high, score 6
LIFETIME = (0, 0, None, None, None, 1)  # Q6 more than 3 months ago only: no signal
QIDS_ITEM12_3 = [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 3, 1, 1, 0, 0]  # item 12 = 3


def _suicide(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in result["alerts"] if a["kind"] == "suicide_risk"]


def test_a_safety_checkin_33_days_after_a_low_cssrs_alerts() -> None:
    """Review reproduction 1. C-SSRS low on day 0 (score 2): alert on day 0. Safety
    answer on day 33 (score 1): lower than 2, but the latest alert is 33 >= 7 days
    earlier (rule 3): alert. v1 carried the low tier forward as one endless episode and
    raised nothing."""
    result = one(Patient(mood=[6.0] * 40, scores={("cssrs", 0): LOW}, safety=[33]), 39)
    alerts = _suicide(result)
    assert [a["date"] for a in alerts] == [iso(0), iso(33)]
    assert alerts[1]["evidence"] == {
        "score": 1,
        "rule": "latest_alert_7_or_more_days_earlier",
        "previous_alert": iso(0),
        "signals": [{"date": iso(33), "score": 1, "checkin_safety": 1}],
    }


def test_a_high_cssrs_days_after_a_first_alert_alerts_again_and_suggests_evaluation() -> None:
    """Review reproduction 2. Safety answer on day 10 (score 1): alert. C-SSRS with Q4
    (intent) on day 13 (score 6): 3 days later, but higher than the alert's 1 (rule 2):
    alert, and the current C-SSRS high from intent suggests an emergency evaluation."""
    patient = Patient(mood=[6.0] * 16, safety=[10], scores={("cssrs", 13): HIGH_INTENT})
    result = one(patient, 15)
    alerts = _suicide(result)
    assert [a["date"] for a in alerts] == [iso(10), iso(13)]
    assert alerts[1]["evidence"]["rule"] == "higher_than_latest_alert"
    assert alerts[1]["evidence"]["signals"] == [{"date": iso(13), "score": 6, "cssrs_tier": "high"}]
    assert result["suggestion"]["kind"] == "emergency_evaluation"
    assert result["suggestion"]["evidence"]["recipients"] == ["prescriber", "on_call"]


def test_a_qids_row_with_item_12_at_3_alerts() -> None:
    """Review reproduction 3 (finding 4: analyze dropped QIDS-SR16 rows)."""
    result = one(Patient(mood=[6.0] * 5, scores={("qids_sr16", 2): QIDS_ITEM12_3}), 4)
    alerts = _suicide(result)
    assert [a["date"] for a in alerts] == [iso(2)]
    assert alerts[0]["evidence"]["signals"] == [{"date": iso(2), "score": 3, "qids_item12": 3}]
    qids = result["mbc"]["qids_sr16"]
    assert (qids["latest"], qids["latest_item12"], qids["item12_unknown"]) == (10, 3, False)


def test_the_evidence_lists_every_signal_since_the_previous_alert() -> None:
    """Alert day 0 (safety, 1). Days 2, 4 (safety, 1): not higher, under 7 days: no
    alert. Day 5: PHQ-9 item 9 = 1 (same score), no alert. Day 6: C-SSRS moderate (4):
    higher, alert; its evidence lists days 2, 4, 5 and 6."""
    patient = Patient(
        mood=[6.0] * 8, safety=[0, 2, 4], scores={("phq9", 5): (8, 1), ("cssrs", 6): MODERATE}
    )
    alerts = _suicide(one(patient, 7))
    assert [a["date"] for a in alerts] == [iso(0), iso(6)]
    assert [s["date"] for s in alerts[1]["evidence"]["signals"]] == [
        iso(2),
        iso(4),
        iso(5),
        iso(6),
    ]
    assert alerts[1]["evidence"]["signals"][2] == {"date": iso(5), "score": 1, "phq9_item9": 1}


def test_a_days_signal_is_the_highest_of_its_records() -> None:
    patient = Patient(mood=[6.0] * 3, safety=[1], scores={("phq9", 1): (9, 2)})
    alerts = _suicide(one(patient, 2))
    assert alerts[0]["evidence"]["score"] == 2
    assert alerts[0]["evidence"]["signals"] == [
        {"date": iso(1), "score": 2, "phq9_item9": 2, "checkin_safety": 1}
    ]


def test_lifetime_behaviour_alone_is_no_signal_during_treatment() -> None:
    result = one(Patient(mood=[6.0] * 5, scores={("cssrs", 1): LIFETIME}), 4)
    assert _suicide(result) == []
    # Q1 yes with Q6 lifetime: the Q1 ideation counts (low), the lifetime answer not.
    both = (1, 0, None, None, None, 1)
    alerts = _suicide(one(Patient(mood=[6.0] * 5, scores={("cssrs", 1): both}), 4))
    assert alerts[0]["evidence"]["signals"][0]["cssrs_tier"] == "low"


def test_a_signal_is_never_carried_forward() -> None:
    # One PHQ-9 with item 9 = 2 on day 0, read again on every later day by v1: one alert.
    result = one(Patient(mood=[6.0] * 40, scores={("phq9", 0): (8, 2)}), 39)
    assert [a["date"] for a in _suicide(result)] == [iso(0)]


def test_a_total_only_phq9_is_listed_as_item9_unknown() -> None:
    # ruleset-v2.md s7: the MBC entry and the alert evidence say item9_unknown.
    result = one(Patient(mood=[6.0] * 6, scores={("phq9", 1): 14}, safety=[4]), 5)
    assert _suicide(result)[0]["evidence"]["item9_unknown"] == [iso(1)]
    assert result["mbc"]["phq9"]["item9_unknown"] is True
    assert result["mbc"]["phq9"]["latest_item9"] is None


def test_alerts_do_not_change_when_the_analysis_is_run_later() -> None:
    patient = Patient(mood=[6.0] * 30, safety=[2, 5, 12, 20], scores={("cssrs", 14): MODERATE})
    early = _suicide(one(patient, 15))
    late = _suicide(one(patient, 29))
    assert late[: len(early)] == early


SCORES = st.lists(st.sampled_from([0, 0, 0, 0, 1, 2, 3, 4, 6]), min_size=1, max_size=80)


def _covered(score: list[int], raised: list[bool]) -> None:
    """Every signal day has an alert that day, or one in the 7 days before it (so
    within 6) at the same or a higher score; a signal higher than the latest alert's
    always raises one."""
    latest: tuple[int, int] | None = None  # (day, score)
    for t, s in enumerate(score):
        if s > 0 and not raised[t]:
            assert latest is not None
            assert t - latest[0] < 7
            assert latest[1] >= s
        if s > 0 and (latest is None or s > latest[1]):
            assert raised[t]
        if raised[t]:
            assert s > 0
            latest = (t, s)


@settings(max_examples=300, deadline=None)
@given(st.lists(SCORES, min_size=1, max_size=4))
def test_every_signal_day_is_covered_and_a_higher_signal_always_raises(
    rows: list[list[int]],
) -> None:
    width = max(len(r) for r in rows)
    score = np.array([r + [0] * (width - len(r)) for r in rows], float)
    raised = raise_days(score, 7)
    for r in range(score.shape[0]):
        _covered(score[r].astype(int).tolist(), raised[r].tolist())


@settings(max_examples=60, deadline=None)
@given(
    st.sets(st.integers(0, 59), max_size=8),
    st.dictionaries(st.integers(0, 59), st.integers(0, 3), max_size=6),
    st.dictionaries(st.integers(0, 59), st.sampled_from([LOW, MODERATE, HIGH_INTENT]), max_size=4),
)
def test_the_properties_hold_end_to_end(
    safety: set[int], item9: dict[int, int], cssrs: dict[int, tuple[Any, ...]]
) -> None:
    scores: dict[tuple[str, int], Any] = {("phq9", d): (9, v) for d, v in item9.items()}
    scores.update({("cssrs", d): v for d, v in cssrs.items()})
    result = one(Patient(mood=[6.0] * 60, safety=sorted(safety), scores=scores), 59)
    score = [0] * 60
    for d in safety:
        score[d] = max(score[d], 1)
    for d, v in item9.items():
        score[d] = max(score[d], v)
    tier_score = {LOW: 2, MODERATE: 4, HIGH_INTENT: 6}
    for d, v in cssrs.items():
        score[d] = max(score[d], tier_score[v])
    days = {a["date"] for a in _suicide(result)}
    raised = [iso(t) in days for t in range(60)]
    _covered(score, raised)
    for alert in _suicide(result):
        t = [iso(d) for d in range(60)].index(alert["date"])
        assert alert["evidence"]["score"] == score[t]
