"""Issue 11: accepting a step-up suggestion starts a reassessment whose case is prefilled
from the intake plus monitoring, and ends in a new formulation and placement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tandem.services import intake, reassessment, screens
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.services.checkins import import_checkins
from tandem.services.errors import ValidationFailed
from tandem.storage.models import AuditEvent, Intake, Patient, Reassessment
from tests.integration.support import World, signed_in_client

DAY = {"mood": "4", "sleep_hours": "6.5", "craving": "5", "safety": "no"}


def _screen(actor: Actor, patient: Patient, days_ago: int, cocaine: str) -> None:
    on = patient_today(patient) - dt.timedelta(days=days_ago)
    screens.record_screen(
        actor,
        patient.pk,
        {"specimen": "urine", "kind": "point_of_care", "status": "result",
         "collected_on": on.isoformat(), "analytes": {"cocaine": cocaine}},
    )  # fmt: skip


def _step_up(world: World) -> Actor:
    """Two stimulant-positive screens in the last 14 days, the first screen 35 days old
    (ruleset-v2.md s7 step up, program thresholds)."""
    therapist = Actor(user=world.a.staff["therapist"].user)
    _screen(therapist, world.a.patient, 35, "negative")
    _screen(therapist, world.a.patient, 5, "positive")
    _screen(therapist, world.a.patient, 2, "positive")
    return therapist


def test_a_step_up_is_offered_with_its_evidence_and_accepting_prefills_the_case(
    world: World,
) -> None:
    _step_up(world)
    patient = world.a.patient
    client = signed_in_client(world.a.staff["therapist"], world)
    page = client.get(f"/clinic/patients/{patient.pk}/timeline").content.decode()
    assert "Suggested: step up the level of care." in page
    assert "2 days with a stimulant-positive screen in the last 14 days." in page
    before = Intake.objects.get(patient=patient)
    response = client.post(
        f"/clinic/patients/{patient.pk}/reassessment/start", {"reason": "step_up"}
    )
    assert response.status_code == 302
    record = Reassessment.objects.get(patient=patient)
    assert record.is_open
    assert record.reason == "step_up"
    assert record.evidence["positive_screen_days_last_14_days"] == 2
    assert record.prior_formulation == world.a.formulation
    today = patient_today(patient)
    case = Intake.objects.get(patient=patient).case
    assert case["assessed_on"] == today.isoformat()
    assert case["stimulant"]["last_use"] == (today - dt.timedelta(days=2)).isoformat()
    # No check-ins: the 30 days are not covered, so the count is unknown, not 0.
    assert case["stimulant"]["days_used_past_30"] is None
    assert record.prefilled["use"]["use_days_seen"] == 2
    assert record.prefilled["replaced"]["stimulant.days_used_past_30"] == 6
    assert Intake.objects.get(patient=patient).version == before.version + 1
    assert AuditEvent.objects.filter(action="reassessment.start", outcome="ok").count() == 1
    shown = client.get(f"/clinic/patients/{patient.pk}/reassessment").content.decode()
    assert "Under way: Step up the level of care" in shown
    assert "Unknown: check-ins cover 0 of the 30 days (27 needed to count)" in shown


def test_through_to_a_new_formulation_and_placement(world: World) -> None:
    _step_up(world)
    patient = world.a.patient
    client = signed_in_client(world.a.staff["intake"], world)
    client.post(f"/clinic/patients/{patient.pk}/reassessment/start", {"reason": "step_up"})
    response = client.post(f"/clinic/patients/{patient.pk}/intake/review")
    assert response.status_code == 302
    record = Reassessment.objects.get(patient=patient)
    assert record.formulation is not None
    assert not record.is_open
    assert record.formulation.pk != world.a.formulation.pk
    assert response["Location"].endswith(f"/clinic/formulations/{record.formulation.pk}/")
    assert record.formulation.case["stimulant"]["days_used_past_30"] is None
    level = record.formulation.recommended_level
    flags = [f["id"] for f in record.formulation.output["placement"].get("review_flags", [])]
    decided = client.post(
        f"/clinic/formulations/{record.formulation.pk}/",
        {"level": level, "acknowledged_flags": flags},
    )
    assert decided.status_code == 302, decided.content.decode()[:2000]
    shown = client.get(f"/clinic/patients/{patient.pk}/reassessment").content.decode()
    assert "Last reassessment: Step up the level of care" in shown
    assert "Level of care decided" in shown
    assert AuditEvent.objects.filter(action="reassessment.formulate").count() == 1


def test_what_is_not_suggested_cannot_be_started_and_nothing_is_saved(world: World) -> None:
    patient = world.a.patient
    client = signed_in_client(world.a.staff["therapist"], world)
    version = Intake.objects.get(patient=patient).version
    response = client.post(
        f"/clinic/patients/{patient.pk}/reassessment/start", {"reason": "step_up"}
    )
    assert response.status_code == 400
    assert "Step up the level of care is not suggested for this patient today" in (
        response.content.decode()
    )
    bad = client.post(f"/clinic/patients/{patient.pk}/reassessment/start", {"reason": "x"})
    assert bad.status_code == 400
    assert not Reassessment.objects.exists()
    assert Intake.objects.get(patient=patient).version == version
    assert AuditEvent.objects.filter(action="reassessment.start", outcome="invalid").count() == 2


def test_only_clinicians_accept_and_other_clinics_see_nothing(world: World) -> None:
    _step_up(world)
    patient = world.a.patient
    peer = signed_in_client(world.a.staff["peer_specialist"], world)
    page = peer.get(f"/clinic/patients/{patient.pk}/reassessment")
    if page.status_code == 200:
        assert "Accept: start a reassessment" not in page.content.decode()
        assert "A clinician can accept this suggestion." in page.content.decode()
    refused = peer.post(f"/clinic/patients/{patient.pk}/reassessment/start", {"reason": "step_up"})
    assert refused.status_code in (403, 404)
    other = signed_in_client(world.b.staff["director"], world)
    assert other.get(f"/clinic/patients/{patient.pk}/reassessment").status_code == 404
    assert (
        other.post(
            f"/clinic/patients/{patient.pk}/reassessment/start", {"reason": "step_up"}
        ).status_code
        == 404
    )
    assert Client().get(f"/clinic/patients/{patient.pk}/reassessment").status_code == 302
    assert not Reassessment.objects.exists()


def test_a_second_accept_returns_the_open_one_and_a_stop_needs_a_reason(world: World) -> None:
    therapist = _step_up(world)
    patient = world.a.patient
    first = reassessment.start(therapist, patient.pk, "step_up")
    assert reassessment.start(therapist, patient.pk, "step_up").pk == first.pk
    client = signed_in_client(world.a.staff["therapist"], world)
    empty = client.post(f"/clinic/reassessments/{first.pk}/cancel", {"cancel_reason": " "})
    assert empty.status_code == 400
    assert "Why stop this reassessment" in empty.content.decode()
    stopped = client.post(
        f"/clinic/reassessments/{first.pk}/cancel", {"cancel_reason": "Entered in error"}
    )
    assert stopped.status_code == 302
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert first.cancel_reason == "Entered in error"
    # A later formulation is not linked to a stopped reassessment.
    formulation = intake.formulate_patient(Actor(user=world.a.staff["intake"].user), patient.pk)
    first.refresh_from_db()
    assert first.formulation is None
    assert formulation.pk
    again = client.post(f"/clinic/reassessments/{first.pk}/cancel", {"cancel_reason": "Twice"})
    assert again.status_code == 409


def test_days_used_are_counted_when_check_ins_cover_27_of_the_30_days(world: World) -> None:
    therapist = _step_up(world)
    patient = world.a.patient
    today = patient_today(patient)
    rows = [
        (str(patient.pk), {**DAY, "on": (today - dt.timedelta(days=n)).isoformat(),
                           "used": "yes" if n in (4, 9) else "no"})
        for n in range(27)
    ]  # fmt: skip
    import_checkins(therapist, patient.organization, rows)
    record = reassessment.start(therapist, patient.pk, "step_up")
    use = record.prefilled["use"]
    assert use["covered_days"] == 27
    # Use days 4 and 9 from check-ins, 2 and 5 from positive screens.
    assert use["days_used_past_30"] == 4
    assert Intake.objects.get(patient=patient).case["stimulant"]["days_used_past_30"] == 4


def test_a_reassessment_needs_a_first_formulation(world: World) -> None:
    prescriber = Actor(user=world.a.staff["prescriber"].user)
    with pytest.raises(ValidationFailed) as refused:
        reassessment.start(prescriber, world.a.outsider_patient.pk, "step_up")
    assert refused.value.field == "formulation"


def test_a_provisional_substance_induced_depression_is_offered_on_its_reassess_on_date(
    world: World,
) -> None:
    patient = world.a.patient
    today = patient_today(patient)
    record = world.a.formulation
    # The stored formulation as the engine gives it for a depression that began during
    # use (ruleset-v1.md): provisional, re-evaluated after about four weeks.
    output = {
        **record.output,
        "current_depression": "substance_induced_provisional",
        "reassess_on": (today + dt.timedelta(days=1)).isoformat(),
    }
    type(record).objects.filter(pk=record.pk).update(output=output)
    client = signed_in_client(world.a.staff["therapist"], world)
    page = client.get(f"/clinic/patients/{patient.pk}/reassessment").content.decode()
    assert "Re-evaluate the depression" not in page  # not due until tomorrow
    output["reassess_on"] = today.isoformat()
    type(record).objects.filter(pk=record.pk).update(output=output)
    page = client.get(f"/clinic/patients/{patient.pk}/reassessment").content.decode()
    assert "Re-evaluate the depression" in page
    assert f"re-evaluation was due on {today.isoformat()}" in page
    assert "Not enough check-ins after 28 days without use to tell yet." in page
    started = reassessment.start(
        Actor(user=world.a.staff["intake"].user), patient.pk, "depression_review"
    )
    assert started.evidence["reassess_on"] == today.isoformat()
    assert started.evidence["persistent_low"] is None


def test_the_timeline_api_lists_what_may_be_accepted_and_what_is_due(world: World) -> None:
    from tests.integration.test_api import api

    therapist = _step_up(world)
    patient = world.a.patient
    client = api(world, "therapist")
    body = client.get(f"/api/v1/patients/{patient.pk}/timeline").json()
    assert [o["reason"] for o in body["offers"]] == ["step_up"]
    assert body["offers"][0]["evidence"]["positive_screen_days_last_14_days"] == 2
    assert body["reassessment_open"] is False
    assert body["due"] == []  # no signed plan yet
    reassessment.start(therapist, patient.pk, "step_up")
    body = client.get(f"/api/v1/patients/{patient.pk}/timeline").json()
    assert body["offers"] == []
    assert body["reassessment_open"] is True
