"""The relapse-prevention plan the patient and clinician keep together (portal.md "My
plan"): triggers, warning signs, coping steps, people to call, reasons for change.

Either may edit it (the patient in the portal, a clinician who can see the patient on
the chart); every change is a new version (``RelapsePreventionPlan``), audited, and the
newest version is the plan. Free text, checked like every other typed text.
"""

from __future__ import annotations

from typing import Any, Final

from django.db import transaction
from django.db.models import Max

from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.clock import get_clock
from tandem.services.errors import ValidationFailed
from tandem.services.permissions import require
from tandem.services.typed_text import refuse_bad_text
from tandem.storage.models import Patient, RelapsePreventionPlan

FIELDS: Final = (
    "triggers",
    "warning_signs",
    "coping_steps",
    "people_to_call",
    "reasons_for_change",
)
MAX_CHARS: Final = 4000  # per field (the program's choice)


def latest(patient: Patient) -> RelapsePreventionPlan | None:
    """The newest version (the caller has checked access), or None."""
    return RelapsePreventionPlan.objects.filter(patient=patient).order_by("-version").first()


def lines(text: str) -> list[str]:
    """A field as the list of its non-empty lines (one step or person per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def plan_for(actor: Actor, patient_id: Any) -> RelapsePreventionPlan | None:
    """The newest version for a patient the actor may see (audited read)."""
    patient = access_patient(as_actor(actor), patient_id, action="relapse_prevention.view")
    return latest(patient)


def _clean(values: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not part of the plan", unknown[0])
    cleaned = {}
    for name in FIELDS:
        text = str(values.get(name) or "").strip()
        if len(text) > MAX_CHARS:
            raise ValidationFailed(f"{name}: at most {MAX_CHARS:,} characters", name)
        refuse_bad_text(text, name)
        cleaned[name] = text
    return cleaned


@audited_failures("relapse_prevention.save")
def save_version(actor: Actor, patient_id: Any, values: dict[str, Any]) -> RelapsePreventionPlan:
    """Save a new version (the patient, or a clinician who may edit plans)."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="relapse_prevention.save")
    if actor.kind != "patient":
        require(actor, "plan.edit", patient.pk)
    cleaned = _clean(values)
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        newest = RelapsePreventionPlan.objects.filter(patient=patient).aggregate(v=Max("version"))
        plan = RelapsePreventionPlan.objects.create(
            patient=patient,
            version=(newest["v"] or 0) + 1,
            written_by=actor.name,
            written_by_patient=actor.kind == "patient",
            saved_at=get_clock().now(),
            **cleaned,
        )
        record_event(
            actor,
            "relapse_prevention.save",
            patient_id=patient.pk,
            record_type="relapse_prevention_plan",
            record_id=plan.pk,
        )
    return plan
