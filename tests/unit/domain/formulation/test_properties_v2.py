"""Hypothesis properties of tandem-default/2 (ruleset-v2.md; issue 8), over tandem.case/2
cases the checks accept:

- raising any single risk input, old or new, never lowers the level of care;
- unknown never means safe: a case with an unknown, not-asked or not-assessed answer never
  gets a lower level, or a lower overdose risk, than the same case with that answer at
  its least risky value;
- every output matches the tandem.formulation/2 schema, and every plan with a use disorder
  (any severity, not assessed, or in remission) screens urine at least twice a week.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tandem.domain.errors import InvalidCase
from tandem.domain.formulation import formulate, parse_case
from tandem.domain.formulation.decisions import LEVEL_RANK
from tandem.domain.formulation.schemas import FORMULATION_SCHEMA_V2
from tandem.rulesets import load_ruleset
from tests.unit.domain.formulation.test_properties import CSSRS_BY_TIER, TIERS, timeline

RULESET = load_ruleset("tandem-default/2")
ASSESSED_ON = date(2026, 11, 2)
VALIDATOR = Draft202012Validator(FORMULATION_SCHEMA_V2)
OVERDOSE_RANK = {"low": 0, "standard": 1, "elevated": 2}
IMPAIRMENTS = ("none", "mild", "moderate", "severe")
ENVIRONMENTS = ("supportive", "unsupportive", "unsafe")
HOMICIDAL = ("none", "ideation", "plan_or_intent")
MDD = (None, "mild", "moderate", "severe", "severe_psychotic")
Case = dict[str, Any]
unknown_or = st.none().__or__


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Valid tandem.case/2 cases, unknowns included (agreements hold by construction)."""
    since = draw(st.none() | st.integers(0, 29) | st.integers(30, 800))
    last_use = None if since is None else (ASSESSED_ON - timedelta(days=since)).isoformat()
    if since is None:
        days = draw(st.none() | st.integers(0, 30))
    elif since >= 30:
        days = draw(st.none() | st.just(0))
    else:
        days = draw(st.none() | st.integers(1, 30 - since))
    periods = draw(timeline(2005, 2023, "start"))
    for period in periods:
        period["pattern"] = draw(st.sampled_from(["regular", "binge"]))
    if periods and periods[-1]["end"] is None and last_use is not None:
        assume(last_use >= periods[-1]["start"] + "-01-01")
    instruments: dict[str, Any] = {}
    if draw(st.booleans()):
        instruments["phq9"] = draw(st.lists(st.integers(0, 3), min_size=9, max_size=9))
    if draw(st.booleans()):
        instruments["cssrs"] = CSSRS_BY_TIER[draw(st.sampled_from(TIERS))]
    criteria = draw(st.none() | st.sets(st.integers(1, 11)))
    return {
        "schema": "tandem.case/2",
        "assessed_on": ASSESSED_ON.isoformat(),
        "patient": {"age": draw(st.integers(16, 70)), "sex": draw(st.sampled_from(
            ["male", "female", "other", "unknown"])), "pregnant": draw(unknown_or(st.booleans()))},
        "stimulant": {
            "substance": draw(st.sampled_from(["cocaine", "amphetamine_type", "other_stimulant"])),
            "use_periods": periods,
            "last_use": last_use,
            "days_used_past_30": days,
            "dsm_criteria_past_12_months": None if criteria is None else sorted(criteria),
            "route": draw(st.sampled_from(["intranasal", "smoked", "injected", "oral"])),
            "uses_alone": draw(unknown_or(st.booleans())),
            "opioid_co_use": draw(unknown_or(st.booleans())),
            "overdose_past_12_months": draw(unknown_or(st.booleans())),
        },
        "depressive_episodes": draw(timeline(2000, 2025, "onset")),
        "instruments": instruments,
        "clinical": {
            "psychosis": draw(unknown_or(st.booleans())),
            "medically_unstable": draw(unknown_or(st.booleans())),
            "mania_history": draw(unknown_or(st.booleans())),
            "homicidal_ideation": draw(st.sampled_from(HOMICIDAL)),
            "mdd_severity": draw(st.sampled_from(MDD)),
            "functional_impairment": draw(st.sampled_from(IMPAIRMENTS)),
            "recovery_environment": draw(st.sampled_from(ENVIRONMENTS)),
            "prior_treatment": draw(st.lists(st.fixed_dictionaries({
                "level": st.sampled_from(["outpatient", "iop", "php", "residential"]),
                "response": st.sampled_from(["none", "partial", "full"]),
            }), max_size=2)),
        },
    }  # fmt: skip


def outcome(case: Case) -> tuple[int, int] | None:
    """(level rank, overdose rank), or None when the changed case is not valid."""
    try:
        result = formulate(parse_case(case), RULESET)
    except InvalidCase:
        return None
    return LEVEL_RANK[result.placement.level], OVERDOSE_RANK[result.risk.overdose]


def changed(case: Case, section: str, **values: Any) -> Case:
    other = copy.deepcopy(case)
    other[section].update(values)
    return other


def risk_raisers(case: Case) -> list[Callable[[Case], Case]]:
    """Every single change that raises one risk input of the case."""
    s, c = case["stimulant"], case["clinical"]
    ups: list[Callable[[Case], Case]] = []
    for name in ("uses_alone", "opioid_co_use", "overdose_past_12_months"):
        if s[name] is not True:
            ups.append(lambda k, n=name: changed(k, "stimulant", **{n: True}))
    for name in ("psychosis", "medically_unstable", "mania_history"):
        if c[name] is not True:
            ups.append(lambda k, n=name: changed(k, "clinical", **{n: True}))
    ups.append(lambda k: changed(k, "stimulant", route="injected"))
    for value in HOMICIDAL[HOMICIDAL.index(c["homicidal_ideation"]) :]:
        ups.append(lambda k, v=value: changed(k, "clinical", homicidal_ideation=v))
    for value in MDD[MDD.index(c["mdd_severity"]) :]:
        ups.append(lambda k, v=value: changed(k, "clinical", mdd_severity=v))
    for value in IMPAIRMENTS[IMPAIRMENTS.index(c["functional_impairment"]) :]:
        ups.append(lambda k, v=value: changed(k, "clinical", functional_impairment=v))
    for value in ENVIRONMENTS[ENVIRONMENTS.index(c["recovery_environment"]) :]:
        ups.append(lambda k, v=value: changed(k, "clinical", recovery_environment=v))
    for level in ("outpatient", "iop", "php", "residential"):
        failed = [*c["prior_treatment"], {"level": level, "response": "none"}]
        ups.append(lambda k, f=failed: changed(k, "clinical", prior_treatment=f))
    criteria = s["dsm_criteria_past_12_months"]
    if criteria is not None and len(criteria) < 11:
        more = sorted({*criteria, min(set(range(1, 12)) - set(criteria))})
        ups.append(lambda k, m=more: changed(k, "stimulant", dsm_criteria_past_12_months=m))
    if s["days_used_past_30"] is not None and s["days_used_past_30"] < 30:
        ups.append(lambda k: changed(k, "stimulant", days_used_past_30=s["days_used_past_30"] + 1))
    if case["patient"]["pregnant"] is not True:
        ups.append(lambda k: changed(k, "patient", pregnant=True))
    phq9 = case["instruments"].get("phq9")
    for item in range(9) if phq9 else ():
        if phq9[item] < 3:
            more9 = [a + (i == item) for i, a in enumerate(phq9)]
            ups.append(lambda k, m=more9: changed(k, "instruments", phq9=m))
    current = next((t for t, a in CSSRS_BY_TIER.items()
                    if a == case["instruments"].get("cssrs")), "none")  # fmt: skip
    for tier in TIERS[TIERS.index(current) :]:
        ups.append(lambda k, t=tier: changed(k, "instruments", cssrs=CSSRS_BY_TIER[t]))
    return ups


@settings(max_examples=120, deadline=None)
@given(cases())
def test_raising_any_single_risk_input_never_lowers_the_level(case: Case) -> None:
    base = outcome(case)
    assume(base is not None)
    assert base is not None
    for raise_one in risk_raisers(case):
        after = outcome(raise_one(case))
        if after is not None:  # a raised value the agreements refuse is not a case
            assert after[0] >= base[0]


def least_risky(case: Case) -> list[Case]:
    """For each unknown answer of the case, the same case with its least risky value."""
    s, c = case["stimulant"], case["clinical"]
    safest: list[Case] = []
    for name in ("uses_alone", "opioid_co_use", "overdose_past_12_months"):
        if s[name] is None:
            safest.append(changed(case, "stimulant", **{name: False}))
    for name in ("psychosis", "medically_unstable", "mania_history"):
        if c[name] is None:
            safest.append(changed(case, "clinical", **{name: False}))
    if case["patient"]["pregnant"] is None:
        safest.append(changed(case, "patient", pregnant=False))
    if s["dsm_criteria_past_12_months"] is None:
        safest.append(changed(case, "stimulant", dsm_criteria_past_12_months=[]))
    if s["days_used_past_30"] is None:
        since = None if s["last_use"] is None else (
            ASSESSED_ON - date.fromisoformat(s["last_use"])).days  # fmt: skip
        fewest = 0 if since is None or since >= 30 else 1
        safest.append(changed(case, "stimulant", days_used_past_30=fewest))
    if s["last_use"] is None:
        periods = s["use_periods"]
        ongoing = periods and periods[-1]["end"] is None
        oldest = f"{periods[-1]['start']}-01-01" if ongoing else "2000-01-01"
        days = s["days_used_past_30"]
        if days in (None, 0):
            safest.append(changed(case, "stimulant", last_use=oldest))
    return safest


@settings(max_examples=150, deadline=None)
@given(cases())
def test_unknown_never_means_safe(case: Case) -> None:
    unknown = outcome(case)
    assume(unknown is not None)
    assert unknown is not None
    for known in least_risky(case):
        safe = outcome(known)
        if safe is not None:
            assert unknown[0] >= safe[0], "unknown gave a lower level"
            assert unknown[1] >= safe[1], "unknown gave a lower overdose risk"


@settings(max_examples=150, deadline=None)
@given(cases())
def test_schema_and_urine_screens(case: Case) -> None:
    try:
        result = formulate(parse_case(case), RULESET)
    except InvalidCase:
        assume(False)
        return
    assert list(VALIDATOR.iter_errors(result.as_dict())) == []
    if result.use_disorder.severity != "none" or result.use_disorder.remission:
        assert any("urine drug screens at least twice a week" in m for m in result.plan.measures)
    if result.risk.suicide in ("low", "moderate", "high", "needs_assessment"):
        assert "safety_plan" in result.plan.ids
    assert all(i.evidence_level for i in result.plan.interventions)
