"""Every id the domain and the packaged rule sets emit has a human label
(tandem.domain.labels), and clinical text loses its citations."""

from __future__ import annotations

import json
from dataclasses import fields
from importlib import resources

import pytest

from tandem.domain import labels
from tandem.domain.formulation import facts, ruleset
from tandem.domain.formulation.timeline import INDEPENDENT, ORDER_UNCLEAR
from tandem.domain.monitoring.alerts import KINDS as ALERT_KINDS
from tandem.domain.monitoring.incentives import EscalatingSchedule, LedgerNote, PrizeSchedule


def _ruleset(name: str) -> dict:
    text = resources.files("tandem.rulesets").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


RULESETS = [_ruleset("tandem-default-1.json"), _ruleset("tandem-default-2.json")]


def _is_labelled(kind: str, value: str) -> bool:
    return value in labels.KINDS[kind]


@pytest.mark.parametrize("document", RULESETS, ids=["v1", "v2"])
def test_every_rule_set_id_has_a_label(document: dict) -> None:
    for item in document["interventions"]:
        assert _is_labelled("intervention", item["id"]), item["id"]
        if "evidence_level" in item:
            assert _is_labelled("evidence_level", item["evidence_level"])
    for rule in document["placement"]:
        assert _is_labelled("placement_rule", rule["id"]), rule["id"]
        assert _is_labelled("level", rule["level"]), rule["level"]
    for level in document["frequency_by_level"]:
        assert _is_labelled("level", level)
    for rule in document["rules"]:
        assert labels.rule_label(rule["id"]) != "Rule set finding", rule["id"]
    for flag in document.get("review_flags", []):
        assert _is_labelled("review_flag", flag["id"]), flag["id"]


def test_every_domain_value_has_a_label() -> None:
    for value in facts.SUICIDE_RISKS:
        assert _is_labelled("suicide_risk", value)
    for value in facts.OVERDOSE_RISKS:
        assert _is_labelled("overdose_risk", value)
    for value in facts.SEVERITIES:
        assert _is_labelled("severity", value)
    for value in facts.CURRENT_DEPRESSION:
        assert _is_labelled("current_depression", value)
    for value in facts.INTERVENTION_IDS:
        assert _is_labelled("intervention", value)
    for value in ruleset.EVIDENCE_LEVELS:
        assert _is_labelled("evidence_level", value)
    for value in (*INDEPENDENT, ORDER_UNCLEAR, "substance_induced"):
        assert _is_labelled("episode_classification", value)
    for kind in ALERT_KINDS:
        assert _is_labelled("alert_kind", kind.name)
        assert _is_labelled("alert_severity", kind.severity)
    assert labels.label("level", "adolescent_referral") == "Referral to an adolescent program"
    assert labels.label("severity", "not_assessed") == "Not assessed"


def test_an_unknown_id_reads_as_words_never_snake_case() -> None:
    assert labels.label("intervention", "some_new_thing") == "some new thing"
    assert labels.label("level", None) == ""
    assert labels.rule_label("P1") == "Emergency rule"
    assert labels.rule_label("RS6") == "Suicide risk"
    assert labels.yes_no(False) == "no"
    assert labels.yes_no(None) == "not recorded"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Naloxone for all (facts.md s8.1).", "Naloxone for all."),
        (
            "the PCL-5 is a screen (facts.md s2.5); with a score",
            "the PCL-5 is a screen; with a score",
        ),
        ("Not rated. Not summarised in facts.md.", "Not rated."),
        ("a past episode (facts.md s12.2, DSM-5-TR)", "a past episode"),
    ],
)
def test_clinical_text_drops_citations_and_developer_notes(raw: str, clean: str) -> None:
    assert labels.clinical_text(raw) == clean


def test_every_incentive_option_has_clinic_words_and_a_source() -> None:
    """Each option of both schedules (monitoring.md s7) is labelled on the settings page
    with its default and where the default comes from."""
    names = {f.name for f in fields(EscalatingSchedule)}
    names |= {f.name for f in fields(PrizeSchedule)} - {"seed"}
    assert set(labels.CM_OPTIONS) == names
    for words, default in labels.CM_OPTIONS.values():
        assert words
        assert default
        assert "_" not in words
    assert set(labels.CM_NOTES) == {n.value for n in LedgerNote} | {"outside_window"}
