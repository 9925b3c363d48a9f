"""Actors are typed and built at the edge (issue 9 item 4): staff or patient; a patient
reaches only their own records, and missing and forbidden both look missing (404)."""

from __future__ import annotations

import pytest

from tandem.services import access, intake, plans
from tandem.services.actors import Actor
from tandem.services.errors import NotFound
from tandem.storage.models import FormulationRecord
from tests.integration.support import World

pytestmark = pytest.mark.django_db


def test_a_patient_reaches_their_own_record_only(world: World) -> None:
    own, other = world.a.patient, world.a.outsider_patient
    me = Actor.patient(user=None, patient_id=own.pk)
    assert access.access_patient(me, own.pk).pk == own.pk
    assert access.access_record(me, FormulationRecord, world.a.formulation.pk,
                                action="formulation.view").pk == world.a.formulation.pk  # fmt: skip
    with pytest.raises(NotFound):
        access.access_patient(me, other.pk)
    with pytest.raises(NotFound):
        access.access_patient(me, 10**9)  # missing looks the same as forbidden


def test_a_patient_can_do_no_staff_action(world: World) -> None:
    me = Actor.patient(user=None, patient_id=world.a.patient.pk)
    with pytest.raises(NotFound):
        intake.record_administration(me, world.a.patient.pk, "phq9", [0] * 9)
    with pytest.raises(NotFound):
        plans.sign_plan(me, world.a.plan.pk)


def test_services_refuse_anything_but_an_actor(world: World) -> None:
    with pytest.raises(TypeError, match="services take an Actor built at the edge"):
        access.access_patient(world.a.staff["intake"].user, world.a.patient.pk)
