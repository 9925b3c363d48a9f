"""Golden vignettes for ruleset-v2.md: one or more per row, each worked by hand.

Every case starts from ``BASE`` (a tandem.case/2 case with every safety question
answered and nothing alarming: 3 criteria met (mild), use on 12 of the past 30 days,
last use 2026-10-30, an ongoing regular use period since 2021-03, no depression) and
changes one thing. BASE itself gives outpatient care (P5): mild use and nothing else.
Issue 8's finding numbers are given where a vignette reproduces one.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tandem.domain.errors import InvalidCase
from tandem.domain.formulation import formulate, parse_case
from tandem.domain.formulation.schemas import FORMULATION_SCHEMA_V2
from tandem.rulesets import load_ruleset

RULESET = load_ruleset("tandem-default/2")
VALIDATOR = Draft202012Validator(FORMULATION_SCHEMA_V2)
BASE: dict[str, Any] = {
    "schema": "tandem.case/2",
    "assessed_on": "2026-11-02",
    "patient": {"age": 34, "sex": "female", "pregnant": False},
    "stimulant": {
        "substance": "cocaine",
        "use_periods": [{"start": "2021-03", "end": None}],
        "last_use": "2026-10-30",
        "days_used_past_30": 12,
        "dsm_criteria_past_12_months": [1, 2, 3],
        "uses_alone": False,
        "opioid_co_use": False,
        "overdose_past_12_months": False,
    },
    "clinical": {"psychosis": False, "medically_unstable": False, "mania_history": False},
}
PHQ9_ITEM9_3 = [1, 1, 1, 1, 0, 0, 0, 0, 3]  # total 7, item 9 = 3
CSSRS_NONE = [0, 0, "-", "-", "-", 0]
PCL5_PROVISIONAL_32 = [2] * 5 + [2] * 2 + [2] * 7 + [2, 2, 0, 0, 0, 0]  # B5 C2 D7 E2, total 32


def case(**changes: Any) -> dict[str, Any]:
    """BASE with ``section__field=value`` changes (``__`` separates the levels)."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        if value is DROP:
            target.pop(last, None)
        else:
            target[last] = value
    return data


DROP = object()


def run(data: dict[str, Any]) -> dict[str, Any]:
    out = formulate(parse_case(data), RULESET).as_dict()
    assert list(VALIDATOR.iter_errors(out)) == []
    return out


def plan(out: dict[str, Any]) -> list[str]:
    return [i["id"] for i in out["plan"]["interventions"]]


def flags(out: dict[str, Any]) -> list[str]:
    return [f["id"] for f in out["placement"]["review_flags"]]


def test_base_case_is_outpatient_with_no_review_flags() -> None:
    """3 criteria: mild (U1). No PHQ-9, C-SSRS: suicide not_screened; no rule above P5
    holds (mild, no risk factor). Overdose: use on 12 days -> standard (RO3)."""
    out = run(case())
    assert (out["placement"]["level"], out["placement"]["rule"]) == ("outpatient", "P5")
    assert flags(out) == []
    assert out["risk"]["overdose"] == "standard"
    assert out["use_disorder"] == {
        "substance": "cocaine", "criteria_count": 3, "severity": "mild", "remission": None,
    }  # fmt: skip


# --- s1: the case ------------------------------------------------------------------------


def test_unknown_days_used_and_last_use_are_possible_current_use() -> None:
    """Finding 3. days_used_past_30 and last_use absent (unknown) while the 2021-03 period
    is ongoing: use in the past 30 days is possible (s1). No risk factor; last use
    unknown -> standard with RO4 (not v1's 'low'); overdose_prevention and CM in the
    plan; flag last_use_unknown."""
    out = run(case(stimulant__days_used_past_30=DROP, stimulant__last_use=DROP))
    assert out["risk"]["overdose"] == "standard"
    assert "RO4" in out["risk"]["rules"]
    assert {"overdose_prevention", "contingency_management"} <= set(plan(out))
    assert "last_use_unknown" in flags(out)


def test_criteria_not_assessed_are_not_no_disorder() -> None:
    """Finding 8. Criteria absent (null): severity not_assessed (U2), no use-disorder code;
    cbt_use, relapse_prevention, CM (possible use in 12 months) and use_disorder_assessment;
    P4 iop: not assessed with possible use in the past 30 days (use on 12 days)."""
    out = run(case(stimulant__dsm_criteria_past_12_months=DROP))
    assert out["use_disorder"]["severity"] == "not_assessed"
    assert out["use_disorder"]["criteria_count"] is None
    assert out["diagnosis_codes"] == []
    assert {"cbt_use", "relapse_prevention", "contingency_management"} <= set(plan(out))
    assert "use_disorder_assessment" in plan(out)
    assert (out["placement"]["level"], out["placement"]["rule"]) == ("iop", "P4")
    assert "criteria_not_assessed" in flags(out)


def test_empty_criteria_mean_assessed_none_met() -> None:
    """[] = assessed, none met: severity none, no use-disorder intervention (v1's meaning)."""
    out = run(case(stimulant__dsm_criteria_past_12_months=[]))
    assert out["use_disorder"]["severity"] == "none"
    assert not {"cbt_use", "contingency_management", "use_disorder_assessment"} & set(plan(out))


def test_a_binge_period_is_a_use_period() -> None:
    """Finding 9. A monthly binge pattern since 2019 (ongoing) is a use period: a depression
    beginning 2022-06 falls inside it (E4, provisional), not 'in abstinence'."""
    data = case(
        stimulant__use_periods=[{"start": "2019", "end": None, "pattern": "binge"}],
        stimulant__last_use="2026-10-10",
        stimulant__days_used_past_30=2,
        depressive_episodes=[{"onset": "2022-06", "end": None}],
    )
    out = run(data)
    assert out["episodes"][0]["classification"] == "substance_induced_provisional"
    assert "contingency_management" in plan(out)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "stimulant__remission": {"specifier": "sustained", "severity": "moderate"},
                "stimulant__dsm_criteria_past_12_months": [4, 6],
                "stimulant__days_used_past_30": 0,
                "stimulant__last_use": "2025-01-10",
                "stimulant__use_periods": [{"start": "2021-03", "end": "2024-12"}],
            },
            "$.stimulant.remission: sustained remission means no criterion but craving",
        ),
        (
            {"stimulant__remission": {"specifier": "early", "severity": "mild"}},
            "$.stimulant.remission: remission disagrees with days_used_past_30 12",
        ),
    ],
)
def test_remission_consistency_checks_name_the_path(changes: dict[str, Any], message: str) -> None:
    """s1: sustained remission with a criterion other than craving (4) in 12 months; remission
    with use in the past 30 days. Both refused at $.stimulant.remission."""
    with pytest.raises(InvalidCase) as caught:
        parse_case(case(**changes))
    assert str(caught.value).startswith(message)


def test_sustained_remission_with_craving_only_is_accepted() -> None:
    """Craving (4) may persist in sustained remission (facts.md s3.1)."""
    data = case(
        stimulant__remission={"specifier": "sustained", "severity": "moderate"},
        stimulant__dsm_criteria_past_12_months=[4],
        stimulant__days_used_past_30=0,
        stimulant__last_use="2025-01-10",
        stimulant__use_periods=[{"start": "2021-03", "end": "2024-12"}],
    )
    out = run(data)
    assert out["diagnosis_codes"] == ["F14.21"]
    assert out["use_disorder"]["remission"] == "sustained"


def test_not_asked_overdose_questions_are_flagged_while_use_is_possible() -> None:
    """s3: uses_alone not asked (null) with use on 12 days: flag overdose_factors_not_asked;
    the risk stays standard (not elevated: unknown is flagged, not guessed)."""
    out = run(case(stimulant__uses_alone=DROP))
    assert "overdose_factors_not_asked" in flags(out)
    assert out["risk"]["overdose"] == "standard"


def test_not_asked_overdose_questions_with_no_use_in_a_year_are_not_flagged() -> None:
    """No use in 12 months (known): days 0, last use 2025-05-01 (before 2025-11-03), the
    period ended 2025-04. Not asked, but no possible use in 12 months: no flag."""
    data = case(
        stimulant__uses_alone=DROP,
        stimulant__days_used_past_30=0,
        stimulant__last_use="2025-05-01",
        stimulant__use_periods=[{"start": "2021-03", "end": "2025-04"}],
    )
    assert "overdose_factors_not_asked" not in flags(run(data))


def test_psychosis_not_assessed_is_flagged() -> None:
    out = run(case(clinical__psychosis=DROP))
    assert "not_assessed" in flags(out)


@pytest.mark.parametrize(
    ("sex", "positive"), [("male", False), ("female", True), ("other", True), ("unknown", True)]
)
def test_auditc_uses_the_male_cutoff_only_for_men(sex: str, positive: bool) -> None:
    """AUDIT-C total 3: positive at the women's cut-off (>= 3), not the men's (>= 4)
    (facts.md s2.6); other and unknown take the more sensitive one (program, s1)."""
    out = run(case(patient__sex=sex, instruments={"auditc": [1, 1, 1]}))
    assert out["scores"]["auditc"]["positive"] is positive
    assert ("alcohol_care" in plan(out)) is positive


def test_pregnancy_is_a_review_flag() -> None:
    assert "pregnancy" in flags(run(case(patient__pregnant=True)))


def test_mania_history_gives_no_mdd_code_and_psychiatric_care() -> None:
    """s5: an independent current depression (onset 2016-09, before use 2021-03) with a
    manic episode in the past: no F32/F33 (K5), flag mania_history, psychiatric_care."""
    data = case(
        clinical__mania_history=True, depressive_episodes=[{"onset": "2016-09", "end": None}]
    )
    out = run(data)
    assert out["current_depression"] == "independent"
    assert out["diagnosis_codes"] == ["F14.10"]
    assert "K5" in [line.split(":")[0] for line in out["rationale"]]
    assert "mania_history" in flags(out)
    assert "psychiatric_care" in plan(out)


@pytest.mark.parametrize(
    ("value", "level", "rule"), [("plan_or_intent", "emergency", "P1"), ("ideation", "php", "P3")]
)
def test_homicidal_ideation(value: str, level: str, rule: str) -> None:
    out = run(case(clinical__homicidal_ideation=value))
    assert (out["placement"]["level"], out["placement"]["rule"]) == (level, rule)


# --- s2: depressive episodes ---------------------------------------------------------------


def test_year_only_onset_against_a_month_is_order_unclear() -> None:
    """Finding 9. Onset '2021' (2021-01-01..12-31), use from '2021-06' (06-01..06-30).
    Rule 1: 2021-12-31 + 14 > 2021-06-01, no. Rule 2: 2021-01-01 < 2021-06-30: order_unclear
    (E5), agreeing with onset order 'tangled'. Ongoing: treated as provisional (C3)."""
    data = case(
        stimulant__use_periods=[{"start": "2021-06", "end": None}],
        depressive_episodes=[{"onset": "2021", "end": None}],
    )
    out = run(data)
    assert out["onset_order"] == "tangled"
    assert out["episodes"][0]["classification"] == "order_unclear"
    assert out["episodes"][0]["rule"] == "E5"
    assert out["current_depression"] == "substance_induced_provisional"
    assert out["reassess_on"] == "2026-11-27"  # last use 2026-10-30 + 28
    assert "psychiatric_care" in plan(out)  # finding 12: any current depression
    assert out["diagnosis_codes"] == ["F14.14"]  # mild use disorder carried (K1)


@pytest.mark.parametrize(
    ("use_start", "expected"),
    [("2021-01-15", "independent_preceded_use"), ("2021-01-14", "order_unclear")],
)
def test_two_weeks_of_depression_before_use(use_start: str, expected: str) -> None:
    """Rule 1: onset 2021-01-01 + 14 days = 2021-01-15 <= start 2021-01-15: preceded use.
    A start of 2021-01-14 leaves less than the two weeks of an episode: order_unclear."""
    data = case(
        stimulant__use_periods=[{"start": use_start, "end": None}],
        depressive_episodes=[{"onset": "2021-01-01", "end": None}],
    )
    assert run(data)["episodes"][0]["classification"] == expected


def test_a_closed_order_unclear_episode_is_not_an_mdd_episode() -> None:
    """Episodes 2016-09 (ended 2017-04, before use 2018-05: independent) and 2018 (ended
    2018-12: order_unclear against 2018-05) and 2024-03 ongoing. The ongoing one began
    during use (E4, provisional), but an earlier episode is independent: current
    independent (C2). MDD episodes counted: 2016 and the current one = 2 -> F33.9; the
    closed order_unclear one is not counted (else it would still be F33)."""
    data = case(
        stimulant__use_periods=[{"start": "2018-05", "end": None}],
        depressive_episodes=[
            {"onset": "2016-09", "end": "2017-04"},
            {"onset": "2018", "end": "2018-12"},
            {"onset": "2024-03", "end": None},
        ],
    )
    out = run(data)
    assert [e["classification"] for e in out["episodes"]] == [
        "independent_preceded_use", "order_unclear", "substance_induced_provisional",
    ]  # fmt: skip
    assert out["current_depression"] == "independent"
    assert out["diagnosis_codes"] == ["F14.10", "F33.9"]


def test_a_binge_shortly_before_onset_is_not_abstinence() -> None:
    """Regular use 2018-01..2019-06 (midpoint end 2019-06-15), binges 2020-01..2020-03
    (end 2020-03-15), onset 2020-03-20 (5 days after the binges: within 28 days): not
    independent_in_abstinence (E2), which it would be without the binges (279 days after
    2019-06-15). It was still present 28 days after the binges ended (2020-04-12 <= its
    end 2020-08-15) with no use in between: independent_persisted (E3)."""
    data = case(
        stimulant__use_periods=[
            {"start": "2018-01", "end": "2019-06"},
            {"start": "2020-01", "end": "2020-03", "pattern": "binge"},
            {"start": "2021-03", "end": None},
        ],
        depressive_episodes=[{"onset": "2020-03-20", "end": "2020-08"}],
    )
    episode = run(data)["episodes"][0]
    assert (episode["classification"], episode["rule"]) == ("independent_persisted", "E3")


def test_use_periods_incomplete_blocks_independence_of_an_ongoing_episode() -> None:
    """4 criteria in 12 months, but the only period ended 2016 and last use 2026-10-01
    (a single day, not a period): flag use_periods_incomplete. The episode from 2020
    (4 years after the period) would be independent_in_abstinence under v1; v2 does not
    apply rule 3 to an ongoing episode with the flag: E4, provisional."""
    data = case(
        stimulant__use_periods=[{"start": "2015", "end": "2016"}],
        stimulant__last_use="2026-10-01",
        stimulant__days_used_past_30=0,
        stimulant__dsm_criteria_past_12_months=[1, 2, 3, 4],
        depressive_episodes=[{"onset": "2020", "end": None}],
    )
    out = run(data)
    assert "use_periods_incomplete" in flags(out)
    assert out["episodes"][0]["classification"] == "substance_induced_provisional"


# --- s3: risk ------------------------------------------------------------------------------


def test_a_negative_cssrs_never_erases_item9() -> None:
    """Finding 2. C-SSRS none, PHQ-9 item 9 = 3: suicide risk raised to low (RS6), flags
    item9_positive and screens_disagree (RS7), safety_plan, the note's action to resolve
    the screens today, and level iop (P4: suicide risk low), not outpatient."""
    out = run(case(instruments={"phq9": PHQ9_ITEM9_3, "cssrs": CSSRS_NONE}))
    assert out["risk"]["suicide"] == "low"
    assert out["risk"]["flags"] == ["item9_positive", "screens_disagree"]
    assert (
        out["risk"]["actions"][0] == "a clinician resolves the difference between the screens today"
    )
    assert "safety_plan" in plan(out)
    assert (out["placement"]["level"], out["placement"]["rule"]) == ("iop", "P4")
    assert "screens_disagree" in flags(out)


def test_qids_item12_also_raises_a_negative_cssrs() -> None:
    qids = [0] * 11 + [2] + [0] * 4
    out = run(case(instruments={"qids_sr16": qids, "cssrs": CSSRS_NONE}))
    assert out["risk"]["suicide"] == "low"
    assert out["risk"]["flags"] == ["qids_item12_positive", "screens_disagree"]


def test_a_higher_cssrs_tier_stands() -> None:
    """C-SSRS moderate with item 9 = 3: the higher (moderate) stands; no disagreement."""
    out = run(case(instruments={"phq9": PHQ9_ITEM9_3, "cssrs": [1, 1, 1, 0, 0, 0]}))
    assert out["risk"]["suicide"] == "moderate"
    assert out["risk"]["flags"] == ["item9_positive"]


def test_overdose_low_needs_no_use_in_a_year_known_and_fewer_than_two_criteria() -> None:
    """Days 0, last use 2025-05-01 (before 2025-11-03), period ended 2025-04, criteria [4]:
    low (RO2); use is on record, so overdose_prevention still, about naloxone for others."""
    data = case(
        stimulant__days_used_past_30=0,
        stimulant__last_use="2025-05-01",
        stimulant__use_periods=[{"start": "2021-03", "end": "2025-04"}],
        stimulant__dsm_criteria_past_12_months=[4],
    )
    out = run(data)
    assert out["risk"]["overdose"] == "low"
    prevention = next(i for i in out["plan"]["interventions"] if i["id"] == "overdose_prevention")
    assert "people around them" in prevention["reason"]


@pytest.mark.parametrize(
    "changes",
    [
        {"stimulant__last_use": DROP},  # last use unknown
        {"stimulant__dsm_criteria_past_12_months": [1, 2]},  # 2 criteria
        {"stimulant__dsm_criteria_past_12_months": DROP},  # criteria not assessed
        {"stimulant__use_periods": [{"start": "2021-03", "end": "2025-12"}]},  # ends in 12 months
    ],
)
def test_overdose_is_not_low_when_the_record_does_not_rule_use_out(changes: dict[str, Any]) -> None:
    base = {
        "stimulant__days_used_past_30": 0,
        "stimulant__last_use": "2025-05-01",
        "stimulant__use_periods": [{"start": "2021-03", "end": "2025-04"}],
        "stimulant__dsm_criteria_past_12_months": [4],
    }
    out = run(case(**{**base, **changes}))
    assert out["risk"]["overdose"] == "standard"
    assert "naloxone and fentanyl test strips" in out["risk"]["actions"]


# --- s4: placement ---------------------------------------------------------------------------


def test_psychotic_depression_is_an_emergency() -> None:
    """Finding 7: mdd_severity severe_psychotic -> P1 emergency (v1 gave iop)."""
    out = run(case(clinical__mdd_severity="severe_psychotic"))
    assert (out["placement"]["level"], out["placement"]["rule"]) == ("emergency", "P1")


def test_adolescents_are_referred_with_the_adult_answer_shown() -> None:
    """Age 17: P1a adolescent_referral, not within the program; the adult rules (P5) shown."""
    out = run(case(patient__age=17))
    placement = out["placement"]
    assert (placement["level"], placement["rule"], placement["within_program"]) == (
        "adolescent_referral", "P1a", False,
    )  # fmt: skip
    assert placement["adult_rules_would_give"]["level"] == "outpatient"
    assert "adolescent" in placement["note"]


def test_an_emergency_outranks_the_adolescent_referral() -> None:
    out = run(case(patient__age=16, clinical__psychosis=True))
    assert out["placement"]["level"] == "emergency"


def test_a_recent_overdose_with_current_use_is_php() -> None:
    """Finding 10: overdose in 12 months and use on 12 of 30 days -> P3 php."""
    out = run(case(stimulant__overdose_past_12_months=True))
    assert (out["placement"]["level"], out["placement"]["rule"]) == ("php", "P3")


@pytest.mark.parametrize(
    "changes",
    [
        {"clinical__prior_treatment": [{"level": "outpatient", "response": "none"}]},
        {"clinical__recovery_environment": "unsafe"},
    ],
)
def test_failed_outpatient_care_or_an_unsafe_home_is_at_least_iop(changes: dict[str, Any]) -> None:
    """Finding 10: both gave outpatient care under v1 with mild use."""
    out = run(case(**changes))
    assert (out["placement"]["level"], out["placement"]["rule"]) == ("iop", "P4")


def test_injection_adds_opioid_care_and_its_flag() -> None:
    out = run(case(stimulant__route="injected"))
    assert out["risk"]["overdose"] == "elevated"
    assert "opioid_and_infection_care" in plan(out)
    assert "opioid_co_use" in flags(out)


def test_daily_heavy_drinking_is_flagged_for_withdrawal() -> None:
    """AUDIT-C [4, 0, 0] = 4: positive, item 1 at its top answer: flag and assessment."""
    out = run(case(instruments={"auditc": [4, 0, 0]}))
    assert "alcohol_withdrawal_risk" in flags(out)
    assert "withdrawal_assessment" in plan(out)


# --- s5, s6: codes and plan ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("substance", "severity", "code"),
    [
        ("cocaine", "mild", "F14.11"),
        ("cocaine", "severe", "F14.21"),
        ("amphetamine_type", "mild", "F15.11"),
    ],
)
def test_remission_codes(substance: str, severity: str, code: str) -> None:
    data = case(
        stimulant__substance=substance,
        stimulant__remission={"specifier": "early", "severity": severity},
        stimulant__days_used_past_30=0,
        stimulant__last_use="2026-06-01",
        stimulant__use_periods=[{"start": "2021-03", "end": "2026-06"}],
        stimulant__dsm_criteria_past_12_months=[1, 2],
    )
    out = run(data)
    assert out["diagnosis_codes"] == [code]
    if code == "F15.11":
        assert any("UNVERIFIED" in line for line in out["rationale"])


def test_abstinent_at_intake_still_gets_cm_and_urine_screens() -> None:
    """Finding 6: last use 2026-08-30 (64 days ago), moderate: possible use in 12 months,
    so CM (it sustains early abstinence) and urine screens with CM."""
    data = case(
        stimulant__days_used_past_30=0,
        stimulant__last_use="2026-08-30",
        stimulant__dsm_criteria_past_12_months=[1, 2, 3, 4],
    )
    out = run(data)
    assert "contingency_management" in plan(out)
    assert (
        "urine drug screens at least twice a week, with contingency management"
        in out["plan"]["measures"]
    )


def test_sustained_remission_gets_screens_without_cm() -> None:
    """No use for 22 months: no CM (no possible use in 12 months), but a use disorder in
    remission gets cbt_use, relapse_prevention and urine screens twice a week."""
    data = case(
        stimulant__remission={"specifier": "sustained", "severity": "moderate"},
        stimulant__dsm_criteria_past_12_months=[],
        stimulant__days_used_past_30=0,
        stimulant__last_use="2025-01-10",
        stimulant__use_periods=[{"start": "2021-03", "end": "2024-12"}],
    )
    out = run(data)
    assert {"cbt_use", "relapse_prevention"} <= set(plan(out))
    assert "contingency_management" not in plan(out)
    assert "urine drug screens at least twice a week" in out["plan"]["measures"]


def test_a_provisional_ptsd_pattern_below_the_cutoff_gets_a_trauma_assessment() -> None:
    """Finding 14: PCL-5 total 32 (< 33) with the provisional PTSD pattern: trauma_assessment,
    and EMDR and somatic experiencing after it; PCL-5 monthly."""
    out = run(case(instruments={"pcl5": PCL5_PROVISIONAL_32}))
    assert out["scores"]["pcl5"]["positive"] is False
    assert {"trauma_assessment", "emdr", "somatic_experiencing"} <= set(plan(out))
    emdr = next(i for i in out["plan"]["interventions"] if i["id"] == "emdr")
    assert "after the trauma assessment" in emdr["reason"]
    assert "PCL-5 monthly with trauma care" in out["plan"]["measures"]


def test_every_intervention_carries_an_evidence_level_and_a_sourced_note() -> None:
    """Finding 15: no 'Not summarised'; each note names a source (facts.md or a guideline)."""
    for rule in RULESET.interventions:
        assert rule.evidence_level in ("strong", "moderate", "limited", "insufficient", "not_rated")
        assert "Not summarised" not in rule.evidence
        assert "facts.md" in rule.evidence, rule.id
