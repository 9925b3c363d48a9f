"""Follow-ups from the security review: list reads name every patient shown, writes are
validated in the service (web and API alike), every write leaves one event with its true
outcome (also an unexpected failure), and replacing a care team is a managed change."""

from __future__ import annotations

import pytest

from tandem.services.actors import Actor
from tandem.services.audit import verify_chain
from tandem.services.patients import list_patients
from tandem.storage.models import AuditEvent
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
