"""Patient actors in the access tests (issue 10): a patient signed in to the portal
reaches nothing but their own record. Every route of the walker, filled with another
patient's records (same clinic and another clinic) or a missing id, answers as for a
missing record (or sends the patient back to the portal); services refuse with NotFound
and audit the attempt."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.services import access, checkins, intake, plans, portal_accounts, relapse_prevention
from tandem.services.actors import Actor
from tandem.services.errors import NotFound
from tandem.storage.models import AuditEvent, FormulationRecord
from tests.integration.routes import all_routes, ids_for
from tests.integration.support import CANARY, World, build_world

pytestmark = pytest.mark.django_db
PASSWORD = "a long pass phrase 42"
DAY = {"mood": 5, "sleep_hours": "7", "craving": 2, "used": "no", "safety": "no"}


@pytest.fixture
def world(db: None) -> World:
    return build_world(referrals=True)


def _portal_client(world: World, clinic: str = "b") -> tuple[Client, Actor]:
    """South's patient signed in to the portal (north holds the canary)."""
    patient = getattr(world, clinic).patient
    _, code, _ = portal_accounts.invite(
        Actor(getattr(world, clinic).staff["intake"].user), patient.pk
    )
    client = Client()
    response = client.post(
        "/me/enrol",
        {"code": code, "username": f"p-{clinic}", "password": PASSWORD, "language": "en"},
    )
    assert response.status_code == 302
    actor = portal_accounts.patient_actor(patient.portal.user)
    assert actor is not None
    return client, actor


def test_route_walker_with_a_patient_session(world: World) -> None:
    client, _ = _portal_client(world)
    for route in [r for r in all_routes() if r.touches_records]:
        for target in (world.a, None):
            url = route.url(ids_for(route, target))
            for response in (
                client.get(url),
                client.post(url, data="{}", content_type="application/json"),
            ):
                assert response.status_code in {302, 401, 403, 404, 405}, (
                    url,
                    response.status_code,
                )
                assert CANARY.encode() not in response.content, url
                if response.status_code == 302:
                    assert response["Location"].startswith("/me/"), url


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    attempt=st.sampled_from(
        ["patient", "formulation", "plan", "administrations", "checkins", "checkin", "rp_plan"]
    ),
    target=st.one_of(st.sampled_from(["north", "south-outsider"]), st.integers(-5, 10**12)),
)
def test_a_patient_reaches_no_other_patients_anything(
    world: World, attempt: str, target: object
) -> None:
    south = world.b.patient
    _, code, _ = portal_accounts.invite(Actor(world.b.staff["intake"].user), south.pk)
    if south.portal.user is None:
        portal_accounts.enrol(code, username="p-south", password=PASSWORD)
        south.portal.refresh_from_db()
    actor = portal_accounts.patient_actor(south.portal.user)
    assert actor is not None
    if target == "north":
        wanted: int = world.a.patient.pk
    elif target == "south-outsider":
        wanted = world.b.outsider_patient.pk
    else:
        wanted = int(str(target))
    own = {"formulation": world.b.formulation.pk, "plan": world.b.plan.pk}.get(attempt, south.pk)
    if wanted == own:
        return  # their own record is theirs; this test is about everyone else's
    before = AuditEvent.objects.filter(outcome__in=("denied", "not_found")).count()
    load = {
        "patient": lambda: access.access_patient(actor, wanted),
        "formulation": lambda: access.access_record(
            actor, FormulationRecord, wanted, action="formulation.view"
        ),
        "plan": lambda: plans.get_plan(actor, wanted),
        "administrations": lambda: intake.list_administrations(actor, wanted),
        "checkins": lambda: checkins.checkins(actor, wanted),
        "checkin": lambda: checkins.record_checkin(actor, wanted, DAY),
        "rp_plan": lambda: relapse_prevention.plan_for(actor, wanted),
    }[attempt]
    with pytest.raises(NotFound):
        load()
    assert AuditEvent.objects.filter(outcome__in=("denied", "not_found")).count() > before
