"""Issue 11's timeline: one page per patient over the episode, computed by the domain."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from tandem.services import checkins, screens
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.storage.models import AuditEvent
from tests.integration.support import World, signed_in_client

DAY = {"mood": 4, "sleep_hours": "6.5", "craving": 5, "used": "no", "safety": "no"}


def test_the_timeline_shows_charts_cycle_mbc_and_every_record(world: World) -> None:
    therapist = Actor(user=world.a.staff["therapist"].user)
    today = patient_today(world.a.patient)
    checkins.record_checkin(therapist, world.a.patient.pk, DAY)
    screens.record_screen(
        therapist,
        world.a.patient.pk,
        {"specimen": "urine", "kind": "point_of_care", "status": "result",
         "collected_on": (today - dt.timedelta(days=1)).isoformat(),
         "analytes": {"cocaine": "positive", "fentanyl": "negative"}},
    )  # fmt: skip
    client = signed_in_client(world.a.staff["therapist"], world)
    response = client.get(f"/clinic/patients/{world.a.patient.pk}/timeline")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") == 3
    assert "a description of this person's own pattern, not a diagnosis" in body.lower()
    assert "Measurement-based care" in body
    assert "PHQ-9" in body
    assert "Drug screen: " in body
    assert "positive for Cocaine" in body or "positive for cocaine" in body
    assert AuditEvent.objects.filter(action="timeline.view", patient_id=world.a.patient.pk)


def test_the_timeline_of_another_clinic_is_not_found(world: World) -> None:
    client = signed_in_client(world.b.staff["director"], world)
    assert client.get(f"/clinic/patients/{world.a.patient.pk}/timeline").status_code == 404
    assert Client().get(f"/clinic/patients/{world.a.patient.pk}/timeline").status_code == 302


def test_the_timeline_lists_what_is_due_from_the_signed_plan(world: World) -> None:
    from tests.integration.test_portal_plan_and_questionnaires import _sign

    client = signed_in_client(world.a.staff["therapist"], world)
    url = f"/clinic/patients/{world.a.patient.pk}/timeline"
    assert "No signed plan with questionnaires yet." in client.get(url).content.decode()
    _sign(world)
    body = client.get(url).content.decode()
    assert "Due from the plan&#x27;s measures" in body or "Due from the plan's measures" in body
    # Signed today, the intake's PHQ-9 today counts for the first due date.
    today = patient_today(world.a.patient)
    assert f"<strong>PHQ-9</strong>:\n    done {today.isoformat()}" in body
    assert f"next due {(today + dt.timedelta(days=7)).isoformat()}" in body


def test_the_timeline_shows_incentives_earned(world: World) -> None:
    from tandem.services.incentives import configure_schedule

    configure_schedule(Actor(user=world.a.staff["director"].user), "escalating", {})
    therapist = Actor(user=world.a.staff["therapist"].user)
    screens.record_screen(
        therapist,
        world.a.patient.pk,
        {"specimen": "urine", "kind": "point_of_care", "status": "result",
         "analytes": {"cocaine": "negative"}},
    )  # fmt: skip
    client = signed_in_client(world.a.staff["therapist"], world)
    body = client.get(f"/clinic/patients/{world.a.patient.pk}/timeline").content.decode()
    # The escalating schedule's first negative earns its start amount (ruleset-v2.md s7).
    assert "Incentive earned: $10.00" in body
