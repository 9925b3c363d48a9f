"""The rule-set file is data the engine reads: checked on load, and changing it changes results."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tandem.domain.errors import InvalidRuleSet
from tandem.domain.formulation import Formulation, formulate, parse_case, parse_ruleset
from tandem.domain.formulation.ruleset import CODED_RULES
from tandem.rulesets import RULESETS, load_ruleset, read_document
from tests.unit.domain.formulation.conftest import spec_example

Doc = dict[str, Any]


def _default() -> Doc:
    return copy.deepcopy(read_document(RULESETS["tandem-default/1"]))


def test_the_default_rule_set_loads_and_describes_every_coded_rule() -> None:
    ruleset = load_ruleset("tandem-default/1")
    assert ruleset.id == "tandem-default/1"
    assert {rule.id for rule in ruleset.rules} >= set(CODED_RULES)
    assert [rule.id for rule in ruleset.placement] == ["P1", "P2", "P3", "P4", "P5"]
    assert all(t.source for t in ruleset.thresholds.values())


def test_placement_thresholds_and_plan_triggers_are_marked_as_program_choices() -> None:
    thresholds = load_ruleset("tandem-default/1").thresholds
    for name in ("heavy_use_days", "phq9_iop", "phq9_php", "abstinence_days", "onset_order_days"):
        assert thresholds[name].program_choice, name
    assert not thresholds["severity_severe"].program_choice  # DSM-5-TR (facts.md s3.1)


def test_a_program_threshold_change_changes_the_placement() -> None:
    document = _default()
    document["thresholds"]["heavy_use_days"]["value"] = 12
    ruleset = parse_ruleset(document)
    case = spec_example()
    case["clinical"]["prior_treatment"] = []
    assert formulate(parse_case(case), load_ruleset("tandem-default/1")).placement.level == "iop"
    result = formulate(parse_case(case), ruleset).placement
    assert (result.level, result.rule) == ("php", "P3")
    assert result.reasons == ("the use disorder is severe with use on 12 of the past 30 days",)


def test_abstinence_days_is_read_from_the_file() -> None:
    document = _default()
    document["thresholds"]["abstinence_days"]["value"] = 14
    case = spec_example()
    case["depressive_episodes"] = [{"onset": "2022-01", "end": None}]
    formulation = formulate(parse_case(case), parse_ruleset(document))
    assert formulation.reassess_on is not None
    assert formulation.reassess_on.isoformat() == "2026-11-13"


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        target: Any = doc
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


BROKEN = [
    (_set("schema", "x"), r"\$\.schema"),
    (_set("thresholds.phq9_php.value", "20"), r"\$\.thresholds\.phq9_php\.value"),
    (_set("thresholds.phq9_php.program_choice", None), r"program_choice"),
    (lambda d: d["thresholds"].pop("abstinence_days"), r"missing abstinence_days"),
    (lambda d: d["rules"].pop(0), r"\$\.rules: missing O1"),
    (_set("placement.0.when_any.0.all.0.fact", "mood"), r"unknown fact mood"),
    (_set("placement.0.when_any.0.all.0", {"fact": "psychosis", "in": ["x"]}), r"does not fit"),
    (_set("placement.2.when_any.1.all.0.at_least", "phq9_huge"), r"does not fit"),
    (_set("placement.1.level", "hospital"), r"hospital is not one of"),
    (_set("placement.4.when_any.0.all", [{"fact": "psychosis", "is": True}]), r"always match"),
    (_set("placement.0.when_any.0.reason", "risk {mood}"), r"unknown placeholder mood"),
    (_set("interventions.0.targets", ["money"]), r"targets from"),
    (_set("interventions.0.frequency", "on {tomorrow}"), r"unknown placeholder tomorrow"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_a_broken_rule_set_is_refused_with_its_place(
    change: Callable[[Doc], Any], message: str
) -> None:
    document = _default()
    change(document)
    with pytest.raises(InvalidRuleSet, match=message):
        parse_ruleset(document)


def test_the_generated_page_lists_every_threshold_rule_and_program_choice() -> None:
    from tandem.docs_gen.ruleset import render

    page = render()
    ruleset = load_ruleset("tandem-default/1")
    for threshold in ruleset.thresholds.values():
        choice = "**yes**" if threshold.program_choice else "no"
        assert f"| `{threshold.name}` | {threshold.value} |" in page
        assert page.split(f"| `{threshold.name}` |")[1].split("\n")[0].endswith(f"| {choice} |")
    for rule in (*ruleset.rules, *ruleset.placement, *ruleset.interventions):
        assert rule.id in page
    assert ruleset.notice in page


# PCL-5: one program setting, 31-33, drives both scores.pcl5.positive and trauma care
# (instruments.md, pcl5 row; ruleset-v1.md s9).
PCL5_TOTAL_32 = [2] * 16 + [0] * 4  # total 32: positive at 31 or 32, negative at 33


def _with_pcl5_cutoff(value: int) -> Doc:
    document = _default()
    document["thresholds"]["pcl5_cutoff"]["value"] = value
    return document


def _trauma_care(formulation: Formulation) -> set[str]:
    return {i.id for i in formulation.plan.interventions} & {"emdr", "somatic_experiencing"}


def test_the_rule_sets_pcl5_cutoff_drives_both_the_score_and_trauma_care() -> None:
    case = spec_example()
    case["instruments"]["pcl5"] = PCL5_TOTAL_32
    at_31 = formulate(parse_case(case), parse_ruleset(_with_pcl5_cutoff(31)))
    assert at_31.scores["pcl5"].total == 32
    assert at_31.scores["pcl5"].positive is True
    assert _trauma_care(at_31) == {"emdr", "somatic_experiencing"}
    assert at_31.as_dict()["scores"]["pcl5"]["positive"] is True
    emdr = next(i for i in at_31.plan.interventions if i.id == "emdr")
    assert "cut-off 31" in emdr.reason
    at_33 = formulate(parse_case(case), load_ruleset("tandem-default/1"))
    assert at_33.scores["pcl5"].positive is False
    assert _trauma_care(at_33) == set()


def test_the_default_pcl5_cutoff_is_the_scorers_default() -> None:
    from tandem.domain.instruments import PCL5_DEFAULT_CUTOFF

    assert load_ruleset("tandem-default/1").value("pcl5_cutoff") == PCL5_DEFAULT_CUTOFF == 33


@pytest.mark.parametrize("value", [30, 34, 0, 80])
def test_a_pcl5_cutoff_outside_31_to_33_is_refused(value: int) -> None:
    with pytest.raises(InvalidRuleSet) as error:
        parse_ruleset(_with_pcl5_cutoff(value))
    assert str(error.value) == (
        f"$.thresholds.pcl5_cutoff.value: {value} is outside the program setting's range "
        "31-33 (instruments.md; facts.md s2.5)"
    )


def test_a_rule_set_without_the_pcl5_cutoff_is_refused() -> None:
    document = _default()
    del document["thresholds"]["pcl5_cutoff"]
    with pytest.raises(InvalidRuleSet, match=r"\$\.thresholds: missing pcl5_cutoff"):
        parse_ruleset(document)
