"""Vignettes written from ruleset-v1.md: each case with the fields worked out by hand.

Every vignette names the section it exercises (``why``); together they cover every
onset-order, episode, current-depression, code, risk and placement rule, the
boundaries (90 days, 28 days, PHQ-9 10/15/20, 13 days of use, 365 days), partial dates,
no episodes, no use periods and prescribed stimulants.
"""

from __future__ import annotations

from typing import Any

import pytest

from tandem.domain.formulation import formulate, parse_case
from tandem.domain.formulation.ruleset import RuleSet
from tests.unit.domain.formulation.conftest import vignettes

VIGNETTES = vignettes()


def _observed(result: dict[str, Any], ruleset: RuleSet) -> dict[str, Any]:
    measure_ids = {m.text: m.id for m in ruleset.measures}
    return {
        "onset_order": result["onset_order"],
        "current_depression": result["current_depression"],
        "reassess_on": result["reassess_on"],
        "classifications": [e["classification"] for e in result["episodes"]],
        "episode_rules": [e["rule"] for e in result["episodes"]],
        "criteria_count": result["use_disorder"]["criteria_count"],
        "severity": result["use_disorder"]["severity"],
        "diagnosis_codes": result["diagnosis_codes"],
        "suicide": result["risk"]["suicide"],
        "overdose": result["risk"]["overdose"],
        "actions": result["risk"]["actions"],
        "level": result["placement"]["level"],
        "placement_rule": result["placement"]["rule"],
        "within_program": result["placement"]["within_program"],
        "reasons": result["placement"]["reasons"],
        "plan": [i["id"] for i in result["plan"]["interventions"]],
        "measures": [measure_ids[m] for m in result["plan"]["measures"]],
        "rules": [line.split(":")[0] for line in result["rationale"]],
    }


def test_there_are_enough_vignettes() -> None:
    assert len(VIGNETTES) >= 40
    assert len({v["name"] for v in VIGNETTES}) == len(VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v["name"])
def test_vignette(vignette: dict[str, Any], ruleset: RuleSet) -> None:
    result = formulate(parse_case(vignette["case"]), ruleset).as_dict()
    observed = _observed(result, ruleset)
    for key, expected in vignette["expect"].items():
        if key == "rules_include":
            assert set(expected) <= set(observed["rules"]), observed["rules"]
        elif key == "measures_include":
            assert set(expected) <= set(observed["measures"]), observed["measures"]
        elif key == "measures_exclude":
            assert not set(expected) & set(observed["measures"]), observed["measures"]
        else:
            assert observed[key] == expected, f"{key}: {vignette['why']}"


def test_every_placement_and_episode_rule_is_exercised(ruleset: RuleSet) -> None:
    fired: set[str] = set()
    for vignette in VIGNETTES:
        result = formulate(parse_case(vignette["case"]), ruleset).as_dict()
        fired.update(line.split(":")[0] for line in result["rationale"])
    coded = {rule.id for rule in ruleset.rules} - {"RS5"}  # RS5 is an action, not a line
    placement = {rule.id for rule in ruleset.placement}
    interventions = {rule.id for rule in ruleset.interventions}
    expected = coded | placement | interventions
    assert expected <= fired, sorted(expected - fired)
