"""Follow-ups from the security review: list reads name every patient shown, writes are
validated in the service (web and API alike), every write leaves one event with its true
outcome (also an unexpected failure), and replacing a care team is a managed change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from tandem.services.access import access_patient
from tandem.services.actors import Actor
from tandem.services.audit import audited_failures, verify_chain
from tandem.services.clock import get_clock
from tandem.services.errors import Forbidden, ValidationFailed
from tandem.services.intake import record_administration
from tandem.services.patients import discharge_patient, list_patients, set_care_team
from tandem.storage.models import AuditEvent, InstrumentAdministration, Patient
from tests.integration.support import World, build_world, signed_in_client

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


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"idempotency_key": "k" * 201}, "Idempotency-Key"),
        ({"idempotency_key": "with space"}, "Idempotency-Key"),
        ({"idempotency_key": "caf\u00e9"}, "Idempotency-Key"),
        ({"idempotency_key": ""}, "Idempotency-Key"),
        ({"administered_on": dt.date(1899, 12, 31)}, "administered_on"),
        ({"administered_on": "2020-01-01"}, "administered_on"),
        ({"administered_on": "tomorrow"}, "administered_on"),
    ],
)
def test_the_service_checks_the_key_and_the_date(
    world: World, changes: dict[str, Any], field: str
) -> None:
    """The service itself refuses them, so the web form is covered as well as the API."""
    if changes.get("administered_on") == "tomorrow":
        changes = {"administered_on": get_clock().today() + dt.timedelta(days=1)}
    therapist = Actor(user=world.a.staff["therapist"].user)
    before, seq = InstrumentAdministration.objects.count(), _last().seq
    with pytest.raises(ValidationFailed) as refused:
        record_administration(therapist, world.a.patient.pk, "phq9", [0] * 9, **changes)
    assert refused.value.field == field
    assert InstrumentAdministration.objects.count() == before
    assert _since(seq) == [("administration.record", world.a.patient.pk, "invalid")]
    made = record_administration(
        therapist, world.a.patient.pk, "phq9", [0] * 9,
        idempotency_key="k" * 200, administered_on=dt.date(1900, 1, 1),
    )  # fmt: skip
    assert made.administered_on == dt.date(1900, 1, 1)


def test_the_instrument_form_refuses_a_tampered_idempotency_key(world: World) -> None:
    client = signed_in_client(world.a.staff["therapist"])
    patient = world.a.patient
    before = InstrumentAdministration.objects.count()
    data = {f"item_{n}": "0" for n in range(1, 10)}
    data["idempotency_key"] = "tampered key with spaces"
    url = f"/clinic/patients/{patient.pk}/intake/instruments/phq9"
    response = client.post(url, data)
    assert response.status_code == 400
    assert b"Idempotency-Key: 1 to 200 printable ASCII" in response.content
    assert InstrumentAdministration.objects.count() == before
