"""The self-check's decisions, worked from /work/shared/clinical/self-check.md."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.domain import selfcheck
from tandem.domain.errors import InvalidInput
from tandem.domain.selfcheck import OverdoseRisk, SelfCheckAnswers, assess

CALM_PHQ9 = (0, 0, 0, 0, 0, 0, 0, 0, 0)


def answers(**overrides: object) -> SelfCheckAnswers:
    base: dict[str, object] = {
        "started_first": "low_mood",
        "crash_after_use": "never",
        "use_to_lift_mood": "never",
        "low_mood_without_use": "no",
        "days_used_past_30": "0",
        "phq9": CALM_PHQ9,
        "overdose": OverdoseRisk(),
    }
    base.update(overrides)
    return SelfCheckAnswers(**base)  # type: ignore[arg-type]  # test builds from a dict


@pytest.mark.parametrize(
    ("started_first", "pattern"),
    [
        ("low_mood", "depression_first"),
        ("stimulant_use", "use_first"),
        ("same_time", "tangled"),
        ("not_sure", "tangled"),
    ],
)
def test_pattern_follows_which_started_first(started_first: str, pattern: str) -> None:
    assert assess(answers(started_first=started_first)).pattern == pattern


@pytest.mark.parametrize(
    ("crash", "lift", "signs", "link"),
    [
        ("often", "almost_always", ("crash_after_use", "use_to_lift_mood"), "likely"),
        ("almost_always", "sometimes", ("crash_after_use",), "possible"),
        ("never", "often", ("use_to_lift_mood",), "possible"),
        ("sometimes", "sometimes", (), "no_clear_sign"),
        ("never", "never", (), "no_clear_sign"),
    ],
)
def test_link_signs_count_only_often_or_almost_always(
    crash: str, lift: str, signs: tuple[str, ...], link: str
) -> None:
    result = assess(answers(crash_after_use=crash, use_to_lift_mood=lift))
    assert result.link_signs == signs
    assert result.link_sign_count == len(signs)
    assert result.link == link


@pytest.mark.parametrize(
    ("stayed", "persistent"), [("yes", True), ("no", False), ("no_stretch", False)]
)
def test_persistent_low_mood_only_when_it_stayed(stayed: str, persistent: bool) -> None:
    assert assess(answers(low_mood_without_use=stayed)).persistent_low_mood is persistent


@pytest.mark.parametrize(
    ("phq9", "total", "band"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "none_minimal"),
        ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "none_minimal"),
        ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "mild"),
        ((2, 2, 1, 2, 1, 1, 1, 0, 0), 10, "moderate"),
        ((2, 2, 2, 2, 2, 2, 2, 1, 0), 15, "moderately_severe"),
        ((3, 3, 3, 3, 2, 2, 2, 2, 0), 20, "severe"),
        ((3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "severe"),
    ],
)
def test_phq9_band_edges_from_facts_2_1(phq9: tuple[int, ...], total: int, band: str) -> None:
    result = assess(answers(phq9=phq9))
    assert (result.phq9_total, result.phq9_band) == (total, band)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_item_9_above_zero_puts_safety_first(item9: int) -> None:
    phq9 = (0, 0, 0, 0, 0, 0, 0, 0, item9)
    result = assess(answers(phq9=phq9))
    assert result.needs_safety_screen
    assert selfcheck.needs_safety_screen(phq9)


def test_item_9_zero_needs_no_safety_screen_even_with_a_high_total() -> None:
    phq9 = (3, 3, 3, 3, 3, 3, 3, 3, 0)
    assert not assess(answers(phq9=phq9)).needs_safety_screen
    assert not selfcheck.needs_safety_screen(phq9)


@pytest.mark.parametrize(
    ("days", "risk", "guidance"),
    [
        ("0", OverdoseRisk(), "none"),
        ("1-3", OverdoseRisk(), "standard"),
        ("16+", OverdoseRisk(), "standard"),
        ("0", OverdoseRisk(ever_overdosed=True), "strong"),
        ("0", OverdoseRisk(uses_alone=True), "strong"),
        ("9-15", OverdoseRisk(opioids_or_pills=True), "strong"),
    ],
)
def test_overdose_wording_level(days: str, risk: OverdoseRisk, guidance: str) -> None:
    assert assess(answers(days_used_past_30=days, overdose=risk)).overdose_guidance == guidance


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("started_first", "yesterday"),
        ("crash_after_use", "rarely"),
        ("use_to_lift_mood", ""),
        ("low_mood_without_use", "maybe"),
        ("days_used_past_30", "30"),
    ],
)
def test_a_bad_choice_names_the_field_and_the_allowed_values(field: str, value: str) -> None:
    with pytest.raises(InvalidInput, match=rf"^{field}: .* is not one of "):
        answers(**{field: value})


def test_a_phq9_answer_out_of_range_names_the_item() -> None:
    with pytest.raises(InvalidInput, match=r"^phq9: item 4: 5 is not one of 0, 1, 2, 3$"):
        answers(phq9=(0, 0, 0, 5, 0, 0, 0, 0, 0))


def test_a_short_phq9_is_not_scored() -> None:
    with pytest.raises(InvalidInput, match=r"^phq9: expected 9 answers, got 8$"):
        answers(phq9=(0,) * 8)


def test_answers_from_mapping_round_trips_and_refuses_gaps() -> None:
    data: dict[str, object] = {
        "started_first": "same_time",
        "crash_after_use": "often",
        "use_to_lift_mood": "often",
        "low_mood_without_use": "yes",
        "days_used_past_30": "4-8",
        "phq9": [1, 1, 1, 1, 1, 1, 1, 1, 1],
        "ever_overdosed": False,
        "uses_alone": True,
        "opioids_or_pills": False,
    }
    parsed = selfcheck.answers_from_mapping(data)
    assert parsed.overdose == OverdoseRisk(uses_alone=True)
    assert assess(parsed).link == "likely"
    with pytest.raises(InvalidInput, match=r"^uses_alone: missing$"):
        selfcheck.answers_from_mapping({k: v for k, v in data.items() if k != "uses_alone"})
    with pytest.raises(InvalidInput, match=r"^name: unknown field$"):
        selfcheck.answers_from_mapping({**data, "name": "x"})
    with pytest.raises(InvalidInput, match=r"^ever_overdosed: expected true or false$"):
        selfcheck.answers_from_mapping({**data, "ever_overdosed": "yes"})


@given(
    st.sampled_from(selfcheck.FREQUENCIES),
    st.sampled_from(selfcheck.FREQUENCIES),
    st.lists(st.integers(0, 3), min_size=9, max_size=9),
    st.sampled_from(selfcheck.DAYS_USED),
    st.booleans(),
)
def test_result_invariants(crash: str, lift: str, phq9: list[int], days: str, alone: bool) -> None:
    result = assess(
        answers(
            crash_after_use=crash,
            use_to_lift_mood=lift,
            phq9=tuple(phq9),
            days_used_past_30=days,
            overdose=OverdoseRisk(uses_alone=alone),
        )
    )
    assert 0 <= result.link_sign_count <= 2
    assert result.phq9_total == sum(phq9)
    assert result.needs_safety_screen == (phq9[8] > 0)
    # Marking a risk always gives the strong wording; no use and no risk gives none.
    assert (result.overdose_guidance == "strong") == alone
    if days == "0" and not alone:
        assert result.overdose_guidance == "none"
