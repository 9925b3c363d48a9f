"""``formulate``: a valid case and a rule set -> the formulation of ruleset-v1.md s10.

Pure: no clock (today is ``case.assessed_on``), no files, no randomness. Every part of
the result names the rule that produced it; ``rationale`` lists them all, in order, as
sentences a clinician can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from tandem.domain.errors import InvalidCase
from tandem.domain.formulation.case import Case
from tandem.domain.formulation.codes import diagnosis_codes, use_disorder
from tandem.domain.formulation.decisions import Placement, Plan, build_plan, place
from tandem.domain.formulation.facts import case_facts
from tandem.domain.formulation.risk import overdose_risk, risk_actions, risk_facts, suicide_risk
from tandem.domain.formulation.ruleset import RuleSet
from tandem.domain.formulation.timeline import (
    EpisodeFinding,
    Finding,
    classify_episodes,
    current_depression,
    onset_order,
)
from tandem.domain.instruments import Score, score

SCHEMA = "tandem.formulation/1"
SCHEMA_V2 = "tandem.formulation/2"


@dataclass(frozen=True)
class UseDisorder:
    substance: str
    criteria_count: int | None  # None: criteria not assessed (version 2)
    severity: str
    remission: str | None = None  # version 2: "early" or "sustained"


@dataclass(frozen=True)
class Risk:
    suicide: str
    overdose: str
    actions: tuple[str, ...]
    rules: tuple[str, ...] = ()
    facts: Mapping[str, object] = field(default_factory=dict)
    flags: tuple[str, ...] = ()  # version 2 (ruleset-v2.md s3)


@dataclass(frozen=True)
class Formulation:
    """The formulation of one case under one rule set (ruleset-v1.md s10)."""

    ruleset: str
    onset_order: str
    current_depression: str
    reassess_on: date | None
    episodes: tuple[EpisodeFinding, ...]
    use_disorder: UseDisorder
    diagnosis_codes: tuple[str, ...]
    scores: dict[str, Score]
    risk: Risk
    placement: Placement
    plan: Plan
    rationale: tuple[Finding, ...]
    engine: int = 1

    def as_dict(self) -> dict[str, Any]:
        """Exactly the JSON object ``tandem assess --json`` prints.

        Version 1 rule sets give ruleset-v1.md s10's object byte for byte; version 2 adds
        the fields of ``tandem.formulation/2`` (docs/schemas/formulation-2.schema.json).
        """
        out = self._v1_dict()
        if self.engine == 1:
            return out
        out["schema"] = SCHEMA_V2
        out["use_disorder"]["remission"] = self.use_disorder.remission
        out["risk"]["flags"] = list(self.risk.flags)
        out["placement"]["review_flags"] = [
            {"id": f.id, "text": f.text} for f in self.placement.review_flags
        ]
        adult = self.placement.adult
        out["placement"]["adult_rules_would_give"] = (
            None
            if adult is None
            else {"level": adult.level, "rule": adult.rule, "reasons": list(adult.reasons)}
        )
        for item, intervention in zip(
            out["plan"]["interventions"], self.plan.interventions, strict=True
        ):
            item["evidence_level"] = intervention.evidence_level
        return out

    def _v1_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "ruleset": self.ruleset,
            "onset_order": self.onset_order,
            "current_depression": self.current_depression,
            "reassess_on": self.reassess_on.isoformat() if self.reassess_on else None,
            "episodes": [_episode_dict(f) for f in self.episodes],
            "use_disorder": {
                "substance": self.use_disorder.substance,
                "criteria_count": self.use_disorder.criteria_count,
                "severity": self.use_disorder.severity,
            },
            "diagnosis_codes": list(self.diagnosis_codes),
            "scores": {name: result.as_dict() for name, result in self.scores.items()},
            "risk": {
                "suicide": self.risk.suicide,
                "overdose": self.risk.overdose,
                "actions": list(self.risk.actions),
                "rules": list(self.risk.rules),
                "facts": dict(self.risk.facts),
            },
            "placement": {
                "level": self.placement.level,
                "rule": self.placement.rule,
                "within_program": self.placement.within_program,
                "reasons": list(self.placement.reasons),
                "facts": dict(self.placement.facts),
                "note": self.placement.note,
            },
            "plan": {
                "interventions": [
                    {
                        "id": i.id,
                        "category": i.category,
                        "targets": list(i.targets),
                        "reason": i.reason,
                        "facts": dict(i.facts),
                        "adjunct": i.adjunct,
                        "evidence": i.evidence,
                        "frequency": i.frequency,
                    }
                    for i in self.plan.interventions
                ],
                "measures": list(self.plan.measures),
            },
            "rationale": [finding.line() for finding in self.rationale],
        }


def _episode_dict(finding: EpisodeFinding) -> dict[str, Any]:
    episode = finding.episode
    return {
        "onset": episode.onset.text,
        "end": episode.end.text if episode.end else None,
        "classification": finding.classification,
        "rule": finding.rule,
        "reason": finding.reason,
        "facts": dict(finding.facts),
    }


def formulate(case: Case, ruleset: RuleSet) -> Formulation:
    """Onset order, episodes, current depression, codes, risk, placement and plan.

    A version-1 rule set runs ruleset-v1.md exactly (tandem.case/1 only); a version-2
    rule set runs ruleset-v2.md (``formulate_v2``).
    """
    if ruleset.engine == 2:
        from tandem.domain.formulation.formulation_v2 import formulate_v2

        return formulate_v2(case, ruleset)
    if case.schema != "tandem.case/1":
        raise InvalidCase(
            "$.schema",
            f"{ruleset.id} reads tandem.case/1 only; assess a {case.schema} case "
            "with tandem-default/2",
        )
    case = with_program_cutoffs(case, ruleset)
    abstinence = ruleset.value("abstinence_days")
    order, order_finding = onset_order(case, ruleset.value("onset_order_days"))
    episodes = classify_episodes(case, abstinence)
    current, reassess_on, current_finding = current_depression(case, episodes, abstinence)
    count, severity, severity_finding = use_disorder(case, ruleset)
    codes, code_findings = diagnosis_codes(case, severity, current, episodes)
    suicide, suicide_finding = suicide_risk(case)
    overdose, overdose_finding = overdose_risk(case, ruleset.value("overdose_low_days"))
    facts = case_facts(
        case,
        suicide_risk=suicide,
        overdose_risk=overdose,
        use_severity=severity,
        current=current,
    )
    placement = place(facts, ruleset, case.program)
    plan = build_plan(facts, ruleset, placement.level, reassess_on)
    middle = (current_finding, severity_finding, *code_findings, suicide_finding, overdose_finding)
    rationale = rationale_lines(order_finding, episodes, middle, placement, plan, ruleset)
    return Formulation(
        ruleset=ruleset.id,
        onset_order=order,
        current_depression=current,
        reassess_on=reassess_on,
        episodes=episodes,
        use_disorder=UseDisorder(case.stimulant.substance, count, severity),
        diagnosis_codes=codes,
        scores=dict(case.scores),
        risk=Risk(
            suicide,
            overdose,
            risk_actions(suicide, overdose),
            rules=(suicide_finding.rule, overdose_finding.rule),
            facts=risk_facts(case),
        ),
        placement=placement,
        plan=plan,
        rationale=rationale,
    )


def with_program_cutoffs(case: Case, ruleset: RuleSet) -> Case:
    """The case with its PCL-5 scored at the rule set's ``pcl5_cutoff``.

    instruments.md: the PCL-5 cut-off is "a program setting, 31-33; the same setting
    drives trauma care in the rule set". ``parse_case`` scores at the default (33); the
    rule set's value is the one setting, so ``scores.pcl5.positive`` and the trauma-care
    triggers (fact ``pcl5_positive``) always agree.
    """
    answers = case.instruments.get("pcl5")
    if answers is None:
        return case
    cutoff = ruleset.value("pcl5_cutoff")
    rescored = score("pcl5", answers, pcl5_cutoff=cutoff)
    return replace(case, scores={**case.scores, "pcl5": rescored})


def rationale_lines(
    order: Finding,
    episodes: tuple[EpisodeFinding, ...],
    middle: tuple[Finding, ...],
    placement: Placement,
    plan: Plan,
    ruleset: RuleSet,
) -> tuple[Finding, ...]:
    """Every rule that fired, in order: onset, episodes, ``middle`` (current depression,
    severity, codes, risk), placement and its review flags, each intervention, notice."""
    return (
        order,
        *(
            Finding(f.rule, f"episode {f.episode.onset.text}: {f.classification}: {f.reason}")
            for f in episodes
        ),
        *middle,
        placement_finding(placement),
        *(Finding(flag.id, f"review: {flag.text}") for flag in placement.review_flags),
        *(Finding(i.id, i.reason) for i in plan.interventions),
        Finding("notice", ruleset.notice),
    )


def placement_finding(placement: Placement) -> Finding:
    text = f"level of care {placement.level}: {'; '.join(placement.reasons)}"
    if placement.note:
        text += f" ({placement.note})"
    return Finding(placement.rule, text)
