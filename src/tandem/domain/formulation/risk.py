"""Suicide and overdose risk, and the actions they call for (ruleset-v1.md s7).

Suicide: the C-SSRS screen's triage tier (facts.md s2.4); without one, a positive
PHQ-9 item 9 (facts.md s2.1, Simon 2013) or QIDS-SR16 item 12 (s2.12) means a C-SSRS is
needed today. Overdose: facts.md s9 (most cocaine-involved overdose deaths also involve
an opioid; naloxone and fentanyl test strips, ASAM/AAAP recs 85-86).
"""

from __future__ import annotations

from tandem.domain.formulation.case import Case
from tandem.domain.formulation.timeline import Finding

COMPLETE_CSSRS = "complete a C-SSRS today"
NALOXONE = "naloxone and fentanyl test strips"
# facts.md s10 (988 Lifeline, Veterans press 1, 911 in immediate danger); DESIGN.md s5.
CRISIS_RESOURCES = (
    "give crisis resources: call or text 988 (Veterans: 988 then press 1); 911 in immediate danger"
)
# facts.md s2.4: high-risk answers call for precautions until a professional evaluates.
HIGH_RISK_PRECAUTIONS = (
    "safety precautions until a mental-health professional evaluates the patient today"
)


def suicide_risk(case: Case) -> tuple[str, Finding]:
    cssrs = case.scores.get("cssrs")
    if cssrs is not None and cssrs.band is not None:
        return cssrs.band, Finding("RS1", f"the C-SSRS screen gives the {cssrs.band} risk tier")
    phq9_item9 = case.answer("phq9", 9)
    qids_item12 = case.answer("qids_sr16", 12)
    if (phq9_item9 or 0) >= 1 or (qids_item12 or 0) >= 1:
        which = "PHQ-9 item 9" if (phq9_item9 or 0) >= 1 else "QIDS-SR16 item 12"
        text = f"no C-SSRS was given and {which} is positive: {COMPLETE_CSSRS}"
        return "needs_assessment", Finding("RS2", text)
    if phq9_item9 == 0:
        return "none", Finding("RS3", "no C-SSRS was given; PHQ-9 item 9 is 0")
    text = f"no C-SSRS and no PHQ-9 were given: suicide risk was not screened; {COMPLETE_CSSRS}"
    return "not_screened", Finding("RS4", text)


def overdose_risk(case: Case, low_days: int) -> tuple[str, Finding]:
    s = case.stimulant
    reasons = [
        text
        for present, text in (
            (s.overdose_past_12_months, "an overdose in the past 12 months"),
            (s.opioid_co_use, "opioid co-use"),
            (s.route == "injected", "injection"),
            (s.uses_alone, "using alone"),
        )
        if present
    ]
    if reasons:
        return "elevated", Finding("RO1", f"overdose risk is elevated: {', '.join(reasons)}")
    unknown_or_old = s.last_use is None or (case.assessed_on - s.last_use).days > low_days
    if s.days_used_past_30 == 0 and unknown_or_old:
        text = f"no known use in the past {low_days} days: overdose risk is low"
        return "low", Finding("RO2", text)
    text = "known use in the past year: overdose risk is standard"
    return "standard", Finding("RO3", text)


def risk_facts(case: Case) -> dict[str, object]:
    """The inputs the suicide and overdose rules read (shown with the risk findings)."""
    cssrs = case.scores.get("cssrs")
    s = case.stimulant
    return {
        "cssrs_tier": cssrs.band if cssrs is not None else None,
        "phq9_item9": case.answer("phq9", 9),
        "qids_item12": case.answer("qids_sr16", 12),
        "overdose_past_12_months": s.overdose_past_12_months,
        "opioid_co_use": s.opioid_co_use,
        "route": s.route,
        "uses_alone": s.uses_alone,
        "days_used_past_30": s.days_used_past_30,
        "last_use": s.last_use.isoformat() if s.last_use else None,
    }


def risk_actions(suicide: str, overdose: str) -> tuple[str, ...]:
    actions: list[str] = []
    if suicide == "high":
        actions.append(HIGH_RISK_PRECAUTIONS)
    if suicide in ("needs_assessment", "not_screened"):
        actions.append(COMPLETE_CSSRS)
    if suicide in ("low", "moderate", "high", "needs_assessment"):
        actions.append(CRISIS_RESOURCES)
    if overdose != "low":
        actions.append(NALOXONE)
    return tuple(actions)


# --- ruleset-v2.md s3 ------------------------------------------------------------------------

RESOLVE_SCREENS = "a clinician resolves the difference between the screens today"


def suicide_risk_v2(case: Case) -> tuple[str, tuple[Finding, ...], tuple[str, ...]]:
    """The tier, the findings behind it and ``risk.flags`` (ruleset-v2.md s3).

    With a C-SSRS, its tier raised to at least ``low`` when PHQ-9 item 9 or QIDS-SR16
    item 12 is positive (program: a positive item 9 is a positive screen whatever the
    other says, facts.md s2.1; no published rule resolves a disagreement, facts.md s12.2,
    so the higher one stands and a clinician reviews). A negative C-SSRS never erases
    item 9. Without a C-SSRS, as v1.
    """
    item9 = case.answer("phq9", 9)
    item12 = case.answer("qids_sr16", 12)
    flags = []
    if (item9 or 0) >= 1:
        flags.append("item9_positive")
    if (item12 or 0) >= 1:
        flags.append("qids_item12_positive")
    cssrs = case.scores.get("cssrs")
    if cssrs is None or cssrs.band is None:
        tier, finding = suicide_risk(case)
        return tier, (finding,), tuple(flags)
    tier = cssrs.band
    findings = [Finding("RS1", f"the C-SSRS screen gives the {tier} risk tier")]
    if flags and tier == "none":
        which = " and ".join(_positive_items(item9, item12))
        raised = f"{which} positive: suicide risk raised from none to low"
        findings.append(Finding("RS6", f"{raised} (a negative C-SSRS never erases it)"))
        findings.append(Finding("RS7", f"the screens disagree: {RESOLVE_SCREENS}"))
        flags.append("screens_disagree")
        tier = "low"
    return tier, tuple(findings), tuple(flags)


def _positive_items(item9: int | None, item12: int | None) -> list[str]:
    items = []
    if (item9 or 0) >= 1:
        items.append(f"PHQ-9 item 9 = {item9}")
    if (item12 or 0) >= 1:
        items.append(f"QIDS-SR16 item 12 = {item12}")
    return items


def overdose_risk_v2(
    case: Case, *, no_use_past_year: bool, criteria_count: int | None
) -> tuple[str, Finding]:
    """ruleset-v2.md s3: ``low`` only with no use in the past 12 months (known) and fewer
    than 2 criteria met (assessed); an unknown last use is treated as possible use."""
    s = case.stimulant
    if _any_factor(case):
        return overdose_risk(case, 0)  # RO1, as v1 (the low_days bound is not reached)
    if no_use_past_year and criteria_count is not None and criteria_count < 2:
        text = "no use in the past 12 months (known) and fewer than 2 criteria met: low"
        return "low", Finding("RO2", text)
    if s.last_use is None:
        text = "last use unknown: treated as possible current use; overdose risk is standard"
        return "standard", Finding("RO4", text)
    why = (
        "use in the past 12 months is possible"
        if not no_use_past_year
        else "criteria for a use disorder are met or were not assessed"
    )
    return "standard", Finding("RO3", f"{why}: overdose risk is standard")


def _any_factor(case: Case) -> bool:
    s = case.stimulant
    return (
        s.overdose_past_12_months is True
        or s.opioid_co_use is True
        or s.route == "injected"
        or s.uses_alone is True
    )


def overdose_factors_not_asked(case: Case, possible_use_past_year: bool) -> bool:
    """A risk factor not asked (null) while use in the past 12 months is possible."""
    s = case.stimulant
    unasked = None in (s.overdose_past_12_months, s.uses_alone, s.opioid_co_use)
    return unasked and possible_use_past_year


def risk_actions_v2(suicide: str, overdose: str, flags: tuple[str, ...]) -> tuple[str, ...]:
    """v1's actions, and the screens' difference resolved today when they disagree."""
    actions = list(risk_actions(suicide, overdose))
    if "screens_disagree" in flags:
        actions.insert(0, RESOLVE_SCREENS)
    return tuple(actions)
