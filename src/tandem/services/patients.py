"""Registering patients, their care team and discharge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tandem.domain.monitoring.panel import PRESCRIBABLE_OPIOIDS
from tandem.services.access import access_patient, visible_patients
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import clinic_today, patient_today
from tandem.services.clock import get_clock
from tandem.services.errors import Forbidden, ValidationFailed
from tandem.services.permissions import may, require
from tandem.services.typed_text import refuse_bad_name
from tandem.storage.models import EpisodeOfCare, Intake, Patient, StaffMember
from tandem.storage.models.patients import DISCHARGE_REASONS, PATIENT_STATUSES, SEXES


def _clean_name(display_name: str) -> str:
    name = (display_name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed("display_name: give 1 to 200 characters", "display_name")
    refuse_bad_name(name, "display_name")
    return name


def _clean_birth(date_of_birth: Any, today: dt.date) -> dt.date:
    if isinstance(date_of_birth, str):
        try:
            date_of_birth = dt.date.fromisoformat(date_of_birth)
        except ValueError:
            date_of_birth = None
    if not isinstance(date_of_birth, dt.date) or not (
        dt.date(1900, 1, 1) <= date_of_birth <= today
    ):
        raise ValidationFailed(
            "date_of_birth: a date YYYY-MM-DD between 1900-01-01 and today", "date_of_birth"
        )
    return date_of_birth


@audited_failures("patient.register")
def register_patient(
    actor: Actor, *, display_name: str, date_of_birth: Any, sex: str, not_duplicate: bool = False
) -> Patient:
    """Create a patient in the actor's organization, with an open episode and intake.

    The registering clinician joins the care team (so they can continue the intake). A
    patient of the clinic with the same name (ignoring case and spaces) and date of birth
    is refused as a likely duplicate unless ``not_duplicate`` confirms another person.
    """
    actor = as_actor(actor)
    staff = require(actor, "patient.register")
    clock = get_clock()
    name = _clean_name(display_name)
    today = clinic_today(staff.organization)
    birth = _clean_birth(date_of_birth, today)
    if sex not in SEXES:
        raise ValidationFailed(f"sex: expected one of {', '.join(SEXES)}", "sex")
    if not not_duplicate and _likely_duplicate(staff.organization_id, name, birth):
        raise ValidationFailed(
            "not_duplicate: a patient with this name and date of birth is already registered "
            "at this clinic. Search the caseload for them, or confirm this is a different "
            "person",
            "not_duplicate",
        )
    with transaction.atomic():
        patient = Patient.objects.create(
            organization_id=staff.organization_id,
            display_name=name,
            date_of_birth=birth,
            sex=sex,
            created_at=clock.now(),
        )
        patient.care_team.add(staff)
        episode = EpisodeOfCare.objects.create(patient=patient, started_on=today)
        Intake.objects.create(
            patient=patient,
            episode=episode,
            case={"schema": "tandem.case/2"},
            updated_at=clock.now(),
        )
        record_event(
            actor,
            "patient.register",
            patient_id=patient.pk,
            record_type="patient",
            record_id=patient.pk,
        )
    return patient


def _likely_duplicate(organization_id: int, name: str, birth: dt.date) -> bool:
    """A patient of the clinic with this date of birth whose name matches ignoring case
    and spacing (the program's own check; no fuzzy matching)."""
    wanted = " ".join(name.lower().split())
    same_birth = Patient.objects.filter(organization_id=organization_id, date_of_birth=birth)
    return any(
        " ".join(other.lower().split()) == wanted
        for other in same_birth.values_list("display_name", flat=True)
    )


@audited_failures("patient.care_team")
def set_care_team(actor: Actor, patient_id: Any, staff_ids: list[int]) -> Patient:
    """Replace the care team with staff of the patient's own organization (the same
    people may do it as add or remove one member: ``_may_manage_care_team``)."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="patient.care_team")
    _may_manage_care_team(actor, patient)
    members = list(
        StaffMember.objects.filter(pk__in=staff_ids, organization_id=patient.organization_id)
    )
    if len(members) != len(set(staff_ids)) or not members:
        raise ValidationFailed("care_team: staff members of this clinic, at least one", "care_team")
    with transaction.atomic():
        patient.care_team.set(members)
        record_event(
            actor,
            "patient.care_team",
            patient_id=patient.pk,
            record_type="patient",
            record_id=patient.pk,
        )
    return patient


@audited_failures("patient.prescribed_opioids")
def set_prescribed_opioids(actor: Actor, patient_id: Any, analytes: Any) -> Patient:
    """Record which opioids the patient is prescribed, as screen-panel analytes (issue 11):
    a screen positive for one of them raises no ``overdose_risk``; fentanyl always does
    (ruleset-v2.md s7). Screens already recorded keep the reading they were given."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="patient.prescribed_opioids")
    require(actor, "patient.prescribed_opioids", patient.pk)
    allowed = ", ".join(PRESCRIBABLE_OPIOIDS)
    if not isinstance(analytes, list | tuple) or not all(
        isinstance(a, str) and a in PRESCRIBABLE_OPIOIDS for a in analytes
    ):
        raise ValidationFailed(
            f"prescribed_opioids: a list of none or more of {allowed}", "prescribed_opioids"
        )
    chosen = [a for a in PRESCRIBABLE_OPIOIDS if a in set(analytes)]
    with transaction.atomic():
        Patient.objects.filter(pk=patient.pk).update(prescribed_opioids=chosen)
        record_event(
            actor,
            "patient.prescribed_opioids",
            patient_id=patient.pk,
            record_type="patient",
            record_id=patient.pk,
        )
    patient.prescribed_opioids = chosen
    return patient


def _may_manage_care_team(actor: Actor, patient: Patient) -> StaffMember:
    """Who may change a care team (replace it, add or remove one member): directors and
    admins of the clinic, or the patient's intake clinician (an intake clinician on the
    care team; access already limits clinical roles to it). docs/adr/0002-access.md."""
    staff = require(actor, "patient.care_team.manage", patient.pk)
    if staff.role == "intake" and not patient.care_team.filter(pk=staff.pk).exists():
        record_event(actor, "patient.care_team", patient_id=patient.pk, outcome="denied")
        raise Forbidden("only the patient's own intake clinician may change the care team")
    return staff


def may_manage_care_team(staff: StaffMember | None, patient: Patient) -> bool:
    """Whether ``staff`` may change this patient's care team (pages show the forms only
    then); the same rule ``_may_manage_care_team`` enforces."""
    if not may(staff, "patient.care_team.manage") or staff is None:
        return False
    return staff.role != "intake" or patient.care_team.filter(pk=staff.pk).exists()


def _clinic_member(patient: Patient, staff_id: Any) -> StaffMember:
    member = StaffMember.objects.filter(
        pk=staff_id if isinstance(staff_id, int) else -1,
        organization_id=patient.organization_id,
    ).first()
    if member is None:
        raise ValidationFailed("staff: a staff member of this patient's clinic", "staff")
    return member


def _team_change(
    actor: Actor, patient_id: Any, staff_id: Any
) -> tuple[Actor, Patient, StaffMember]:
    """Load the patient, check the actor may change the team, and find the member."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="patient.care_team")
    _may_manage_care_team(actor, patient)
    return actor, patient, _clinic_member(patient, staff_id)


@audited_failures("patient.care_team")
def add_to_care_team(actor: Actor, patient_id: Any, staff_id: Any) -> StaffMember:
    """Add one staff member of the patient's own clinic to the care team (audited)."""
    actor, patient, member = _team_change(actor, patient_id, staff_id)
    with transaction.atomic():
        patient.care_team.add(member)
        record_event(
            actor, "patient.care_team.add", patient_id=patient.pk,
            record_type="staff", record_id=member.pk,
        )  # fmt: skip
    return member


@audited_failures("patient.care_team")
def remove_from_care_team(actor: Actor, patient_id: Any, staff_id: Any) -> StaffMember:
    """Take one member off the care team (audited); the team is never left empty."""
    actor, patient, member = _team_change(actor, patient_id, staff_id)
    with transaction.atomic():
        team = list(patient.care_team.select_for_update().values_list("pk", flat=True))
        if member.pk not in team:
            raise ValidationFailed("staff: not on this patient's care team", "staff")
        if team == [member.pk]:
            raise ValidationFailed("staff: the care team needs at least one member", "staff")
        patient.care_team.remove(member)
        record_event(
            actor, "patient.care_team.remove", patient_id=patient.pk,
            record_type="staff", record_id=member.pk,
        )  # fmt: skip
    return member


def care_team(
    actor: Actor, patient_id: Any
) -> tuple[Patient, list[StaffMember], list[StaffMember]]:
    """The patient, their care team, and the clinic's other staff (one audited read)."""
    patient = access_patient(actor, patient_id, action="patient.care_team.view")
    members = list(patient.care_team.order_by("display_name", "pk"))
    others = StaffMember.objects.filter(organization_id=patient.organization_id).exclude(
        pk__in=[m.pk for m in members]
    )
    return patient, members, list(others.order_by("display_name", "pk"))


@audited_failures("patient.discharge")
def discharge_patient(
    actor: Actor,
    patient_id: Any,
    *,
    reason: str = "other",
    ended_on: Any = None,
    note: str = "",
) -> Patient:
    """Mark the patient discharged and close the open episode of care with a reason
    (``DISCHARGE_REASONS``) and the date it ended (today by default; not in the future,
    not before the episode began). The patient leaves the active caseload and stays
    searchable among discharged patients."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="patient.discharge")
    require(actor, "patient.discharge", patient.pk)
    if patient.status == "discharged":
        raise ValidationFailed("patient: already discharged", "patient")
    if reason not in DISCHARGE_REASONS:
        raise ValidationFailed(f"reason: expected one of {', '.join(DISCHARGE_REASONS)}", "reason")
    episode = patient.episodes.filter(ended_on__isnull=True).order_by("-started_on").first()
    ended = _clean_ended_on(
        ended_on, patient_today(patient), episode.started_on if episode else None
    )
    if len(note or "") > 2000:
        raise ValidationFailed("note: at most 2000 characters", "note")
    with transaction.atomic():
        Patient.objects.filter(pk=patient.pk).update(status="discharged")
        EpisodeOfCare.objects.filter(patient=patient, ended_on__isnull=True).update(
            ended_on=ended, discharge_reason=reason, discharge_note=(note or "").strip()
        )
        record_event(
            actor,
            "patient.discharge",
            patient_id=patient.pk,
            record_type="patient",
            record_id=patient.pk,
        )
    patient.status = "discharged"
    return patient


def _clean_ended_on(value: Any, today: dt.date, started: dt.date | None) -> dt.date:
    if value in (None, ""):
        return today
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    earliest = started or dt.date(1900, 1, 1)
    if not isinstance(value, dt.date) or not earliest <= value <= today:
        raise ValidationFailed(
            f"ended_on: a date from the episode's start ({earliest.isoformat()}) to today "
            f"({today.isoformat()})",
            "ended_on",
        )
    return value


def latest_episode(actor: Actor, patient_id: int) -> EpisodeOfCare | None:
    """The patient's latest episode of care, open or closed (one audited read)."""
    patient = access_patient(actor, patient_id, action="episode.view")
    return patient.episodes.order_by("-started_on", "-pk").first()


def list_patients(actor: Actor, *, status: str | None = None) -> list[Patient]:
    """The patients the actor may see (one audited read of the list)."""
    actor = as_actor(actor)
    staff = actor.require_staff()
    patients = visible_patients(staff).order_by("display_name", "pk")
    if status is not None:
        if status not in PATIENT_STATUSES:
            allowed = ", ".join(PATIENT_STATUSES)
            raise ValidationFailed(f"status: expected one of {allowed}", "status")
        patients = patients.filter(status=status)
    found = list(patients)
    record_event(
        actor,
        "patient.list",
        record_type="patient",
        record_id=len(found),
        patient_ids=[patient.pk for patient in found],
    )
    return found
