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
