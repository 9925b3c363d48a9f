"""A formulation as plain text a clinician can paste into a note (``tandem assess``).

Ids read as the labels the clinic's pages show (``tandem.domain.labels``); rule ids stay,
as the note's provenance.
"""

from __future__ import annotations

from tandem.domain.formulation.formulation import Formulation
from tandem.domain.labels import band_label, instrument_label, label


def summary(formulation: Formulation) -> str:
    """A short, readable note: findings first, then risk, level of care, plan, rules."""
    f = formulation
    lines = [
        f"Formulation ({f.ruleset}); a screen to be confirmed by the clinician.",
        *_urgent(f),
        f"Onset order: {label('onset_order', f.onset_order)}.",
        f"Current depression: {_current(f)}.",
        _use_disorder(f),
        f"Codes to confirm: {', '.join(f.diagnosis_codes) or 'none'}.",
    ]
    for episode in f.episodes:
        end = episode.episode.end.text if episode.episode.end else "ongoing"
        lines.append(
            f"  Episode {episode.episode.onset.text} to {end}: "
            f"{label('episode_classification', episode.classification)} ({episode.reason})."
        )
    lines += [_scores(f), *_item9(f), f"Suicide risk: {label('suicide_risk', f.risk.suicide)}. "
              f"Overdose risk: {label('overdose_risk', f.risk.overdose)}."]  # fmt: skip
    lines += [f"  Action: {action}." for action in f.risk.actions]
    place = f.placement
    where = "offered here" if place.within_program else (place.note or "referral needed")
    lines.append(
        f"Level of care: {label('level', place.level)} (rule {place.rule}; {where}): "
        f"{'; '.join(place.reasons)}."
    )
    if place.adult is not None:
        adult = place.adult
        lines.append(
            f"  For information only, the adult rules would give {label('level', adult.level)} "
            f"(rule {adult.rule}): {'; '.join(adult.reasons)}."
        )
    lines += [f"  Review before deciding: {flag.text}" for flag in place.review_flags]
    lines.append("Plan:" if f.plan.interventions else "Plan: no intervention was triggered.")
    lines += [
        f"  - {label('intervention', i.id)} [{', '.join(label('target', t) for t in i.targets)}"
        f"{'; adjunct' if i.adjunct else ''}{_evidence(i.evidence_level)}]: {i.reason}; "
        f"{i.frequency}."
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
    text = label("current_depression", f.current_depression)
    if f.reassess_on:
        text += f", reassess on {f.reassess_on.isoformat()}"
    return text


def _scores(f: Formulation) -> str:
    parts = []
    for name, result in f.scores.items():
        band = _lower(band_label(name, result.band)) if result.band else "-"
        value = band if result.total is None else f"{result.total} ({band})"
        parts.append(f"{instrument_label(name)} {value}{', positive' if result.positive else ''}")
    return "Scores: " + ("; ".join(parts) if parts else "none given") + "."


def _use_disorder(f: Formulation) -> str:
    use = f.use_disorder
    substance = label("substance", use.substance)
    if use.criteria_count is None:
        severity = "not assessed (the DSM-5-TR criteria were not assessed)"
    else:
        severity = (
            f"{_lower(label('severity', use.severity))} ({use.criteria_count} of 11 criteria)"
        )
    if use.remission:
        severity += f", in {use.remission} remission"
    return f"Stimulant use disorder ({substance}): {severity}."


def _item9(f: Formulation) -> list[str]:
    """Version 2 (ruleset-v2.md s3): the note prints item 9 whenever a PHQ-9 was given."""
    phq9_item9 = f.risk.facts.get("phq9_item9", None)
    if f.engine == 1 or "phq9" not in f.scores:
        return []
    answer = "not given (total only)" if phq9_item9 is None else str(phq9_item9)
    flags = (
        f"; flags: {', '.join(label('risk_flag', x) for x in f.risk.flags)}" if f.risk.flags else ""
    )
    return [f"PHQ-9 item 9 (thoughts of death or self-harm): {answer}{flags}."]


def _evidence(level: str | None) -> str:
    return "" if level is None else f"; {_lower(label('evidence_level', level))}"


def _lower(text: str) -> str:
    """A label inside a sentence ("Strong evidence" -> "strong evidence"; "PTSD" stays)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]
