"""Step-up and step-down suggestions (monitoring.md s6)."""

from __future__ import annotations

from .builders import Patient, one

# PHQ-9 15 on day 0 and 14 on day 40: not on track from day 42 (monitoring.md s3).
OFF_TRACK = {("phq9", 0): 15, ("phq9", 40): 14}
# PHQ-9 16 then 6: a response (>= 50% lower).
RESPONSE = {("phq9", 0): 16, ("phq9", 40): 6}


def _suggestion(today: int = 60, **kw: object) -> object:
    patient = Patient(mood=[6.0] * (today + 1), **kw)  # type: ignore[arg-type]  # test helper
    return one(patient, today)["suggestion"]


def test_step_up_when_not_on_track_with_2_positive_screens_in_14_days() -> None:
    screens = [(47, "positive"), (55, "positive")]  # days 47-60 are the last 14
    suggestion = _suggestion(scores=OFF_TRACK, screens=screens)
    assert suggestion["kind"] == "step_up"  # type: ignore[index]
    evidence = suggestion["evidence"]  # type: ignore[index]
    assert evidence["not_on_track"] is True
    assert evidence["positive_screens_last_14_days"] == 2
    assert "IOP" in evidence["path"]


def test_no_step_up_when_a_positive_screen_is_15_days_old() -> None:
    screens = [(46, "positive"), (55, "positive")]
    assert _suggestion(scores=OFF_TRACK, screens=screens) is None


def test_step_up_on_a_moderate_cssrs_in_the_last_14_days() -> None:
    moderate = (1, 1, 1, 0, 0, 0)  # q3 = 1: moderate (facts.md s2.4)
    suggestion = _suggestion(scores={("cssrs", 50): moderate})
    assert suggestion == {
        "kind": "step_up",
        "evidence": {"path": "OP -> IOP -> PHP -> referral", "cssrs_tier_last_14_days": "moderate"},
    }
    assert _suggestion(scores={("cssrs", 40): moderate}) is None


def test_step_down_on_response_and_4_negative_screens_in_28_days() -> None:
    screens = [(33, "negative"), (40, "negative"), (47, "negative"), (54, "negative")]
    suggestion = _suggestion(scores=RESPONSE, screens=screens)
    assert suggestion["kind"] == "step_down"  # type: ignore[index]
    assert suggestion["evidence"]["screens_last_28_days"] == 4  # type: ignore[index]


def test_no_step_down_with_a_missed_screen_only_3_screens_or_suicide_risk() -> None:
    base = [(33, "negative"), (40, "negative"), (47, "negative")]
    assert _suggestion(scores=RESPONSE, screens=[*base, (54, "missed")]) is None
    assert _suggestion(scores=RESPONSE, screens=base) is None
    four = [*base, (54, "negative")]
    assert _suggestion(scores=RESPONSE, screens=four, safety=[50]) is None
    # A screen on day 32 is outside the last 28 days (33-60).
    assert _suggestion(scores=RESPONSE, screens=[(32, "negative"), *base]) is None


def test_step_up_wins_over_step_down() -> None:
    screens = [(33, "negative"), (40, "negative"), (47, "negative"), (54, "negative")]
    scores = {**RESPONSE, ("cssrs", 55): (1, 1, 0, 1, 0, 0)}  # q4 = 1: high
    suggestion = _suggestion(scores=scores, screens=screens)
    assert suggestion["kind"] == "step_up"  # type: ignore[index]
