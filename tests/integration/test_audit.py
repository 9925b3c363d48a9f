"""The audit log: every patient-data route writes an event; tampering is detected.

SECURITY.md "Audit and disclosure": append-only, keyed hash chain, a verify command
that finds edits, deletions, insertions and reorders.
"""

from __future__ import annotations

import hashlib
import hmac
import threading

import pytest
from click.testing import CliRunner
from django.db import IntegrityError, connection, connections, transaction
from django.test import override_settings

from tandem.cli import main
from tandem.services.access import caseload
from tandem.services.actors import Actor
from tandem.services.audit import head_mac, record_event, verify_chain
from tandem.storage.models import AuditChainHead, AuditEvent
from tandem.storage.models.audit import AppendOnly
from tests.integration.routes import all_routes, ids_for
from tests.integration.support import Clinic, World, build_world, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    """The two-clinic world with a self-check referral in each (referral routes get real
    referral ids, never a patient id)."""
    return build_world(referrals=True)


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


def _subject_of(route_template: str, clinic: Clinic) -> tuple[str, int | None]:
    """The record type a route's events name, and the patient they are about."""
    if "referral" in route_template:
        return "referral", None
    if "staff" in route_template:
        return "staff", None
    if "group" in route_template:
        return "group_session", None  # a group session; the roster read names its patients
    return "", clinic.patient.pk


def test_every_patient_data_route_writes_an_event(world: World) -> None:
    """Walk the route map: each request to a route with record ids appends events naming
    the actor, an action, the patient and the true outcome: for the care team ("ok", or
    "denied" where the role may not do this), for another clinic (denied / not found,
    never "ok") and for a missing id (not found)."""
    routes = [route for route in all_routes() if route.touches_records]
    assert routes
    for who, target, outcomes in (
        (world.a.staff["therapist"], world.a, {"ok", "denied"}),
        (world.a.staff["therapist"], world.b, {"denied", "not_found"}),
        (world.a.staff["director"], None, {"not_found"}),
    ):
        client = signed_in_client(who, world)
        for route in routes:
            url = route.url(ids_for(route, target))  # (may raise the walker's alert first)
            before = _last().seq
            response = client.get(url)
            if response.status_code == 405:
                continue
            events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
            where = (route.template, response.status_code, target and target.patient.pk)
            assert events, where
            for event in events:
                assert event.actor == who.user.username, where
                assert "." in event.action, where
                assert event.outcome in outcomes, (*where, event.action, event.outcome)
                assert event.ip == "127.0.0.1", where
            if target is not None:
                kind, patient = _subject_of(route.template, target)
                first = events[0]
                if kind:
                    assert first.record_type == kind, where
                else:
                    assert first.patient_id == patient, (*where, first.patient_id)
            if response.status_code == 200:
                assert events[-1].outcome == "ok", where
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
        placement.decide_placement(actor, world.a.formulation.pk, level="nowhere")
    failed = list(
        AuditEvent.objects.filter(outcome="invalid").values_list("action", "patient_id", "ip")
    )
    assert failed == [
        ("administration.record", world.a.patient.pk, "10.1.2.3"),
        ("placement.decide", world.a.patient.pk, "10.1.2.3"),
    ]
    assert verify_chain().ok


HEAD = AuditChainHead._meta.db_table


def _last() -> AuditEvent:
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    return event


def test_deleting_the_newest_events_and_rewriting_the_head_is_found() -> None:
    """Review defect 4: the head's seal needs the audit key, so moving it back after
    deleting the tail is caught even when seq and hash are rewritten consistently."""
    _append(10)
    _sql(f"DELETE FROM {TABLE} WHERE seq > 7")  # noqa: S608
    seventh = AuditEvent.objects.get(seq=7)
    _sql(f"UPDATE {HEAD} SET seq = 7, hash = %s WHERE id = 1", seventh.hash)  # noqa: S608
    report = verify_chain()
    assert not report.ok
    assert "seal" in report.problem
    # A seal made with some other key does not pass either.
    forged = hmac.new(b"guessed-key", f"7|{seventh.hash}".encode(), hashlib.sha256).hexdigest()
    _sql(f"UPDATE {HEAD} SET mac = %s WHERE id = 1", forged)  # noqa: S608
    assert not verify_chain().ok
    assert _verify()[0] == 1


def test_a_missing_head_or_an_emptied_log_is_found() -> None:
    assert verify_chain().ok  # nothing logged yet, no head: an empty, intact log
    _append(3)
    _sql(f"DELETE FROM {HEAD}")  # noqa: S608
    assert verify_chain().problem == "chain head missing"
    # Appending cannot quietly start a new chain over the old one: it fails, and
    # nothing is written, until an operator looks into it.
    with pytest.raises(IntegrityError), transaction.atomic():
        record_event(None, "test.event")
    assert verify_chain().problem == "chain head missing"


def test_an_emptied_log_under_a_head_that_says_otherwise_is_found() -> None:
    _append(4)
    _sql(f"DELETE FROM {TABLE}")  # noqa: S608
    report = verify_chain()
    assert not report.ok
    assert report.first_break_seq == 1


def test_the_head_names_the_last_event_and_is_sealed() -> None:
    _append(5)
    head = AuditChainHead.objects.get(id=1)
    assert (head.seq, head.hash) == (5, _last().hash)
    assert head.mac == head_mac(5, head.hash)


CANONICAL_EDITS = {
    "actor": "'mallory'",
    "action": "'patient.view.x'",
    "patient_id": "424242",
    "record_type": "'plan'",
    "record_id": "'99'",
    "at": "'2001-01-01 00:00:00'",
    "ip": "'10.9.9.9'",
    "outcome": "'denied'",
    "patient_ids": "'1,2,3'",
}


@pytest.mark.parametrize("column", sorted(CANONICAL_EDITS))
def test_editing_any_canonical_field_is_found(column: str) -> None:
    _append(6)
    value = CANONICAL_EDITS[column]
    _sql(f"UPDATE {TABLE} SET {column} = {value} WHERE seq = 3")  # noqa: S608
    report = verify_chain()
    assert report.first_break_seq == 3, (column, report)


def test_a_list_read_records_every_patient_shown(world: World) -> None:
    director = world.a.staff["director"]
    rows = caseload(Actor(user=director.user, ip="10.0.0.5"))
    event = _last()
    shown = [row.patient.pk for row in rows]
    assert len(shown) >= 2
    assert event.action == "caseload.view"
    assert event.patient_ids == ",".join(map(str, shown))
    assert verify_chain().ok


def test_a_refused_write_is_one_event_with_its_true_outcome_and_record(world: World) -> None:
    """Review defect 5: no "ok" under a write's name when the write was refused."""
    from tandem.services import intake
    from tandem.services.errors import Forbidden, ValidationFailed

    patient = world.a.patient.pk
    before = _last().seq
    actor = Actor(user=world.a.staff["therapist"].user, ip="10.1.2.3")
    with pytest.raises(ValidationFailed):
        intake.record_administration(actor, patient, "phq9", [0])
    admin = Actor(user=world.a.staff["admin"].user, ip="10.1.2.4")
    with pytest.raises(Forbidden):
        intake.record_administration(admin, patient, "phq9", [0] * 9)
    events = list(
        AuditEvent.objects.filter(seq__gt=before).values_list(
            "actor", "action", "patient_id", "record_type", "record_id", "outcome"
        )
    )
    assert events == [
        ("north-therapist", "administration.record", patient, "patient", str(patient), "invalid"),
        ("north-admin", "administration.record", patient, "patient", str(patient), "denied"),
    ]
    made = intake.record_administration(actor, patient, "phq9", [0] * 9)
    ok = list(AuditEvent.objects.filter(seq__gt=before, outcome="ok").values_list("action"))
    assert ok == [("administration.record",)]
    assert _last().record_id == str(made.pk)


@override_settings(TANDEM_TRUSTED_PROXY_COUNT=1)
def test_from_where_is_the_address_the_trusted_proxy_saw(world: World) -> None:
    client = signed_in_client(world.a.staff["therapist"], world)
    spoofed = "6.6.6.6, 203.0.113.7"  # the client wrote 6.6.6.6; our proxy appended .7
    client.get(f"/api/v1/patients/{world.a.patient.pk}", HTTP_X_FORWARDED_FOR=spoofed)
    assert _last().ip == "203.0.113.7"


def test_without_trusted_proxies_forwarded_for_is_ignored(world: World) -> None:
    client = signed_in_client(world.a.staff["therapist"], world)
    client.get(f"/api/v1/patients/{world.a.patient.pk}", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert _last().ip == "127.0.0.1"


def test_the_referral_list_records_which_referrals_it_showed(world: World) -> None:
    """Probe finding 5: ``referral.list`` recorded a count, not which referrals (with
    their contact details) were shown."""
    from tandem.services.referrals import list_referrals

    director = world.a.staff["director"]
    shown = list_referrals(Actor(user=director.user, ip="10.0.0.5"))
    assert shown
    event = _last()
    assert event.action == "referral.list"
    assert event.record_ids == ",".join(str(r.pk) for r in shown)
    assert verify_chain().ok
    _sql(f"UPDATE {TABLE} SET record_ids = '999999' WHERE seq = %s", event.seq)  # noqa: S608
    assert verify_chain().first_break_seq == event.seq


def test_the_chart_reads_the_record_through_the_audited_service_reads(world: World) -> None:
    """Issue 9 item 4: the chart reads what the API reads, each read audited for the
    patient (formulation, placements, plan, episode, alerts), not the ORM directly."""
    client = signed_in_client(world.a.staff["therapist"], world)
    before = AuditEvent.objects.order_by("-seq").first().seq
    assert client.get(f"/clinic/patients/{world.a.patient.pk}/").status_code == 200
    events = set(
        AuditEvent.objects.filter(seq__gt=before, patient_id=world.a.patient.pk).values_list(
            "action", "outcome"
        )
    )
    wanted = ("chart.view", "formulation.view", "placement.list", "plan.view", "episode.view",
              "alert.list", "administration.list")  # fmt: skip
    assert {(action, "ok") for action in wanted} <= events
