"""The only way to load patient data (STYLE.md s3; docs/adr/0002-access.md).

Rules: the actor must be active staff; the patient must belong to the actor's
organization; clinical roles (intake, therapist, prescriber, peer specialist) must be on
the patient's care team (SECURITY.md: "not on care team" is denied); directors and
admins see every patient of their own organization. A missing patient and a forbidden
one raise the same ``NotFound`` (404). Every attempt, allowed or not, is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT

from tandem.services.actors import Actor, as_actor
from tandem.services.audit import in_audited_write, note_subject, record_event
from tandem.services.errors import NotFound, ValidationFailed
from tandem.services.permissions import MAY
from tandem.storage.models import CarePlan, FormulationRecord, Patient, Placement, StaffMember

# Actions that change data: their name in the log means the write itself.
WRITE_ACTIONS = frozenset(action for action in MAY if not action.endswith(".view")) | {
    "patient.care_team",
    "plan.draft",
    "plan.update",
}


def visible_patients(staff: StaffMember) -> QuerySet[Patient]:
    """The patients ``staff`` may see (same organization; care team for clinical roles)."""
    patients = Patient.objects.filter(organization_id=staff.organization_id)
    if not staff.sees_whole_organization:
        patients = patients.filter(care_team=staff)
    return patients


def may_see(staff: StaffMember | None, patient: Patient) -> bool:
    if staff is None or patient.organization_id != staff.organization_id:
        return False
    if staff.sees_whole_organization:
        return True
    return patient.care_team.filter(pk=staff.pk).exists()


def _as_id(patient_id: Any) -> int | None:
    if isinstance(patient_id, Model):
        # Services take ids (issue 9 item 4): a model instance is a programming error,
        # not a missing record.
        raise TypeError(f"give the id, not a {type(patient_id).__name__}")
    try:
        value = int(patient_id)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


def access_patient(actor: Actor, patient_id: Any, *, action: str = "patient.view") -> Patient:
    """Load a patient the actor may see, auditing the read; else NotFound (404).

    Staff see their clinic's patients as their role and care team allow; a patient actor
    sees only their own record (every other one is missing to them, 404).
    """
    actor = as_actor(actor)
    wanted = _as_id(patient_id)
    staff = actor.staff
    patient = (
        Patient.objects.select_related("organization").filter(pk=wanted).first()
        if wanted is not None and (staff is not None or actor.kind == "patient")
        else None
    )
    if patient is None or not _may_reach(actor, staff, patient):
        outcome = "not_found" if patient is None else "denied"
        record_event(actor, action, patient_id=wanted, record_type="patient", outcome=outcome)
        raise NotFound()
    _granted(actor, action, patient.pk, "patient", patient.pk)
    return patient


def _granted(actor: Any, action: str, patient_id: int, record_type: str, record_id: Any) -> None:
    """Audit a granted access. Inside a write service (``audited_failures``) nothing is
    recorded here: the write's own event, "ok" only once it committed, or its refusal
    (``invalid``/``conflict``/``denied``), is the operation's one event. A write service
    that is not wrapped gets a distinct ``<action>.access`` read event, so the write's
    own name never shows "ok" for a write that was then refused."""
    note_subject(patient_id, record_type, record_id)
    if in_audited_write():
        return
    name = f"{action}.access" if action in WRITE_ACTIONS else action
    record_event(actor, name, patient_id=patient_id, record_type=record_type, record_id=record_id)


def _may_reach(actor: Actor, staff: Any, patient: Patient) -> bool:
    """A patient reaches their own record only; staff as ``may_see`` says."""
    if actor.kind == "patient":
        return actor.patient_id is not None and patient.pk == actor.patient_id
    return may_see(staff, patient)


def access_record(actor: Actor, model: type[Any], record_id: Any, *, action: str) -> Any:
    """Load a record that belongs to a patient (``model.patient``), with the same rules."""
    actor = as_actor(actor)
    wanted = _as_id(record_id)
    staff = actor.staff
    record = (
        model.objects.select_related("patient").filter(pk=wanted).first()
        if wanted is not None and (staff is not None or actor.kind == "patient")
        else None
    )
    record_type = model.__name__.lower()
    if record is None or not _may_reach(actor, staff, record.patient):
        patient_id = record.patient_id if record is not None else None
        record_event(
            actor,
            action,
            patient_id=patient_id,
            record_type=record_type,
            record_id=wanted or "",
            outcome="denied" if record else "not_found",
        )
        raise NotFound()
    _granted(actor, action, record.patient_id, record_type, record.pk)
    return record


@dataclass(frozen=True)
class CaseloadRow:
    """One line of a clinician's caseload (no score recomputed: read from the records)."""

    patient: Patient
    level: str
    suicide_risk: str
    overdose_risk: str
    reassess_on: str | None
    plan_review_on: Any


CASELOAD_STATUSES = ("active", "discharged", "all")


def caseload(actor: Actor, *, status: str = "active", query: str = "") -> list[CaseloadRow]:
    """The patients the actor may see, with their latest placement, risk and plan.

    ``status``: active (the default), discharged, or all. ``query``: part of a name, or a
    record number; matched in the database, never logged (the event lists patient ids).
    """
    actor = as_actor(actor)
    staff = actor.require_staff()
    if status not in CASELOAD_STATUSES:
        raise ValidationFailed(f"status: expected one of {', '.join(CASELOAD_STATUSES)}", "status")
    found = visible_patients(staff)
    if status != "all":
        found = found.filter(status=status)
    text = (query or "").strip()[:200]
    if text:
        by_name = Q(display_name__icontains=text)
        found = found.filter(by_name | Q(pk=int(text)) if text.isdigit() else by_name)
    patients = list(
        found.annotate(
            latest_formulation=_latest(FormulationRecord, "created_at", "pk"),
            latest_level=_latest(Placement, "decided_at", "decided_level"),
            plan_review_on=_latest(CarePlan, "created_at", "review_on"),
        ).order_by("display_name", "pk")
    )
    wanted = [p.latest_formulation for p in patients if p.latest_formulation]
    # Only the three fields the caseload shows are read out of each stored output (in SQL:
    # decoding 150 whole formulations costs more than the rest of the page).
    risks = {
        pk: {"suicide": suicide, "overdose": overdose, "reassess_on": reassess_on}
        for pk, suicide, overdose, reassess_on in FormulationRecord.objects.filter(
            pk__in=wanted
        ).values_list(
            "pk",
            KT("output__risk__suicide"),
            KT("output__risk__overdose"),
            KT("output__reassess_on"),
        )
    }
    rows = [_caseload_row(p, risks.get(p.latest_formulation, {})) for p in patients]
    record_event(
        actor,
        "caseload.view",
        record_type="caseload",
        record_id=len(rows),
        patient_ids=[row.patient.pk for row in rows],
    )
    return rows


def _latest(model: type[Any], newest_by: str, column: str) -> Subquery:
    """The ``column`` of the patient's newest ``model`` row (one subquery per column)."""
    newest = model.objects.filter(patient=OuterRef("pk")).order_by(f"-{newest_by}", "-pk")
    return Subquery(newest.values(column)[:1])


def _caseload_row(patient: Any, risk: dict[str, Any]) -> CaseloadRow:
    return CaseloadRow(
        patient=patient,
        level=patient.latest_level or "",
        suicide_risk=str(risk.get("suicide") or ""),
        overdose_risk=str(risk.get("overdose") or ""),
        # A JSON null read out as text is "null" on SQLite: no date, never the word.
        reassess_on=_date_text(risk.get("reassess_on")),
        plan_review_on=patient.plan_review_on,
    )


def _date_text(value: Any) -> str | None:
    """A stored ISO date as text, or None (empty, JSON null, or the text "null")."""
    text = str(value or "").strip()
    return None if text in ("", "null", "None") else text
