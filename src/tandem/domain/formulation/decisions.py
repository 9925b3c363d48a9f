"""Level of care and the integrated plan, read from the rule set (ruleset-v1.md s8, s9).

Placement: the first rule whose clauses match (P1 emergency ... P5 outpatient, which
always matches: no rule asks for abstinence and none turns a person away for current
use). Plan: every intervention whose trigger matches, in the rule set's order, each
with its reason, the facts it used, an evidence note and a frequency for the level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from tandem.domain.formulation.case import Program
from tandem.domain.formulation.facts import FactValue, used_facts
from tandem.domain.formulation.ruleset import (
    Clause,
    PlacementRule,
    RuleSet,
    reason_names,
    reason_text,
)

LEVEL_ORDER = ("outpatient", "iop", "php", "residential_referral", "emergency")
# ruleset-v2.md s4: level ranks for "never lower"; the two referrals rank the same.
LEVEL_RANK = {
    "outpatient": 0, "iop": 1, "php": 2, "residential_referral": 3, "adolescent_referral": 3,
    "emergency": 4,
}  # fmt: skip


@dataclass(frozen=True)
class Placement:
    level: str
    rule: str
    within_program: bool
    reasons: tuple[str, ...]
    facts: Mapping[str, object]
    note: str | None
    review_flags: tuple[ReviewFlag, ...] = ()
    adult: Placement | None = None  # P1a: what the adult rules would say (ruleset-v2.md s4)


@dataclass(frozen=True)
class ReviewFlag:
    """Shown beside the level, acknowledged by the deciding clinician (ruleset-v2.md s4)."""

    id: str
    text: str


@dataclass(frozen=True)
class Intervention:
    id: str
    category: str
    targets: tuple[str, ...]
    reason: str
    facts: Mapping[str, object]
    adjunct: bool
    evidence: str
    frequency: str
    evidence_level: str | None = None  # version-2 rule sets


@dataclass(frozen=True)
class Plan:
    interventions: tuple[Intervention, ...]
    measures: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.interventions)


def _matching(clauses: tuple[Clause, ...], facts: Mapping[str, FactValue]) -> list[Clause]:
    return [clause for clause in clauses if clause.holds(facts)]


def _facts_of(clauses: list[Clause], facts: Mapping[str, FactValue]) -> dict[str, object]:
    names = list(dict.fromkeys(cond.fact for c in clauses for cond in c.conditions))
    return used_facts(facts, names)


def place(facts: Mapping[str, FactValue], ruleset: RuleSet, program: Program) -> Placement:
    """The first placement rule that matches, with every matching clause as a reason.

    Version 2 (ruleset-v2.md s4): the review flags that hold, and for an adolescent
    referral (P1a) what the adult rules after it would say, marked as such.
    """
    placement = _first_match(facts, ruleset, program, ruleset.placement)
    if ruleset.engine == 1:
        return placement
    flags = tuple(
        ReviewFlag(rule.id, rule.text)
        for rule in ruleset.review_flags
        if _matching(rule.clauses, facts)
    )
    adult = None
    if placement.level == "adolescent_referral":
        later = tuple(r for r in ruleset.placement if r.level != "adolescent_referral")
        adult = _first_match(facts, ruleset, program, later)
    return replace(placement, review_flags=flags, adult=adult)


def _first_match(
    facts: Mapping[str, FactValue],
    ruleset: RuleSet,
    program: Program,
    rules: tuple[PlacementRule, ...],
) -> Placement:
    values = ruleset.values
    for rule in rules:
        matched = _matching(rule.clauses, facts)
        if matched:
            names = reason_names(facts, values)
            within = _within_program(rule.level, program)
            return Placement(
                level=rule.level,
                rule=rule.id,
                within_program=within,
                reasons=tuple(reason_text(c, names) for c in matched),
                facts=_facts_of(matched, facts),
                note=None if within else _referral_note(rule.level),
            )
    raise AssertionError("unreachable: parse_ruleset requires a last rule that always matches")


def _within_program(level: str, program: Program) -> bool:
    """ruleset-v1.md s8: emergency is never within the program."""
    if level == "residential_referral":
        return "residential" in program.levels_offered
    return level in program.levels_offered


def _referral_note(level: str) -> str:
    if level == "emergency":
        return "emergency evaluation is needed now: it is never provided within the program"
    if level == "adolescent_referral":
        return (
            "this rule set is for adults: refer to an adolescent program, since adolescent "
            "levels of care are separate (facts.md s12.2)"
        )
    return f"this program does not offer {level.replace('_referral', '')}: a referral is needed"


def build_plan(
    facts: Mapping[str, FactValue], ruleset: RuleSet, level: str, reassess_on: date | None
) -> Plan:
    """Each intervention whose trigger matches, then the measures the plan needs."""
    values = ruleset.values
    current = dict(facts)
    chosen: list[Intervention] = []
    when = reassess_on.isoformat() if reassess_on else "a date set once last use is known"
    names: dict[str, object] = {**values, "reassess_on": when}
    reasons = reason_names(current, values)  # reads the plan as it grows
    for rule in ruleset.interventions:
        matched = _matching(rule.clauses, current)
        if not matched:
            continue
        frequency = rule.frequency or ruleset.frequency_by_level[level]
        chosen.append(
            Intervention(
                id=rule.id,
                category=rule.category,
                targets=rule.targets,
                reason="; ".join(reason_text(c, reasons) for c in matched),
                facts=_facts_of(matched, current),
                adjunct=rule.adjunct,
                evidence=rule.evidence,
                frequency=frequency.format_map(names),
                evidence_level=rule.evidence_level,
            )
        )
        current["plan"] = frozenset(i.id for i in chosen)
    measures = tuple(m.text for m in ruleset.measures if _matching(m.clauses, current))
    return Plan(tuple(chosen), measures)
