"""Every decision the self-check can make has words, and the form's choices are exactly
the domain's (self-check.md; no database needed)."""

from __future__ import annotations

import itertools

import pytest

from tandem.domain import selfcheck
from tandem.domain.instruments import get
from tandem.domain.selfcheck import OverdoseRisk, SelfCheckAnswers, assess
from tandem.web.selfcheck import forms, wording


@pytest.mark.parametrize(
    ("choices", "domain"),
    [
        (forms.STARTED_FIRST, selfcheck.STARTED_FIRST),
        (forms.FREQUENCY, selfcheck.FREQUENCIES),
        (forms.MOOD_WITHOUT_USE, selfcheck.MOOD_WITHOUT_USE),
        (forms.DAYS_USED, selfcheck.DAYS_USED),
    ],
)
def test_form_choices_are_the_domain_values(
    choices: list[tuple[str, str]], domain: tuple[str, ...]
) -> None:
    assert tuple(value for value, _ in choices) == domain


def test_every_phq9_band_has_words_and_its_range() -> None:
    assert set(wording.BAND_WORDS) == set(get("phq9").band_keys) == set(wording.BAND_RANGES)


def test_every_result_has_its_sentences() -> None:
    for start, crash, lift in itertools.product(
        selfcheck.STARTED_FIRST, selfcheck.FREQUENCIES, selfcheck.FREQUENCIES
    ):
        answers = SelfCheckAnswers(
            started_first=start, crash_after_use=crash, use_to_lift_mood=lift,
            low_mood_without_use="no", days_used_past_30="0", phq9=(0,) * 9,
            overdose=OverdoseRisk(),
        )  # fmt: skip
        text = wording.result_text(assess(answers))
        assert text.pattern_title
        assert all(text.pattern_sentences)
        assert len(text.signs) == assess(answers).link_sign_count


def test_the_phq9_form_has_the_nine_scored_items_in_order() -> None:
    form = forms.Phq9Form(instrument=get("phq9"))
    assert list(form.fields) == [f"item_{n}" for n in range(1, 10)]
    assert form.fields["item_9"].label.startswith("9. Thoughts that you would be better off dead")
