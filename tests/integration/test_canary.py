"""No patient data in logs (SECURITY.md): the canary patient's unique name is searched
for in everything logged while its chart, intake, formulation, plan and API records are
read and written, and in the audit table (which holds ids, never names)."""

from __future__ import annotations

import json
import logging

import pytest

from tandem.storage.models import AuditEvent
from tests.integration.routes import all_routes, ids_for
from tests.integration.support import CANARY, World, build_world, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    """The two-clinic world with a self-check referral in each (referral routes get real
    referral ids, never a patient id)."""
    return build_world(referrals=True)


class Everything(logging.Handler):
    """Collects every record from every logger, formatted with its arguments."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


@pytest.fixture
def captured() -> Everything:
    handler = Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_the_canary_never_reaches_the_logs(world: World, captured: Everything) -> None:
    assert world.a.patient.display_name == CANARY
    client = signed_in_client(world.a.staff["therapist"], world)
    for route in all_routes():
        if route.words and not route.params:
            continue
        url = route.url(ids_for(route, world.a))
        page = client.get(url)
        client.post(url, data="{}", content_type="application/json")
        assert page.status_code < 500, route.template
    patient = world.a.patient.pk
    api = f"/api/v1/patients/{patient}/administrations"
    client.post(
        api, json.dumps({"instrument_id": "phq9", "answers": [9]}), content_type="application/json"
    )
    client.get(f"/api/v1/patients/{patient}")
    client.get("/api/v1/caseload")
    logged = "\n".join(captured.lines)
    assert captured.lines  # the requests above did log (4xx warnings at least)
    assert CANARY not in logged
    assert "Quillfeather" not in logged


def test_the_canary_is_not_in_the_audit_log(world: World) -> None:
    client = signed_in_client(world.a.staff["director"], world)
    client.get(f"/api/v1/patients/{world.a.patient.pk}")
    rows = AuditEvent.objects.values_list(
        "actor", "action", "record_type", "record_id", "ip", "outcome"
    )
    assert rows
    assert all("Quillfeather" not in " ".join(map(str, row)) for row in rows)
