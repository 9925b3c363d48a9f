"""Hypothesis properties of the formulation (ruleset-v1.md s7-s9; issue 3).

- Raising any single risk input (suicide tier, a PHQ-9 answer, days of use, functional
  impairment, a worse recovery environment, an earlier level that failed) never lowers
  the level of care.
- Current use never lowers the level of care nor leaves a person without a level.
- Suicide risk low, moderate, high or needs_assessment always puts safety_plan in the plan.
- Codes never hold both F1x.24 and F1x.20; every output matches the formulation schema.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tandem.domain.formulation import FORMULATION_SCHEMA, formulate, parse_case
from tandem.rulesets import load_ruleset

RULESET = load_ruleset("tandem-default/1")
ASSESSED_ON = date(2026, 11, 2)
LEVEL_ORDER = ("outpatient", "iop", "php", "residential_referral", "emergency")
CSSRS_BY_TIER = {
    "none": [0, 0, "-", "-", "-", 0],
    "low": [1, 0, "-", "-", "-", 0],
    "moderate": [1, 1, 1, 0, 0, 0],
    "high": [1, 1, 1, 1, 0, 0],
}
TIERS = tuple(CSSRS_BY_TIER)
IMPAIRMENTS = ("none", "mild", "moderate", "severe")
ENVIRONMENTS = ("supportive", "unsupportive", "unsafe")
VALIDATOR = Draft202012Validator(FORMULATION_SCHEMA)

Case = dict[str, Any]


@st.composite
def timeline(draw: st.DrawFn, first: int, last: int, key: str) -> list[dict[str, Any]]:
    """Up to three items, oldest first, on whole years (so ordering holds)."""
    years = sorted(draw(st.sets(st.integers(first, last), max_size=6)))
    items = [{key: str(a), "end": str(b)} for a, b in zip(years[::2], years[1::2], strict=False)]
    if items and draw(st.booleans()):
        items[-1]["end"] = None
    return items[:3]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Valid intake cases: every agreement of ruleset-v1.md s1 holds by construction."""
    since = draw(st.none() | st.integers(0, 29) | st.integers(30, 800))  # recent use often
    last_use = None if since is None else (ASSESSED_ON - timedelta(days=since)).isoformat()
    days = 0 if since is None or since >= 30 else draw(st.integers(1, 30 - since))
    instruments: dict[str, Any] = {}
    if draw(st.booleans()):
        instruments["phq9"] = draw(st.lists(st.integers(0, 3), min_size=9, max_size=9))
    if draw(st.booleans()):
        instruments["cssrs"] = CSSRS_BY_TIER[draw(st.sampled_from(TIERS))]
    prior = draw(st.lists(st.fixed_dictionaries({
        "level": st.sampled_from(["outpatient", "iop", "php", "residential"]),
        "response": st.sampled_from(["none", "partial", "full"]),
    }), max_size=2))  # fmt: skip
    return {
        "schema": "tandem.case/1",
        "assessed_on": ASSESSED_ON.isoformat(),
        "stimulant": {
            "substance": draw(st.sampled_from(["cocaine", "amphetamine_type", "other_stimulant"])),
            "use_periods": draw(timeline(2005, 2023, "start")),
            "last_use": last_use,
            "days_used_past_30": days,
            "dsm_criteria_past_12_months": sorted(draw(st.sets(st.integers(1, 11)))),
            "prescribed_under_supervision": draw(st.booleans()),
            "uses_alone": draw(st.booleans()),
        },
        "depressive_episodes": draw(timeline(2000, 2025, "onset")),
        "instruments": instruments,
        "clinical": {
            "psychosis": draw(st.booleans()) and draw(st.booleans()),
            "emotion_dysregulation": draw(st.booleans()),
            "functional_impairment": draw(st.sampled_from(IMPAIRMENTS)),
            "recovery_environment": draw(st.sampled_from(ENVIRONMENTS)),
            "prior_treatment": prior,
        },
    }


def rank(case: Case) -> int:
    return LEVEL_ORDER.index(formulate(parse_case(case), RULESET).placement.level)


def raised(case: Case, change: Any) -> Case:
    higher = copy.deepcopy(case)
    change(higher)
    return higher


@settings(max_examples=150, deadline=None)
@given(cases(), st.data())
def test_raising_a_risk_input_never_lowers_the_level(case: Case, data: st.DataObject) -> None:
    base = rank(case)
    clinical, stimulant = case["clinical"], case["stimulant"]
    higher_tier = data.draw(st.sampled_from(TIERS))
    current_tier = next((t for t, a in CSSRS_BY_TIER.items()
                         if a == case["instruments"].get("cssrs")), None)  # fmt: skip
    if current_tier is not None and TIERS.index(higher_tier) >= TIERS.index(current_tier):
        assert (
            rank(raised(case, lambda c: c["instruments"].update(cssrs=CSSRS_BY_TIER[higher_tier])))
            >= base
        )
    if "phq9" in case["instruments"]:
        item = data.draw(st.integers(0, 8))
        if case["instruments"]["phq9"][item] < 3:

            def more_phq9(c: Case) -> None:
                c["instruments"]["phq9"][item] += 1

            assert rank(raised(case, more_phq9)) >= base
    since = None if stimulant["last_use"] is None else (
        ASSESSED_ON - date.fromisoformat(stimulant["last_use"])).days  # fmt: skip
    if since is not None and since < 30 and stimulant["days_used_past_30"] < 30 - since:
        assert rank(raised(case, lambda c: c["stimulant"].update(
            days_used_past_30=stimulant["days_used_past_30"] + 1))) >= base  # fmt: skip
    worse = IMPAIRMENTS[IMPAIRMENTS.index(clinical["functional_impairment"]) :]
    for level in worse:
        assert (
            rank(raised(case, lambda c, v=level: c["clinical"].update(functional_impairment=v)))
            >= base
        )
    for environment in ENVIRONMENTS[ENVIRONMENTS.index(clinical["recovery_environment"]) :]:
        assert rank(raised(case, lambda c, v=environment: c["clinical"].update(
            recovery_environment=v))) >= base  # fmt: skip
    failed = data.draw(st.sampled_from(["outpatient", "iop", "php", "residential"]))
    assert rank(raised(case, lambda c: c["clinical"]["prior_treatment"].append(
        {"level": failed, "response": "none"}))) >= base  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(cases())
def test_current_use_never_lowers_care_or_leaves_no_level(case: Case) -> None:
    result = formulate(parse_case(case), RULESET)
    assert result.placement.level in LEVEL_ORDER
    assert result.plan.measures, "every plan measures something"
    if case["stimulant"]["days_used_past_30"] > 0:
        without_use = raised(
            case, lambda c: c["stimulant"].update(days_used_past_30=0, last_use=None)
        )
        assert rank(case) >= rank(without_use)
        if result.use_disorder.severity != "none":
            assert {"cbt_use", "contingency_management"} <= set(result.plan.ids)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_safety_plan_codes_and_schema(case: Case) -> None:
    result = formulate(parse_case(case), RULESET)
    if result.risk.suicide in ("low", "moderate", "high", "needs_assessment"):
        assert "safety_plan" in result.plan.ids
    codes = set(result.diagnosis_codes)
    for block in ("F14", "F15"):
        assert not {f"{block}.24", f"{block}.20"} <= codes
    assert not any(code.endswith((".14", ".24", ".94")) for code in codes) or len(codes) == 1
    assert list(VALIDATOR.iter_errors(result.as_dict())) == []
