"""The named facts that placement rules and plan triggers are written over.

Each fact has a kind that fixes which test a rule-set clause may apply to it:
``bool`` (``is``), ``enum`` (``in`` a list of its values), ``count`` (``at_least`` a named
threshold; a count that was not measured, such as a PHQ-9 not given, never reaches
one) and ``set`` (``contains`` one of its values).
"""

from __future__ import annotations

from collections.abc import Mapping

from tandem.domain.formulation.case import Case
from tandem.domain.formulation.windows import any_use_recorded, ongoing_period, possible_use_within

FactValue = bool | int | str | None | frozenset[str]

SUICIDE_RISKS = ("high", "moderate", "low", "none", "needs_assessment", "not_screened")
OVERDOSE_RISKS = ("elevated", "standard", "low")
SEVERITIES = ("not_assessed", "none", "mild", "moderate", "severe")
CURRENT_DEPRESSION = ("none", "independent", "substance_induced_provisional")
INTERVENTION_IDS = (
    "cbt_use", "contingency_management", "relapse_prevention", "psychiatric_care",
    "behavioral_activation", "safety_plan", "dbt_skills", "emdr", "somatic_experiencing",
    "sleep_care", "overdose_prevention", "alcohol_care", "depression_reassessment",
    "neurofeedback", "breathwork", "pemf",
    # ruleset-v2.md s6
    "trauma_assessment", "opioid_and_infection_care", "use_disorder_assessment",
    "withdrawal_assessment",
)  # fmt: skip

FACTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "suicide_risk": ("enum", SUICIDE_RISKS),
    "overdose_risk": ("enum", OVERDOSE_RISKS),
    "use_severity": ("enum", SEVERITIES),
    "current_depression": ("enum", CURRENT_DEPRESSION),
    "recovery_environment": ("enum", ("supportive", "unsupportive", "unsafe")),
    "functional_impairment": ("enum", ("none", "mild", "moderate", "severe")),
    "psychosis": ("bool", ()),
    "medically_unstable": ("bool", ()),
    "emotion_dysregulation": ("bool", ()),
    "isi_positive": ("bool", ()),
    "auditc_positive": ("bool", ()),
    "pcl5_positive": ("bool", ()),
    "days_used_past_30": ("count", ()),
    "phq9_total": ("count", ()),
    "phq9_item3": ("count", ()),
    "cssrs_q6": ("count", ()),
    "pcl5_total": ("count", ()),
    "prior_no_response": ("set", ("outpatient", "iop", "php", "residential")),
    "complementary_offered": ("set", ("neurofeedback", "breathwork", "pemf")),
    "plan": ("set", INTERVENTION_IDS),
    # ruleset-v2.md (version-2 rule sets); a yes/no that is unknown is never ``true``
    "mdd_severity": ("enum", ("not_given", "mild", "moderate", "severe", "severe_psychotic")),
    "homicidal_ideation": ("enum", ("none", "ideation", "plan_or_intent")),
    "overdose_past_12_months": ("bool", ()),
    "possible_use_past_30_days": ("bool", ()),
    "possible_use_past_12_months": ("bool", ()),
    "any_use_recorded": ("bool", ()),
    "remission": ("bool", ()),
    "mania_history": ("bool", ()),
    "pregnant": ("bool", ()),
    "opioid_or_injection": ("bool", ()),
    "pcl5_provisional_ptsd": ("bool", ()),
    "alcohol_withdrawal_risk": ("bool", ()),
    "overdose_factors_not_asked": ("bool", ()),
    "last_use_unknown": ("bool", ()),
    "use_periods_incomplete": ("bool", ()),
    "screens_disagree": ("bool", ()),
    "clinical_not_assessed": ("bool", ()),
    "age_under_18": ("bool", ()),
}

# AUDIT-C item 1 at its top answer, "4 or more times a week" (facts.md s2.6) (program).
AUDITC_ITEM1_TOP = 4
ADULT_AGE = 18  # ruleset-v2.md s4 P1a; facts.md s12.2 (adolescent levels are separate)


def case_facts(
    case: Case,
    *,
    suicide_risk: str,
    overdose_risk: str,
    use_severity: str,
    current: str,
    v2: Mapping[str, FactValue] | None = None,
) -> dict[str, FactValue]:
    """Every fact but ``plan`` (which grows as the plan is built), from a case and findings.

    ``v2``: the facts only a version-2 rule set reads (``v2_facts``), when it runs.
    """
    phq9 = case.scores.get("phq9")
    pcl5 = case.scores.get("pcl5")
    return {
        "suicide_risk": suicide_risk,
        "overdose_risk": overdose_risk,
        "use_severity": use_severity,
        "current_depression": current,
        "recovery_environment": case.clinical.recovery_environment,
        "functional_impairment": case.clinical.functional_impairment,
        "psychosis": case.clinical.psychosis,
        "medically_unstable": case.clinical.medically_unstable,
        "emotion_dysregulation": case.clinical.emotion_dysregulation,
        "isi_positive": _positive(case, "isi"),
        "auditc_positive": _positive(case, "auditc"),
        "pcl5_positive": _positive(case, "pcl5"),
        "days_used_past_30": case.stimulant.days_used_past_30,
        "phq9_total": phq9.total if phq9 is not None else None,
        "phq9_item3": case.answer("phq9", 3),
        "cssrs_q6": case.answer("cssrs", 6),
        "pcl5_total": pcl5.total if pcl5 is not None else None,
        "prior_no_response": frozenset(
            t.level for t in case.clinical.prior_treatment if t.response == "none"
        ),
        "complementary_offered": frozenset(case.program.complementary_offered),
        "plan": frozenset(),
        **(v2 or {}),
    }


def v2_facts(
    case: Case,
    *,
    past_month_days: int,
    past_year_days: int,
    use_periods_incomplete: bool,
    screens_disagree: bool,
    overdose_factors_not_asked: bool,
) -> dict[str, FactValue]:
    """The facts ruleset-v2.md adds (s1 windows, s4 flags and additions, s6 triggers)."""
    s = case.stimulant
    clinical = case.clinical
    auditc = case.scores.get("auditc")
    pcl5 = case.scores.get("pcl5")
    return {
        "mdd_severity": clinical.mdd_severity or "not_given",
        "homicidal_ideation": clinical.homicidal_ideation,
        "overdose_past_12_months": s.overdose_past_12_months is True,
        "possible_use_past_30_days": possible_use_within(case, past_month_days, periods=False),
        "possible_use_past_12_months": possible_use_within(case, past_year_days, periods=True),
        "any_use_recorded": any_use_recorded(case),
        "remission": s.remission is not None,
        "mania_history": clinical.mania_history is True,
        "pregnant": case.patient.pregnant is True,
        "opioid_or_injection": s.opioid_co_use is True or s.route == "injected",
        "pcl5_provisional_ptsd": pcl5 is not None and "provisional_ptsd" in pcl5.flags,
        "alcohol_withdrawal_risk": auditc is not None
        and auditc.positive
        and case.answer("auditc", 1) == AUDITC_ITEM1_TOP,
        "overdose_factors_not_asked": overdose_factors_not_asked,
        "last_use_unknown": s.last_use is None and ongoing_period(s),
        "use_periods_incomplete": use_periods_incomplete,
        "screens_disagree": screens_disagree,
        "clinical_not_assessed": clinical.psychosis is None or clinical.medically_unstable is None,
        "age_under_18": case.patient.age is not None and case.patient.age < ADULT_AGE,
    }


def _positive(case: Case, instrument: str) -> bool:
    result = case.scores.get(instrument)
    return result is not None and result.positive


def shown_fact(value: FactValue) -> str:
    """A fact as it reads inside a sentence."""
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or "none"
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def json_fact(value: FactValue) -> object:
    """A fact as JSON: sets become sorted lists."""
    return sorted(value) if isinstance(value, frozenset) else value


def used_facts(facts: Mapping[str, FactValue], names: list[str]) -> dict[str, object]:
    return {name: json_fact(facts[name]) for name in names}
