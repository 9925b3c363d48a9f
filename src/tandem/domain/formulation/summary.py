"""A formulation as plain text a clinician can paste into a note (``tandem assess``)."""

from __future__ import annotations

from tandem.domain.formulation.formulation import Formulation


def summary(formulation: Formulation) -> str:
    """A short, readable note: findings first, then risk, level of care, plan, rules."""
    f = formulation
    use = f.use_disorder
    lines = [
        f"Formulation ({f.ruleset}); a screen to be confirmed by the clinician.",
        *_urgent(f),
        f"Onset order: {f.onset_order.replace('_', ' ')}.",
        f"Current depression: {_current(f)}.",
        f"Stimulant use disorder ({use.substance.replace('_', ' ')}): {use.severity} "
        f"({use.criteria_count} of 11 criteria).",
        f"Codes to confirm: {', '.join(f.diagnosis_codes) or 'none'}.",
    ]
    for episode in f.episodes:
        end = episode.episode.end.text if episode.episode.end else "ongoing"
        lines.append(
            f"  Episode {episode.episode.onset.text} to {end}: "
            f"{episode.classification.replace('_', ' ')} ({episode.reason})."
        )
    lines += [_scores(f), f"Suicide risk: {f.risk.suicide.replace('_', ' ')}. "
              f"Overdose risk: {f.risk.overdose}."]  # fmt: skip
    lines += [f"  Action: {action}." for action in f.risk.actions]
    place = f.placement
    where = "offered here" if place.within_program else (place.note or "referral needed")
    lines.append(
        f"Level of care: {place.level.replace('_', ' ')} (rule {place.rule}; {where}): "
        f"{'; '.join(place.reasons)}."
    )
    lines.append("Plan:" if f.plan.interventions else "Plan: no intervention was triggered.")
    lines += [
        f"  - {i.id.replace('_', ' ')} [{', '.join(i.targets)}{'; adjunct' if i.adjunct else ''}]:"
        f" {i.reason}; {i.frequency}."
        for i in f.plan.interventions
    ]
    lines.append("Measures: " + "; ".join(f.plan.measures) + ".")
    lines.append(
        "Rules: "
        + ", ".join(dict.fromkeys(r.rule for r in f.rationale if r.rule != "notice"))
        + "."
    )
    lines.append(f.rationale[-1].text)
    return "\n".join(lines) + "\n"


def _urgent(f: Formulation) -> list[str]:
    """Safety first (DESIGN.md s5): an emergency placement opens the note."""
    if f.placement.level != "emergency":
        return []
    return [f"EMERGENCY EVALUATION NEEDED NOW: {'; '.join(f.placement.reasons)}."]


def _current(f: Formulation) -> str:
    text = f.current_depression.replace("_", " ")
    if f.reassess_on:
        text += f", reassess on {f.reassess_on.isoformat()}"
    return text


def _scores(f: Formulation) -> str:
    parts = []
    for name, result in f.scores.items():
        value = result.band if result.total is None else f"{result.total} ({result.band or '-'})"
        parts.append(f"{name} {value}{', positive' if result.positive else ''}")
    return "Scores: " + ("; ".join(parts) if parts else "none given") + "."
