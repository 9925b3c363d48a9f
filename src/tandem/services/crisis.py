"""When a patient's pages show the crisis resources: the one rule every page uses.

DESIGN.md s5 "Safety first" and issue 4: crisis resources appear whenever there is any
sign of suicide risk. Two sources count, whichever says so first:

- the formulation's suicide risk above none (ruleset-v1.md s7: the C-SSRS tiers
  low/moderate/high, and needs_assessment = PHQ-9 item 9 >= 1 without a C-SSRS);
  not_screened (no information) and none do not show it by themselves;
- any screen recorded in the patient's current episode showing risk, as the scorer
  stored it: the PHQ-9's suicide-item flag (facts.md s2.1) or a C-SSRS tier other than
  none (instruments.md). This covers a screen recorded before, or after, the formulation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tandem.storage.models import Patient

CRISIS_SUICIDE_RISKS = frozenset({"low", "moderate", "high", "needs_assessment"})


def formulation_shows_risk(output: dict[str, Any] | None) -> bool:
    """Whether a stored formulation output's suicide risk is above none."""
    if not output:
        return False
    return str(output.get("risk", {}).get("suicide", "")) in CRISIS_SUICIDE_RISKS


def result_shows_risk(result: dict[str, Any]) -> bool:
    """Whether one stored instrument result is a sign of suicide risk."""
    if "suicide_item_positive" in result.get("flags", []):
        return True
    return result.get("instrument") == "cssrs" and result.get("band") not in (None, "none")


def screens_show_risk(patient: Patient) -> bool:
    """Whether any screen recorded in the patient's current episode shows suicide risk."""
    episode = patient.episodes.order_by("-started_on", "-pk").first()
    if episode is None:
        return False
    results = patient.administrations.filter(episode=episode).values_list("result", flat=True)
    return any(result_shows_risk(result) for result in results)


def shows_crisis_resources(patient: Patient, output: dict[str, Any] | None = None) -> bool:
    """The crisis rule for every patient page. ``output`` is the formulation the page
    shows; without one, the patient's latest formulation is read."""
    if output is None:
        latest = patient.formulations.order_by("-created_at", "-pk").first()
        output = latest.output if latest else None
    return formulation_shows_risk(output) or screens_show_risk(patient)


# What the staff risk panel says is due, in the program's words. C-SSRS at every visit
# while suicide risk is above none (tandem-default rule sets, measure cssrs_every_visit).
_SAFETY_PLAN = "safety_plan"


@dataclass(frozen=True)
class RiskPanel:
    """The staff pages' risk panel (issue 12 item 8): risks, the last C-SSRS, the
    safety plan's state and what is due today. Built from records already accessed."""

    suicide: str  # a ``labels.SUICIDE_RISKS`` id, or "" before any formulation
    overdose: str
    last_cssrs: dt.date | None
    last_cssrs_band: str
    safety_plan: str  # "signed", "draft", "not_in_plan" or "not_needed"
    due: tuple[str, ...]
    raised: bool  # any sign of suicide risk (shows_crisis_resources)

    @property
    def level(self) -> str:
        """How loud the panel is: "danger" (moderate/high), "raised", or "calm"."""
        if self.suicide in ("moderate", "high"):
            return "danger"
        return "raised" if self.raised or self.overdose == "elevated" else "calm"


def risk_panel(patient: Patient, output: dict[str, Any] | None, today: dt.date) -> RiskPanel:
    """The risk panel for ``patient``; ``output`` is the formulation the page shows (the
    latest when None)."""
    if output is None:
        latest = patient.formulations.order_by("-created_at", "-pk").first()
        output = latest.output if latest else None
    risk = (output or {}).get("risk", {})
    suicide = str(risk.get("suicide", "") or "")
    raised = formulation_shows_risk(output) or screens_show_risk(patient)
    cssrs = (
        patient.administrations.filter(instrument_id="cssrs")
        .order_by("-administered_on", "-pk")
        .first()
    )
    plan = patient.plans.order_by("-created_at", "-pk").first()
    safety = _safety_plan_state(plan, output)
    due: list[str] = []
    if raised and (cssrs is None or cssrs.administered_on < today):
        due.append("C-SSRS at this visit (suicide risk is above none)")
    if "screens_disagree" in risk.get("flags", []):
        due.append("Resolve the disagreeing suicide screens today")
    if safety in ("draft", "not_in_plan"):
        due.append("Complete and sign the safety plan")
    reassess = _as_date((output or {}).get("reassess_on"))
    if reassess is not None and reassess <= today:
        due.append(f"Depression reassessment (due {reassess.isoformat()})")
    if plan is not None and plan.review_on is not None and plan.review_on <= today:
        due.append(f"Plan review (due {plan.review_on.isoformat()})")
    return RiskPanel(
        suicide=suicide,
        overdose=str(risk.get("overdose", "") or ""),
        last_cssrs=cssrs.administered_on if cssrs else None,
        last_cssrs_band=str((cssrs.result or {}).get("band") or "") if cssrs else "",
        safety_plan=safety,
        due=tuple(due),
        raised=raised,
    )


def _safety_plan_state(plan: Any, output: dict[str, Any] | None) -> str:
    proposed = {
        str(item.get("id")) for item in (output or {}).get("plan", {}).get("interventions", [])
    }
    in_plan = plan is not None and plan.interventions.filter(intervention_id=_SAFETY_PLAN).exists()
    if not in_plan:
        return "not_in_plan" if _SAFETY_PLAN in proposed else "not_needed"
    return "signed" if plan.status == "signed" else "draft"


def _as_date(value: object) -> dt.date | None:
    """A stored ISO date (never the text "null")."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class HelpResource:
    """One place to reach for help now (portal.md "help screen"; facts.md s10, s12.4)."""

    name: str
    call: str
    text: str | None
    note: str


# The help screen's resources, the same as the pages' (web/templates/_crisis.html):
# 988 (call or text; press 2 for Spanish and 1 for Veterans on a call; AYUDA to 988 to
# text in Spanish: facts.md s12.4) and 911 in immediate danger.
HELP_RESOURCES = (
    HelpResource(
        "988 Suicide & Crisis Lifeline",
        call="988",
        text="988",
        note="24 hours a day, in English and Spanish. On a call, press 2 for Spanish and 1 "
        "for Veterans; to text in Spanish, send AYUDA to 988.",
    ),
    HelpResource("Emergency", call="911", text=None, note="In immediate danger, call 911."),
)


def help_now(patient: Patient, *, care_team_told: bool) -> dict[str, Any]:
    """The help screen as data (the API's ``help`` object after a "yes" to safety): the
    resources, the clinic's phone (may be empty) and whether the care team was told."""
    return {
        "resources": [vars(resource) for resource in HELP_RESOURCES],
        "clinic_phone": patient.organization.phone,
        "care_team_told": care_team_told,
    }
