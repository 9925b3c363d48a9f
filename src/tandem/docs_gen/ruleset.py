"""docs/clinical/ruleset.md: the packaged rule sets, written out from their files.

Every threshold with its source and whether it is the program's own choice, every rule
the engine implements, every placement rule, review flag, plan intervention and measure
with the clauses that trigger it. Version 2 (the default) and version 1 side by side,
then each in full. Generated from ``tandem/rulesets/*.json`` via ``load_ruleset``, so the
page cannot drift from what the engine runs.
"""

from __future__ import annotations

from tandem.domain.formulation.facts import FACTS
from tandem.domain.formulation.ruleset import Clause, Condition, RuleSet
from tandem.rulesets import DEFAULT_ID, RULESETS, load_ruleset

TARGET = "docs/clinical/ruleset.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _condition(condition: Condition, ruleset: RuleSet) -> str:
    if condition.op == "is":
        return f"`{condition.fact}` is {str(condition.operand).lower()}"
    if condition.op == "in":
        values = condition.operand if isinstance(condition.operand, tuple) else ()
        return f"`{condition.fact}` in {', '.join(values)}"
    if condition.op == "at_least":
        name = str(condition.operand)
        return f"`{condition.fact}` >= `{name}` ({ruleset.value(name)})"
    if condition.op == "lacks":
        return f"`{condition.fact}` lacks {condition.operand}"
    return f"`{condition.fact}` contains {condition.operand}"


def _clauses(clauses: tuple[Clause, ...], ruleset: RuleSet) -> str:
    parts = []
    for clause in clauses:
        conditions = " and ".join(_condition(c, ruleset) for c in clause.conditions)
        parts.append(conditions or "always")
    return _cell("; or ".join(parts))


def _thresholds(ruleset: RuleSet) -> list[str]:
    lines = [
        "### Thresholds",
        "",
        "| name | value | unit | meaning | source | program's own choice |",
        "|---|---|---|---|---|---|",
    ]
    for t in ruleset.thresholds.values():
        choice = "**yes**" if t.program_choice else "no"
        lines.append(
            f"| `{t.name}` | {t.value} | {_cell(t.unit)} | {_cell(t.meaning)} | "
            f"{_cell(t.source)} | {choice} |"
        )
    return [*lines, ""]


def _rules(ruleset: RuleSet) -> list[str]:
    lines = [
        "### Rules the engine implements in code",
        "",
        "Onset order (O), episodes (E), current depression (C), use disorder (U), codes (K),",
        "suicide risk (RS) and overdose risk (RO). The first rule that applies wins within",
        "each group; every formulation lists the rules that fired in `rationale`.",
        "",
        "| id | finding | rule | source |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r.id} | {_cell(r.finding)} | {_cell(r.text)} | {_cell(r.source)} |"
        for r in ruleset.rules
    ]
    return [*lines, ""]


def _placement(ruleset: RuleSet) -> list[str]:
    lines = [
        "### Placement (first rule that matches)",
        "",
        "| rule | level | when | reasons shown |",
        "|---|---|---|---|",
    ]
    for rule in ruleset.placement:
        reasons = "; ".join(c.reason for c in rule.clauses)
        lines.append(
            f"| {rule.id} | `{rule.level}` | {_clauses(rule.clauses, ruleset)} | {_cell(reasons)} |"
        )
    lines += [
        "",
        "Frequency of each intervention by level, unless the intervention sets its own:",
        "",
    ]
    lines += [f"- `{level}`: {text}" for level, text in ruleset.frequency_by_level.items()]
    return [*lines, ""]


def _plan(ruleset: RuleSet) -> list[str]:
    lines = [
        "### Plan interventions (every one whose trigger matches, in this order)",
        "",
        "| id | category | targets | adjunct | added when | evidence | evidence note | frequency |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule in ruleset.interventions:
        lines.append(
            f"| `{rule.id}` | {rule.category} | {', '.join(rule.targets)} | "
            f"{'yes' if rule.adjunct else 'no'} | {_clauses(rule.clauses, ruleset)} | "
            f"{rule.evidence_level or 'not given (version 1)'} | "
            f"{_cell(rule.evidence)} | {_cell(rule.frequency or 'by level of care')} |"
        )
    lines += ["", "### Measures", "", "| id | measure | when | source |", "|---|---|---|---|"]
    lines += [
        f"| `{m.id}` | {_cell(m.text)} | {_clauses(m.clauses, ruleset)} | {_cell(m.source)} |"
        for m in ruleset.measures
    ]
    return [*lines, ""]


def _facts() -> list[str]:
    lines = ["## Facts the clauses read", "", "| fact | kind | values |", "|---|---|---|"]
    lines += [
        f"| `{name}` | {kind} | {', '.join(values) or '-'} |"
        for name, (kind, values) in FACTS.items()
    ]
    return [*lines, ""]


def _review_flags(ruleset: RuleSet) -> list[str]:
    if not ruleset.review_flags:
        return []
    lines = [
        "### Review flags (shown beside the level; they never change it)",
        "",
        "| id | when | text |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{f.id}` | {_clauses(f.clauses, ruleset)} | {_cell(f.text)} |"
        for f in ruleset.review_flags
    ]
    return [*lines, ""]


def _side_by_side(new: RuleSet, old: RuleSet) -> list[str]:
    """Placement rules, interventions and measures whose trigger differs between versions."""
    lines = [
        f"## Side by side: `{old.id}` and `{new.id}`",
        "",
        "Every placement rule, plan intervention and measure whose trigger differs (absent:",
        "the version does not have it). Review flags and evidence levels are new in version 2.",
        "",
        f"| kind | id | `{old.id}` | `{new.id}` |",
        "|---|---|---|---|",
    ]
    kinds: tuple[tuple[str, str], ...] = (
        ("placement", "placement"),
        ("intervention", "interventions"),
        ("measure", "measures"),
    )
    for kind, attribute in kinds:
        before = {r.id: _clauses(r.clauses, old) for r in getattr(old, attribute)}
        after = {r.id: _clauses(r.clauses, new) for r in getattr(new, attribute)}
        for rule_id in dict.fromkeys([*after, *before]):
            if before.get(rule_id) != after.get(rule_id):
                lines.append(
                    f"| {kind} | `{rule_id}` | {before.get(rule_id, 'absent')} | "
                    f"{after.get(rule_id, 'absent')} |"
                )
    return [*lines, ""]


def _catalogue(ruleset: RuleSet, file: str, spec: str) -> list[str]:
    return [
        f"## `{ruleset.id}` in full",
        "",
        f"From `src/tandem/rulesets/{file}`; specification `{spec}`. {ruleset.title}.",
        "",
        f"> {ruleset.notice}",
        "",
        *_thresholds(ruleset),
        *_rules(ruleset),
        *_placement(ruleset),
        *_review_flags(ruleset),
        *_plan(ruleset),
    ]


def render() -> str:
    new = load_ruleset(DEFAULT_ID)
    old = load_ruleset("tandem-default/1")
    head = [
        f"# Rule sets `{new.id}` (the default) and `{old.id}`",
        "",
        "<!-- generated by src/tandem/docs_gen/ruleset.py from src/tandem/rulesets/*.json;"
        " edit a rule-set file, then run `make docs` -->",
        "",
        f"`{new.id}` is what `tandem assess` and the clinic app use. `{old.id}` stays",
        "exact (`tandem assess --ruleset tandem-default/1`), so that a formulation stored",
        "under it can be re-checked against the rules it was made with. Decisions and",
        "provenance: `docs/clinical/formulation.md`; what the clinical review found and",
        "how version 2 answers it: `docs/clinical/ruleset-v2-review.md`.",
        "",
    ]
    body = [
        *_side_by_side(new, old),
        *_catalogue(new, RULESETS[new.id], "ruleset-v2.md"),
        *_catalogue(old, RULESETS[old.id], "ruleset-v1.md"),
    ]
    return "\n".join([*head, *body, *_facts()])
