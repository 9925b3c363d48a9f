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
