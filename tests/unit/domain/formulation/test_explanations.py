"""Plain-language explanations: every finding, both audiences, honest about what they are."""

from __future__ import annotations

import re

import pytest

from tandem.domain.errors import InvalidInput
from tandem.domain.formulation.explanations import FINDINGS, explain
from tandem.domain.formulation.facts import CURRENT_DEPRESSION

ONSET_ORDERS = ("no_depression", "undetermined", "depression_first", "use_first", "tangled")


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s])


def test_every_onset_order_and_current_depression_is_explained() -> None:
    assert set(FINDINGS) == set(ONSET_ORDERS) | set(CURRENT_DEPRESSION)


@pytest.mark.parametrize("finding", FINDINGS)
def test_clinician_text_is_short_and_says_it_is_to_be_confirmed(finding: str) -> None:
    text = explain(finding, "clinician")
    assert 2 <= _sentences(text) <= 3
    assert re.search(r"not a (diagnosis|screen)|[Pp]rovisional|confirm", text)


@pytest.mark.parametrize("finding", FINDINGS)
def test_patient_text_is_gentle_and_says_it_is_not_a_diagnosis(finding: str) -> None:
    text = explain(finding, "patient")
    assert "not a diagnosis" in text
    assert not re.search(r"DSM|ICD|F1\d|substance-induced|criterion|\d+ days", text)
    assert text != explain(finding, "clinician")


def test_provisional_patient_text_says_help_does_not_wait_for_abstinence() -> None:
    assert "you do not have to stop using to get help" in explain(
        "substance_induced_provisional", "patient"
    )


@pytest.mark.parametrize(("finding", "audience"), [("bipolar", "patient"), ("tangled", "family")])
def test_unknown_finding_or_audience_is_refused(finding: str, audience: str) -> None:
    with pytest.raises(InvalidInput, match="is not one of"):
        explain(finding, audience)  # type: ignore[arg-type]  # the point: not allowed
