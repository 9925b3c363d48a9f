"""Suggestions: emergency evaluation, step up on either axis, step down (ruleset-v2.md s7,
monitoring.md s6)."""

from __future__ import annotations

from .builders import Patient, iso, one

# PHQ-9 15 on day 0 and 14 on day 40: not on track from day 42 (monitoring.md s3).
OFF_TRACK = {("phq9", 0): 15, ("phq9", 40): 14}
# PHQ-9 16 then 6: a response (>= 50% lower).
RESPONSE = {("phq9", 0): 16, ("phq9", 40): 6}
NEGATIVES = [(33, "negative"), (40, "negative"), (47, "negative"), (54, "negative")]
MODERATE = (1, 1, 1, 0, 0, 0)  # q3 = 1: moderate (facts.md s2.4)
INTENT = (1, 1, 0, 1, 0, 0)  # q4 = 1: high from past-month intent
BEHAVIOUR = (0, 0, None, None, None, 2)  # q6 within 3 months alone: high
LIFETIME = (0, 0, None, None, None, 1)  # q6 more than 3 months ago only


def _suggestion(today: int = 60, **kw: object) -> object:
    patient = Patient(mood=[6.0] * (today + 1), **kw)  # type: ignore[arg-type]  # test helper
    return one(patient, today)["suggestion"]


def test_step_up_on_not_on_track_alone() -> None:
    """Finding 11: v1 needed poor progress and positive screens together."""
    suggestion = _suggestion(scores=OFF_TRACK)
    assert suggestion == {
        "kind": "step_up",
        "evidence": {
            "path": "OP -> IOP -> PHP -> referral",
            "deterioration": False,
            "not_on_track": True,
        },
    }


def test_step_up_on_2_positive_screen_days_in_14_days_alone() -> None:
    # First screen on day 10: 50 days old on day 60; positives on days 47 and 55.
    screens = [(10, "negative"), (47, "positive"), (55, "positive")]
    suggestion = _suggestion(screens=screens)
    assert suggestion["kind"] == "step_up"  # type: ignore[index]
    assert suggestion["evidence"]["positive_screen_days_last_14_days"] == 2  # type: ignore[index]


def test_no_step_up_from_screens_when_one_is_15_days_old_or_two_share_a_day() -> None:
    assert _suggestion(screens=[(10, "negative"), (46, "positive"), (55, "positive")]) is None
    assert _suggestion(screens=[(10, "negative"), (55, "positive"), (55, "positive")]) is None


def test_no_step_up_from_screens_before_the_first_screen_is_28_days_old() -> None:
    # s7 (program): use at the start is expected. First screen day 34: 26 days old.
    screens = [(34, "positive"), (47, "positive"), (55, "positive")]
    assert _suggestion(screens=screens) is None
    # First screen day 32: 28 days old on day 60.
    screens = [(32, "negative"), (47, "positive"), (55, "positive")]
    assert _suggestion(screens=screens)["kind"] == "step_up"  # type: ignore[index]


def test_step_up_on_a_current_moderate_cssrs() -> None:
    suggestion = _suggestion(scores={("cssrs", 50): MODERATE})
    assert suggestion == {
        "kind": "step_up",
        "evidence": {
            "path": "OP -> IOP -> PHP -> referral",
            "cssrs_tier": "moderate",
            "cssrs_date": iso(50),
        },
    }
    # Current for 30 days (days 31-60 on day 60), or until the next C-SSRS.
    assert _suggestion(scores={("cssrs", 31): MODERATE})["kind"] == "step_up"  # type: ignore[index]
    assert _suggestion(scores={("cssrs", 30): MODERATE}) is None
    later_none = {("cssrs", 40): MODERATE, ("cssrs", 50): (0, 0, None, None, None, 0)}
    assert _suggestion(scores=later_none) is None


def test_lifetime_behaviour_alone_gives_no_step_up_during_treatment() -> None:
    # ruleset-v2.md s7: Q6 more than 3 months ago, known since intake, is no signal.
    result = one(Patient(mood=[6.0] * 61, scores={("cssrs", 50): LIFETIME}), 60)
    assert result["suggestion"] is None
    assert result["cssrs_current"] == {"tier": "none", "date": iso(50)}
    assert [a for a in result["alerts"] if a["kind"] == "suicide_risk"] == []


def test_step_down_on_response_and_4_negative_screens_in_28_days() -> None:
    suggestion = _suggestion(scores=RESPONSE, screens=NEGATIVES)
    assert suggestion["kind"] == "step_down"  # type: ignore[index]
    assert suggestion["evidence"]["screens_last_28_days"] == 4  # type: ignore[index]


def test_no_step_down_with_a_missed_screen_only_3_screens_or_suicide_risk() -> None:
    base = NEGATIVES[:3]
    assert _suggestion(scores=RESPONSE, screens=[*base, (54, "missed")]) is None
    assert _suggestion(scores=RESPONSE, screens=base) is None
    assert _suggestion(scores=RESPONSE, screens=NEGATIVES, safety=[50]) is None
    # A screen on day 32 is outside the last 28 days (33-60).
    assert _suggestion(scores=RESPONSE, screens=[(32, "negative"), *base]) is None


def test_step_up_wins_over_step_down() -> None:
    scores = {**RESPONSE, ("cssrs", 55): MODERATE}
    assert _suggestion(scores=scores, screens=NEGATIVES)["kind"] == "step_up"  # type: ignore[index]


def test_emergency_evaluation_on_intent_or_plan_outranks_everything() -> None:
    scores = {**OFF_TRACK, ("cssrs", 55): INTENT}
    suggestion = _suggestion(scores=scores, screens=NEGATIVES)
    assert suggestion["kind"] == "emergency_evaluation"  # type: ignore[index]
    evidence = suggestion["evidence"]  # type: ignore[index]
    assert (evidence["cssrs_tier"], evidence["cssrs_date"]) == ("high", iso(55))
    assert (evidence["intent_or_plan"], evidence["recent_behaviour"]) == (True, False)
    assert evidence["recipients"] == ["prescriber", "on_call"]
    assert "same-day evaluation" in evidence["action"]


def test_emergency_evaluation_from_recent_behaviour_only_on_the_first_in_90_days() -> None:
    """s7 (program): a high from Q6 within 3 months alone suggests it on the first such
    screen in 90 days; a repeat of the same behaviour then gives a step up (high)."""
    first = _suggestion(scores={("cssrs", 50): BEHAVIOUR})
    assert first["kind"] == "emergency_evaluation"  # type: ignore[index]
    repeat = _suggestion(scores={("cssrs", 1): BEHAVIOUR, ("cssrs", 50): BEHAVIOUR})
    assert repeat["kind"] == "step_up"  # type: ignore[index]
    assert repeat["evidence"]["cssrs_tier"] == "high"  # type: ignore[index]
    # Day 141 is 91 days after day 50: outside the 90 days, so first again.
    far = _suggestion(today=150, scores={("cssrs", 50): BEHAVIOUR, ("cssrs", 141): BEHAVIOUR})
    assert far["kind"] == "emergency_evaluation"  # type: ignore[index]


def test_no_emergency_evaluation_once_the_cssrs_is_no_longer_current() -> None:
    assert _suggestion(scores={("cssrs", 30): INTENT}) is None  # 30 days old on day 60
