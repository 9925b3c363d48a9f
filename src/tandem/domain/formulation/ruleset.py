"""The rule set as a value: thresholds, rule texts, placement rules and plan triggers.

A program reviews and versions its rule set as a file (``tandem/rulesets/*.json``,
read outside the domain); ``parse_ruleset`` checks that mapping and returns a
``RuleSet``. Placement rules, plan interventions and measures are written as clauses
over named facts (facts.py), so the file alone says when each one fires and why.
Thresholds carry their source and whether they are the program's own choice
(ruleset-v1.md: the placement thresholds and plan triggers are).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from tandem.domain.errors import InvalidRuleSet
from tandem.domain.formulation.facts import FACTS, FactValue, shown_fact
from tandem.domain.instruments import PCL5_CUTOFF_RANGE

Op = Literal["is", "in", "at_least", "contains", "lacks"]
OPS: tuple[Op, ...] = ("is", "in", "at_least", "contains", "lacks")
PLACEMENT_LEVELS = (
    "emergency", "adolescent_referral", "residential_referral", "php", "iop", "outpatient",
)  # fmt: skip
EVIDENCE_LEVELS = ("strong", "moderate", "limited", "insufficient", "not_rated")
# The rule-set document schema decides which engine runs it: version 1 is ruleset-v1.md
# exactly (kept for re-checking stored formulations), version 2 adds ruleset-v2.md.
ENGINES = {"tandem.ruleset/1": 1, "tandem.ruleset/2": 2}
CATEGORIES = ("clinical", "somatic_neuro")
TARGETS = ("use", "mood", "trauma", "sleep", "safety")
# Rule ids the engine's code implements; the file must describe every one (docs list them).
CODED_RULES = (
    "O1", "O2", "O3", "O4", "O5", "E0", "E1", "E2", "E3", "E4", "C0", "C1", "C2", "C3",
    "U1", "K1", "K2", "K3", "RS1", "RS2", "RS3", "RS4", "RS5", "RO1", "RO2", "RO3",
)  # fmt: skip
CODED_RULES_V2 = (
    *(r for r in CODED_RULES if r != "RO2"), "E5", "U2", "K4", "K5", "RS6", "RS7", "RO2", "RO4",
)  # fmt: skip
CODED_THRESHOLDS = (
    "onset_order_days", "abstinence_days", "overdose_low_days",
    "severity_mild", "severity_moderate", "severity_severe", "pcl5_cutoff",
)  # fmt: skip
CODED_THRESHOLDS_V2 = (
    *(t for t in CODED_THRESHOLDS if t != "overdose_low_days"),
    "past_month_days", "past_year_days", "episode_days",
)  # fmt: skip
# Thresholds whose value a program may set only within a range: the PCL-5 cut-off is
# "a program setting, 31-33" (instruments.md; facts.md s2.5), the one value that drives
# both scores.pcl5.positive and trauma care (formulation.py scores the PCL-5 with it).
RANGED_THRESHOLDS = {"pcl5_cutoff": PCL5_CUTOFF_RANGE}


@dataclass(frozen=True)
class Threshold:
    name: str
    value: int
    unit: str
    meaning: str
    source: str
    program_choice: bool


@dataclass(frozen=True)
class RuleText:
    """A rule the engine implements in code, described for review (id, finding, source)."""

    id: str
    finding: str
    text: str
    source: str


@dataclass(frozen=True)
class Condition:
    """One test of one fact. ``at_least`` names a threshold; ``limit`` is its value,
    resolved when the rule set is read (it runs for every case)."""

    fact: str
    op: Op
    operand: bool | str | tuple[str, ...]
    limit: int = 0

    def holds(self, facts: Mapping[str, FactValue]) -> bool:
        value = facts[self.fact]
        op = self.op
        if op == "in":
            return value in self.operand  # type: ignore[operator]  # a tuple for "in"
        if op == "is":
            return value is self.operand
        if op == "at_least":
            return type(value) is int and value >= self.limit  # never None, never a bool
        if op == "lacks":
            return isinstance(value, frozenset) and self.operand not in value
        return isinstance(value, frozenset) and self.operand in value


@dataclass(frozen=True)
class Clause:
    """All ``conditions`` hold (an empty list always holds); ``reason`` reads as a sentence."""

    conditions: tuple[Condition, ...]
    reason: str

    def holds(self, facts: Mapping[str, FactValue]) -> bool:
        for condition in self.conditions:  # noqa: SIM110 - a plain loop: hot path
            if not condition.holds(facts):
                return False
        return True


@dataclass(frozen=True)
class PlacementRule:
    id: str
    level: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class InterventionRule:
    id: str
    category: str
    targets: tuple[str, ...]
    adjunct: bool
    clauses: tuple[Clause, ...]
    evidence: str
    frequency: str | None
    evidence_level: str | None = None  # version-2 rule sets (ruleset-v2.md s6)


@dataclass(frozen=True)
class ReviewFlagRule:
    """A review flag shown beside the level (ruleset-v2.md s4); it never changes the level."""

    id: str
    text: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class MeasureRule:
    id: str
    text: str
    clauses: tuple[Clause, ...]
    source: str


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    notice: str
    thresholds: Mapping[str, Threshold]
    rules: tuple[RuleText, ...]
    placement: tuple[PlacementRule, ...]
    frequency_by_level: Mapping[str, str]
    interventions: tuple[InterventionRule, ...]
    measures: tuple[MeasureRule, ...]
    engine: int = 1
    review_flags: tuple[ReviewFlagRule, ...] = ()

    def value(self, name: str) -> int:
        """The value of a threshold by name."""
        return self.thresholds[name].value

    @cached_property
    def values(self) -> dict[str, int]:
        """Every threshold's value by name (computed once: read for every case)."""
        return {name: t.value for name, t in self.thresholds.items()}


def parse_ruleset(data: Mapping[str, Any]) -> RuleSet:
    """Check a rule-set document and return its value; ``InvalidRuleSet`` names the place."""
    reader = _Reader(data)
    thresholds = reader.thresholds()
    ruleset = RuleSet(
        id=reader.text(data, "id", "$"),
        title=reader.text(data, "title", "$"),
        notice=reader.text(data, "notice", "$"),
        thresholds=thresholds,
        rules=reader.rule_texts(),
        placement=reader.placement(),
        frequency_by_level=reader.frequencies(),
        interventions=reader.interventions(),
        measures=reader.measures(),
        engine=reader.engine,
        review_flags=reader.review_flags(),
    )
    return ruleset


class _Reader:
    """Reads one rule-set document; every error message starts with the JSON path."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        schema = data.get("schema") if isinstance(data, Mapping) else None
        if schema not in ENGINES:
            raise InvalidRuleSet(
                "$.schema: a rule set must have schema 'tandem.ruleset/1' or 'tandem.ruleset/2'"
            )
        self.engine = ENGINES[str(schema)]
        self.data = data
        self.threshold_names: set[str] = set()
        self.threshold_values: dict[str, int] = {}

    def field(self, item: Mapping[str, Any], name: str, path: str, kind: type) -> Any:
        value = item.get(name) if isinstance(item, Mapping) else None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise InvalidRuleSet(f"{path}.{name}: missing or not {kind.__name__}")
        return value

    def text(self, item: Mapping[str, Any], name: str, path: str) -> str:
        return str(self.field(item, name, path, str))

    def thresholds(self) -> dict[str, Threshold]:
        items = self.field(self.data, "thresholds", "$", dict)
        result = {}
        for name, item in items.items():
            path = f"$.thresholds.{name}"
            result[name] = Threshold(
                name=name,
                value=self.field(item, "value", path, int),
                unit=self.text(item, "unit", path),
                meaning=self.text(item, "meaning", path),
                source=self.text(item, "source", path),
                program_choice=self.field(item, "program_choice", path, bool),
            )
        coded = CODED_THRESHOLDS if self.engine == 1 else CODED_THRESHOLDS_V2
        missing = [name for name in coded if name not in result]
        if missing:
            raise InvalidRuleSet(f"$.thresholds: missing {', '.join(missing)}")
        _check_ranges(result)
        self.threshold_names = set(result)
        self.threshold_values = {name: t.value for name, t in result.items()}
        return result

    def rule_texts(self) -> tuple[RuleText, ...]:
        items = self.field(self.data, "rules", "$", list)
        rules = tuple(
            RuleText(*(self.text(item, key, f"$.rules[{i}]") for key in _RULE_KEYS))
            for i, item in enumerate(items)
        )
        coded = CODED_RULES if self.engine == 1 else CODED_RULES_V2
        missing = sorted(set(coded) - {rule.id for rule in rules})
        if missing:
            raise InvalidRuleSet(f"$.rules: missing {', '.join(missing)}")
        return rules

    def placement(self) -> tuple[PlacementRule, ...]:
        rules = []
        for i, item in enumerate(self.field(self.data, "placement", "$", list)):
            path = f"$.placement[{i}]"
            level = self.text(item, "level", path)
            if level not in PLACEMENT_LEVELS:
                raise InvalidRuleSet(f"{path}.level: {level} is not one of {PLACEMENT_LEVELS}")
            rules.append(
                PlacementRule(self.text(item, "id", path), level, self.clauses(item, path))
            )
        if not rules or any(c.conditions for c in rules[-1].clauses):
            raise InvalidRuleSet("$.placement: the last rule must always match (care for all)")
        return tuple(rules)

    def frequencies(self) -> dict[str, str]:
        """A frequency for every level a placement rule of this document can give."""
        items = self.field(self.data, "frequency_by_level", "$", dict)
        levels = [
            level
            for level in PLACEMENT_LEVELS
            if level in items or any(rule.get("level") == level for rule in self.data["placement"])
        ]
        for level in levels:
            self.text(items, level, "$.frequency_by_level")
        return {level: str(items[level]) for level in levels}

    def interventions(self) -> tuple[InterventionRule, ...]:
        rules = []
        for i, item in enumerate(self.field(self.data, "interventions", "$", list)):
            path = f"$.interventions[{i}]"
            category = self.text(item, "category", path)
            targets = tuple(self.field(item, "targets", path, list))
            if category not in CATEGORIES or not set(targets) <= set(TARGETS) or not targets:
                raise InvalidRuleSet(f"{path}: category {CATEGORIES}, targets from {TARGETS}")
            frequency = item.get("frequency")
            if frequency is not None:
                self.check_placeholders(
                    self.text(item, "frequency", path), f"{path}.frequency", {"reassess_on"}
                )
            rules.append(
                InterventionRule(
                    id=self.text(item, "id", path),
                    category=category,
                    targets=targets,
                    adjunct=self.field(item, "adjunct", path, bool),
                    clauses=self.clauses(item, path),
                    evidence=self.text(item, "evidence", path),
                    frequency=self.text(item, "frequency", path) if frequency is not None else None,
                    evidence_level=self.evidence_level(item, path),
                )
            )
        return tuple(rules)

    def evidence_level(self, item: Mapping[str, Any], path: str) -> str | None:
        """Required in a version-2 rule set, one of EVIDENCE_LEVELS (ruleset-v2.md s6)."""
        if self.engine == 1:
            return None
        level = self.text(item, "evidence_level", path)
        if level not in EVIDENCE_LEVELS:
            raise InvalidRuleSet(f"{path}.evidence_level: {level} is not one of {EVIDENCE_LEVELS}")
        return level

    def review_flags(self) -> tuple[ReviewFlagRule, ...]:
        """Version 2 only: the review flags of ruleset-v2.md s4, each with its trigger."""
        if self.engine == 1:
            return ()
        return tuple(
            ReviewFlagRule(
                id=self.text(item, "id", f"$.review_flags[{i}]"),
                text=self.text(item, "text", f"$.review_flags[{i}]"),
                clauses=self.clauses(item, f"$.review_flags[{i}]"),
            )
            for i, item in enumerate(self.field(self.data, "review_flags", "$", list))
        )

    def measures(self) -> tuple[MeasureRule, ...]:
        return tuple(
            MeasureRule(
                id=self.text(item, "id", f"$.measures[{i}]"),
                text=self.text(item, "text", f"$.measures[{i}]"),
                clauses=self.clauses(item, f"$.measures[{i}]"),
                source=self.text(item, "source", f"$.measures[{i}]"),
            )
            for i, item in enumerate(self.field(self.data, "measures", "$", list))
        )

    def clauses(self, item: Mapping[str, Any], path: str) -> tuple[Clause, ...]:
        result = []
        for i, clause in enumerate(self.field(item, "when_any", path, list)):
            where = f"{path}.when_any[{i}]"
            conditions = tuple(
                self.condition(c, f"{where}.all[{j}]")
                for j, c in enumerate(self.field(clause, "all", where, list))
            )
            reason = self.text(clause, "reason", where)
            self.check_placeholders(reason, f"{where}.reason")
            result.append(Clause(conditions, reason))
        if not result:
            raise InvalidRuleSet(f"{path}.when_any: at least one clause")
        return tuple(result)

    def condition(self, item: Mapping[str, Any], path: str) -> Condition:
        fact = self.text(item, "fact", path)
        if fact not in FACTS:
            raise InvalidRuleSet(f"{path}.fact: unknown fact {fact} (known: {', '.join(FACTS)})")
        ops = [op for op in OPS if op in item]
        if len(ops) != 1:
            raise InvalidRuleSet(f"{path}: exactly one of {', '.join(OPS)}")
        op: Op = ops[0]
        operand = _operand(op, item[op], FACTS[fact], self.threshold_names, path)
        limit = self.threshold_values[str(operand)] if op == "at_least" else 0
        return Condition(fact, op, operand, limit)

    def check_placeholders(self, text: str, path: str, extra: set[str] | None = None) -> None:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        known = (set(FACTS) if extra is None else extra) | self.threshold_names
        unknown = names - known
        if unknown:
            raise InvalidRuleSet(f"{path}: unknown placeholder {', '.join(sorted(unknown))}")


_RULE_KEYS = ("id", "finding", "text", "source")


def _check_ranges(thresholds: Mapping[str, Threshold]) -> None:
    for name, (low, high) in RANGED_THRESHOLDS.items():
        value = thresholds[name].value
        if not low <= value <= high:
            raise InvalidRuleSet(
                f"$.thresholds.{name}.value: {value} is outside the program setting's "
                f"range {low}-{high} (instruments.md; facts.md s2.5)"
            )


def _operand(
    op: Op, given: Any, fact: tuple[str, Sequence[str]], thresholds: set[str], path: str
) -> bool | str | tuple[str, ...]:
    """Check that the operand fits the fact's kind (facts.py) and return it."""
    kind, allowed = fact
    if op == "is" and kind == "bool" and isinstance(given, bool):
        return given
    if op == "in" and kind == "enum" and isinstance(given, list) and set(given) <= set(allowed):
        return tuple(given)
    if op == "at_least" and kind == "count" and given in thresholds:
        return str(given)
    if op in ("contains", "lacks") and kind == "set" and given in allowed:
        return str(given)
    raise InvalidRuleSet(
        f"{path}.{op}: {given!r} does not fit a {kind} fact ({', '.join(allowed)})"
    )


class _Names(dict[str, object]):
    """Placeholder values, each fact turned into words only when a reason names it."""

    def __init__(self, facts: Mapping[str, FactValue], values: Mapping[str, int]) -> None:
        super().__init__(values)
        self.facts = facts

    def __missing__(self, name: str) -> object:
        return shown_fact(self.facts[name])


def reason_names(facts: Mapping[str, FactValue], values: Mapping[str, int]) -> dict[str, object]:
    """What a reason's placeholders may name: every fact (as a sentence reads it) and threshold."""
    return _Names(facts, values)


def reason_text(clause: Clause, names: Mapping[str, object]) -> str:
    """The clause's reason with its placeholders filled (names from ``reason_names``)."""
    return clause.reason.format_map(names)
