"""The audit log: every patient-data route writes an event; tampering is detected.

SECURITY.md "Audit and disclosure": append-only, keyed hash chain, a verify command
that finds edits, deletions, insertions and reorders.
"""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner
from django.db import connection, connections

from tandem.cli import main
from tandem.services.actors import Actor
from tandem.services.audit import record_event, verify_chain
from tandem.storage.models import AuditEvent
from tandem.storage.models.audit import AppendOnly
from tests.integration.routes import all_routes, ids_for
from tests.integration.support import World, signed_in_client

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


def _verify() -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify"])
    return result.exit_code, result.output


def _append(count: int) -> None:
    for n in range(count):
        record_event(Actor(user=None, ip="127.0.0.1"), "test.event", patient_id=n, record_id=n)


def _sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_intact_chain_verifies() -> None:
    _append(20)
    code, output = _verify()
    assert code == 0, output
    assert "20 events verified" in output


@pytest.mark.parametrize("column", ["actor", "action", "record_id", "ip", "outcome"])
def test_an_edited_event_is_found(column: str) -> None:
    _append(10)
    _sql(f"UPDATE {TABLE} SET {column} = 'x' WHERE seq = 4")  # noqa: S608 (test SQL)
    code, output = _verify()
    assert code == 1
    assert "event 4" in output


def test_an_edited_time_or_patient_is_found() -> None:
    _append(10)
    _sql(f"UPDATE {TABLE} SET patient_id = 999 WHERE seq = 7")  # noqa: S608
    assert verify_chain().first_break_seq == 7


@pytest.mark.parametrize("seq", [1, 5, 10])
def test_a_deleted_event_is_found(seq: int) -> None:
    _append(10)
    _sql(f"DELETE FROM {TABLE} WHERE seq = %s", seq)  # noqa: S608
    code, _ = _verify()
    assert code == 1
    assert verify_chain().first_break_seq == seq


def test_an_inserted_event_is_found() -> None:
    _append(6)
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    _sql(
        f"INSERT INTO {TABLE} (seq, at, actor, action, patient_id, record_type, record_id, ip,"  # noqa: S608
        " patient_ids, outcome, prev_hash, hash) SELECT 7, at, actor, action, patient_id,"
        f" record_type, record_id, ip, patient_ids, outcome, hash, hash FROM {TABLE}"
        " WHERE seq = 6"
    )
    assert _verify()[0] == 1
    assert verify_chain().first_break_seq == 7


def test_reordered_events_are_found() -> None:
    _append(8)
    _sql(f"UPDATE {TABLE} SET seq = -3 WHERE seq = 3")  # noqa: S608
    _sql(f"UPDATE {TABLE} SET seq = 3 WHERE seq = 5")  # noqa: S608
    _sql(f"UPDATE {TABLE} SET seq = 5 WHERE seq = -3")  # noqa: S608
    assert _verify()[0] == 1
    assert verify_chain().first_break_seq == 3


def test_the_orm_refuses_to_change_events() -> None:
    _append(2)
    event = AuditEvent.objects.get(seq=1)
    event.actor = "someone else"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(seq=1).update(actor="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain() -> None:
    def writer() -> None:
        try:
            _append(15)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = verify_chain()
    assert report.ok, report
    assert report.events == 60


def test_every_patient_data_route_writes_an_event(world: World) -> None:
    """Walk the route map: each request to a route with record ids appends >= 1 event,
    for the care team, for another clinic (denied) and for a missing id (not found)."""
    routes = [route for route in all_routes() if route.touches_records]
    assert routes
    for who, target in (
        (world.a.staff["therapist"], world.a),
        (world.a.staff["therapist"], world.b),
        (world.a.staff["director"], None),
    ):
        client = signed_in_client(who, world)
        for route in routes:
            before = AuditEvent.objects.count()
            response = client.get(route.url(ids_for(route, target)))
            if response.status_code == 405:
                continue
            assert AuditEvent.objects.count() > before, (route.template, response.status_code)
    assert verify_chain().ok


def test_denied_reads_are_recorded_with_their_outcome(world: World) -> None:
    client = signed_in_client(world.b.staff["therapist"], world)
    assert client.get(f"/api/v1/patients/{world.a.patient.pk}").status_code == 404
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.actor, event.patient_id, event.outcome) == (
        "south-therapist",
        world.a.patient.pk,
        "denied",
    )
    assert event.ip == "127.0.0.1"


def test_refused_writes_are_recorded_with_their_outcome(world: World) -> None:
    from tandem.services import intake, placement
    from tandem.services.errors import ValidationFailed

    actor = Actor(user=world.a.staff["therapist"].user, ip="10.1.2.3")
    with pytest.raises(ValidationFailed):
        intake.record_administration(actor, world.a.patient.pk, "phq9", [0])
    with pytest.raises(ValidationFailed):
        placement.decide_placement(actor, world.a.formulation, level="nowhere")
    failed = list(
        AuditEvent.objects.filter(outcome="invalid").values_list("action", "patient_id", "ip")
    )
    assert failed == [
        ("administration.record", world.a.patient.pk, "10.1.2.3"),
        ("placement.decide", world.a.patient.pk, "10.1.2.3"),
    ]
    assert verify_chain().ok
