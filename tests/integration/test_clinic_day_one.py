"""Issue 12, "The clinic app as clinicians use it": each finding, through the pages and
the services (tests/integration/support.py builds the two-clinic world)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tandem.services import placement, plans
from tandem.services.actors import Actor
from tandem.storage.models import AuditEvent, CarePlan
from tests.integration.support import World, sign_in

pytestmark = pytest.mark.django_db


def client_for(staff: Any) -> Client:
    return sign_in(Client(), staff)


def _sign(world: World) -> CarePlan:
    """Give every intervention a responsible clinician and a review date, then sign."""
    actor = Actor(user=world.a.staff["therapist"].user)
    plan = world.a.plan
    items = plans.plan_as_dict(plan)["interventions"]
    for item in items:
        item["responsible"] = world.a.staff["therapist"].pk
    review = plans.default_review_on()
    plan = plans.update_plan(
        actor, plan, expected_version=plan.version, interventions=items, review_on=review
    )
    return plans.sign_plan(actor, plan)


# 1. The plan follows the decided level; a new decision sends it back to review.


def test_a_plan_drafted_after_an_override_follows_the_decided_level(world: World) -> None:
    actor = Actor(user=world.a.staff["intake"].user)
    record = world.a.formulation
    frequencies = plans.level_frequencies(record)
    other = "outpatient" if record.recommended_level != "outpatient" else "iop"
    placement.decide_placement(actor, record, level=other, override_reason="prefers evenings")
    fresh = plans.draft_plan(actor, record)
    schedules = [i.frequency for i in fresh.interventions.all()]
    assert frequencies[other] in schedules
    assert frequencies[record.recommended_level] not in schedules


def test_a_new_decision_sends_a_signed_plan_back_to_review(world: World) -> None:
    signed = _sign(world)
    assert signed.status == "signed"
    record = world.a.formulation
    other = "outpatient" if record.recommended_level != "outpatient" else "iop"
    actor = Actor(user=world.a.staff["intake"].user)
    placement.decide_placement(actor, record, level=other, override_reason="prefers evenings")
    signed.refresh_from_db()
    assert signed.status == "draft"
    assert signed.version == 4  # drafted, edited, signed, returned to review
    assert signed.signed_by is None
    schedules = [i.frequency for i in signed.interventions.all()]
    assert plans.level_frequencies(record)[other] in schedules
    assert signed.versions.filter(version=4).exists()
    event = AuditEvent.objects.filter(action="plan.return_to_review").get()
    assert event.record_id == str(signed.pk) or int(event.record_id) == signed.pk
    page = client_for(world.a.staff["therapist"]).get(f"/clinic/plans/{signed.pk}/")
    assert "Outpatient" in page.content.decode() or "Intensive outpatient" in page.content.decode()
