"""Follow-ups from the security review: list reads name every patient shown, writes are
validated in the service (web and API alike), every write leaves one event with its true
outcome (also an unexpected failure), and replacing a care team is a managed change."""

from __future__ import annotations

import pytest
from django.db import transaction

from tandem.services.access import access_patient
from tandem.services.actors import Actor
from tandem.services.audit import audited_failures, verify_chain
from tandem.services.errors import Forbidden
from tandem.services.patients import discharge_patient, list_patients, set_care_team
from tandem.storage.models import AuditEvent, Patient
from tests.integration.support import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _last() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def test_the_patient_list_records_every_patient_shown(world: World) -> None:
    shown = list_patients(Actor(user=world.a.staff["director"].user))
    event = _last()
    assert len(shown) >= 2
    assert event.action == "patient.list"
    assert event.patient_ids == ",".join(str(p.pk) for p in shown)
    assert verify_chain().ok


def _since(seq: int) -> list[tuple[str, int | None, str]]:
    events = AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
    return list(events.values_list("action", "patient_id", "outcome"))


def test_a_discharge_is_one_event_with_its_true_outcome(world: World) -> None:
    patient = world.a.patient.pk
    before = _last().seq
    with pytest.raises(Forbidden):
        discharge_patient(Actor(user=world.a.staff["admin"].user), patient)
    discharge_patient(Actor(user=world.a.staff["therapist"].user), patient)
    assert _since(before) == [
        ("patient.discharge", patient, "denied"),
        ("patient.discharge", patient, "ok"),
    ]
    assert Patient.objects.get(pk=patient).status == "discharged"


@audited_failures("intake.update")
def _write_that_breaks(who: Actor, patient_id: int) -> None:
    """A write that changes a row, then fails with an error no service anticipates."""
    patient = access_patient(who, patient_id, action="intake.update")
    with transaction.atomic():
        Patient.objects.filter(pk=patient.pk).update(display_name="half-saved")
        raise RuntimeError("disk on fire")


def test_an_unexpected_error_in_a_write_is_recorded_as_failed(world: World) -> None:
    patient = world.a.patient
    before = _last().seq
    with pytest.raises(RuntimeError, match="disk on fire"):
        _write_that_breaks(Actor(user=world.a.staff["therapist"].user), patient.pk)
    assert _since(before) == [("intake.update", patient.pk, "failed")]
    assert (_last().record_type, _last().record_id) == ("patient", str(patient.pk))
    assert Patient.objects.get(pk=patient.pk).display_name == patient.display_name
    assert verify_chain().ok


@pytest.mark.parametrize("role", ["prescriber", "therapist"])
def test_replacing_a_care_team_is_refused_to_other_clinicians(world: World, role: str) -> None:
    patient = world.a.patient if role == "therapist" else world.a.outsider_patient
    team = sorted(patient.care_team.values_list("pk", flat=True))
    before = _last().seq
    with pytest.raises(Forbidden):
        set_care_team(Actor(user=world.a.staff[role].user), patient.pk, [world.a.staff[role].pk])
    assert sorted(patient.care_team.values_list("pk", flat=True)) == team
    assert _since(before) == [("patient.care_team.manage", patient.pk, "denied")]


@pytest.mark.parametrize("role", ["director", "admin", "intake"])
def test_directors_admins_and_the_intake_clinician_replace_a_care_team(
    world: World, role: str
) -> None:
    patient, staff = world.a.patient, world.a.staff
    set_care_team(Actor(user=staff[role].user), patient.pk, [staff["intake"].pk])
    assert list(patient.care_team.values_list("pk", flat=True)) == [staff["intake"].pk]
    assert _last().outcome == "ok"
