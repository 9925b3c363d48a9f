"""``formulate`` under a version-2 rule set: ruleset-v2.md, "unknown never means safe".

The same steps as version 1 (formulation.py), with the corrections of ruleset-v2.md:
episodes dated too closely are ``order_unclear`` (s2), a negative C-SSRS never erases a
positive PHQ-9 item 9 (s3), an unknown last use is possible use (s3), criteria not
assessed are not "no disorder" (s5), and placement and plan read the new facts (s4, s6)
from the rule-set file. Pure, like version 1.
"""

from __future__ import annotations

from tandem.domain.formulation.case import Case
from tandem.domain.formulation.codes import diagnosis_codes_v2, use_disorder_v2
from tandem.domain.formulation.decisions import build_plan, place
from tandem.domain.formulation.facts import case_facts, v2_facts
from tandem.domain.formulation.formulation import (
    Formulation,
    Risk,
    UseDisorder,
    rationale_lines,
    with_program_cutoffs,
)
from tandem.domain.formulation.risk import (
    overdose_factors_not_asked,
    overdose_risk_v2,
    risk_actions_v2,
    risk_facts,
    suicide_risk_v2,
)
from tandem.domain.formulation.ruleset import RuleSet
from tandem.domain.formulation.timeline import (
    classify_episodes_v2,
    current_depression,
    onset_order,
)
from tandem.domain.formulation.windows import (
    no_use_within_known,
    possible_use_within,
    use_periods_incomplete,
)


def formulate_v2(case: Case, ruleset: RuleSet) -> Formulation:
    """ruleset-v2.md applied to a case/1 (v1's defaults) or case/2 (v2's) case."""
    case = with_program_cutoffs(case, ruleset)
    values = ruleset.values
    abstinence = values["abstinence_days"]
    month, year = values["past_month_days"], values["past_year_days"]
    count, severity, severity_finding = use_disorder_v2(case, ruleset)
    incomplete = use_periods_incomplete(case, count, year)
    order, order_finding = onset_order(case, values["onset_order_days"])
    episodes = classify_episodes_v2(case, abstinence, values["episode_days"], incomplete)
    current, reassess_on, current_finding = current_depression(case, episodes, abstinence)
    codes, code_findings = diagnosis_codes_v2(case, severity, current, episodes)
    suicide, suicide_findings, flags = suicide_risk_v2(case)
    overdose, overdose_finding = overdose_risk_v2(
        case, no_use_past_year=no_use_within_known(case, year), criteria_count=count
    )
    possible_year = possible_use_within(case, year, periods=True)
    extra = v2_facts(
        case,
        past_month_days=month,
        past_year_days=year,
        use_periods_incomplete=incomplete,
        screens_disagree="screens_disagree" in flags,
        overdose_factors_not_asked=overdose_factors_not_asked(case, possible_year),
    )
    facts = case_facts(
        case,
        suicide_risk=suicide,
        overdose_risk=overdose,
        use_severity=severity,
        current=current,
        v2=extra,
    )
    placement = place(facts, ruleset, case.program)
    plan = build_plan(facts, ruleset, placement.level, reassess_on)
    remission = case.stimulant.remission
    middle = (current_finding, severity_finding, *code_findings, *suicide_findings,
              overdose_finding)  # fmt: skip
    rationale = rationale_lines(order_finding, episodes, middle, placement, plan, ruleset)
    return Formulation(
        ruleset=ruleset.id,
        onset_order=order,
        current_depression=current,
        reassess_on=reassess_on,
        episodes=episodes,
        use_disorder=UseDisorder(
            case.stimulant.substance,
            count,
            severity,
            remission.specifier if remission is not None else None,
        ),
        diagnosis_codes=codes,
        scores=dict(case.scores),
        risk=Risk(
            suicide,
            overdose,
            risk_actions_v2(suicide, overdose, flags),
            rules=(*(f.rule for f in suicide_findings), overdose_finding.rule),
            facts=risk_facts(case),
            flags=flags,
        ),
        placement=placement,
        plan=plan,
        rationale=rationale,
        engine=2,
    )
