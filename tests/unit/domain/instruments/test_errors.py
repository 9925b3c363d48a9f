"""Bad answers raise a named error with the exact message; nothing is guessed."""

from __future__ import annotations

import pytest

from tandem.domain.errors import (
    InvalidAnswer,
    InvalidOption,
    NotScorable,
    UnknownInstrument,
    WrongAnswerCount,
)
from tandem.domain.instruments import score

Answers = list[int | str | None]


@pytest.mark.parametrize(
    ("instrument", "answers", "message"),
    [
        ("phq9", [1, 2, 4, 3, 1, 0, 2, 0, 1], "phq9: item 3: 4 is not one of 0, 1, 2, 3"),
        ("phq9", [1, 2, 0, 3, 1, 0, 2, 0, -1], "phq9: item 9: -1 is not one of 0, 1, 2, 3"),
        ("phq9", [1, 2, 0, "x", 1, 0, 2, 0, 1], "phq9: item 4: x is not one of 0, 1, 2, 3"),
        ("phq9", [1, 2, 0, "", 1, 0, 2, 0, 1], "phq9: item 4: (empty) is not one of 0, 1, 2, 3"),
        ("phq9", [1, "-", 0, 3, 1, 0, 2, 0, 1], "phq9: item 2: - is not one of 0, 1, 2, 3"),
        ("phq9", [1, None, 0, 3, 1, 0, 2, 0, 1], "phq9: item 2: - is not one of 0, 1, 2, 3"),
        ("phq9", [1, 2, 0, 3, 1, 0, 2, 0, 1, 4], "phq9: item 10: 4 is not one of 0, 1, 2, 3"),
        ("gad7", [True, 0, 0, 0, 0, 0, 0], "gad7: item 1: True is not one of 0, 1, 2, 3"),
        ("pcl5", [0] * 19 + [5], "pcl5: item 20: 5 is not one of 0, 1, 2, 3, 4"),
        ("dast10", [0, 0, 2, 0, 0, 0, 0, 0, 0, 0], "dast10: item 3: 2 is not one of 0, 1"),
        (
            "cssrs",
            [1, 1, "-", 0, 0, 0],
            "cssrs: item 3: - is not one of 0, 1 (a skip is allowed only when item 2 is 0)",
        ),
        (
            "cssrs",
            [1, 0, 1, "-", "-", 0],
            "cssrs: item 3: 1 is not one of -, 0 (item 2 is 0, so item 3 is skipped)",
        ),
        ("cssrs", [0, 0, "-", "-", "-", 3], "cssrs: item 6: 3 is not one of 0, 1, 2"),
        (
            "assist",
            [0, 1, 0, 0, 0, 0],
            "assist: item 2: 1 is not one of -, 0 (item 1 is 0, so item 2 is skipped)",
        ),
        ("assist", [1, 0, 0, 0, 0, 3], "assist: item 6: 3 is not one of 0, 1, 2"),
    ],
)
def test_invalid_answer_names_the_item_and_the_allowed_values(
    instrument: str, answers: Answers, message: str
) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        score(instrument, answers, sex="male")
    assert str(caught.value) == message


def test_auditc_gated_items_must_be_skipped_when_item_1_is_never() -> None:
    with pytest.raises(InvalidAnswer) as caught:
        score("auditc", [0, 2, "-"], sex="female")
    assert (
        str(caught.value)
        == "auditc: item 2: 2 is not one of -, 0 (item 1 is 0, so item 2 is skipped)"
    )


def test_auditc_gated_items_are_required_when_item_1_is_not_never() -> None:
    with pytest.raises(InvalidAnswer, match=r"^auditc: item 3: - is not one of 0, 1, 2, 3, 4"):
        score("auditc", [1, 1, "-"], sex="female")


@pytest.mark.parametrize(
    ("instrument", "count", "message"),
    [
        ("phq9", 8, "phq9: expected 9 answers (10 with the difficulty item), got 8"),
        ("phq9", 11, "phq9: expected 9 answers (10 with the difficulty item), got 11"),
        ("gad7", 0, "gad7: expected 7 answers (8 with the difficulty item), got 0"),
        ("phq2", 3, "phq2: expected 2 answers, got 3"),
        ("pcl5", 19, "pcl5: expected 20 answers, got 19"),
    ],
)
def test_wrong_count(instrument: str, count: int, message: str) -> None:
    with pytest.raises(WrongAnswerCount) as caught:
        score(instrument, [0] * count)
    assert str(caught.value) == message


def test_the_errors_are_not_scorable() -> None:
    assert issubclass(WrongAnswerCount, NotScorable)
    assert issubclass(InvalidAnswer, NotScorable)


@pytest.mark.parametrize(
    ("instrument", "options", "message"),
    [
        ("auditc", {}, "auditc: sex is required: one of male, female"),
        ("auditc", {"sex": "other"}, "auditc: sex: other is not one of male, female"),
        (
            "sds",
            {"substance": "heroin"},
            "sds: substance: heroin is not one of cocaine, amphetamine",
        ),
        (
            "assist",
            {"substance": "tobacco"},
            "assist: substance: tobacco is not one of cocaine, amphetamine, alcohol",
        ),
    ],
)
def test_invalid_option(instrument: str, options: dict[str, str], message: str) -> None:
    answers = [1] * {"auditc": 3, "sds": 5, "assist": 6}[instrument]
    with pytest.raises(InvalidOption) as caught:
        score(instrument, answers, **options)
    assert str(caught.value) == message


def test_an_option_the_instrument_does_not_use_is_ignored() -> None:
    assert score("phq9", [0] * 9, sex="female", substance="alcohol").total == 0


def test_unknown_instrument() -> None:
    with pytest.raises(UnknownInstrument, match=r"^phq10: unknown instrument; one of phq9, "):
        score("phq10", [0] * 9)


def test_whitespace_around_a_text_answer_is_ignored() -> None:
    assert score("phq2", [" 3", "2 "]).total == 5
