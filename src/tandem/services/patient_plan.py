"""The signed plan as the patient sees it (portal.md "My plan").

The patient sees the plan their clinician signed: when a signed plan is edited it goes
back to draft (``services.plans``), and until it is signed again the patient keeps seeing
the last signed version (its frozen ``CarePlanVersion`` snapshot). Its measures are
stored as the rule set's sentences; ``measure_ids`` reads them back as the rule set's ids
(``phq9_weekly``...), from the rule set that made the plan's formulation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.calendar import local_date
from tandem.storage.models import CarePlanVersion, Patient, StaffMember


@dataclass(frozen=True)
class PlanItem:
    """One intervention of the signed plan: its id, who is responsible, how often."""

    intervention_id: str
    responsible: StaffMember | None
    frequency: str


@dataclass(frozen=True)
class SignedPlan:
    plan_id: int
    version: int
    signed_on: dt.date  # the clinic-local day it was signed
    items: tuple[PlanItem, ...]
    measure_ids: tuple[str, ...]

    def has(self, intervention_id: str) -> bool:
        return any(item.intervention_id == intervention_id for item in self.items)


def _measure_ids(texts: list[str], ruleset_id: str) -> tuple[str, ...]:
    """The rule set's measure ids for the plan's measure sentences (the plan's own rule
    set first, then every shipped one; a sentence no rule set has is left out)."""
    from tandem.rulesets import RULESETS, load_ruleset

    order = [ruleset_id, *RULESETS] if ruleset_id in RULESETS else list(RULESETS)
    by_text: dict[str, str] = {}
    for rid in reversed(order):  # the plan's own rule set wins
        by_text.update({m.text: m.id for m in load_ruleset(rid).measures})
    return tuple(by_text[text] for text in texts if text in by_text)


def signed_plan(patient: Patient) -> SignedPlan | None:
    """The patient's latest signed plan version, or None (the caller checked access)."""
    versions = CarePlanVersion.objects.filter(plan__patient=patient).select_related(
        "plan__formulation"
    )
    for version in versions.order_by("-saved_at", "-pk"):
        snapshot: dict[str, Any] = version.snapshot
        if snapshot.get("status") == "signed":
            return _from_snapshot(patient, version, snapshot)
    return None


def _from_snapshot(
    patient: Patient, version: CarePlanVersion, snapshot: dict[str, Any]
) -> SignedPlan:
    items = snapshot.get("interventions", [])
    staff_ids = {item.get("responsible") for item in items} - {None}
    staff = {s.pk: s for s in StaffMember.objects.filter(pk__in=staff_ids)}
    ruleset_id = str(version.plan.formulation.output.get("ruleset", ""))
    return SignedPlan(
        plan_id=version.plan_id,
        version=version.version,
        signed_on=local_date(version.saved_at, patient.organization.time_zone),
        items=tuple(
            PlanItem(
                str(item.get("intervention_id", "")),
                staff.get(item.get("responsible")),
                str(item.get("frequency") or ""),
            )
            for item in items
        ),
        measure_ids=_measure_ids(list(snapshot.get("measures", [])), ruleset_id),
    )


def my_plan(actor: Actor, patient_id: Any) -> SignedPlan | None:
    """The signed plan for a patient the actor may see (one audited read)."""
    patient = access_patient(as_actor(actor), patient_id, action="plan.view")
    return signed_plan(patient)
