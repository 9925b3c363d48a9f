"""IOP/PHP groups (issue 11): sessions, rosters by level, whole-roster attendance, the
outreach alert (2 unexcused absences in 14 days, program), access and the caseload."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from tandem.services import groups
from tandem.services.actors import Actor
from tandem.services.clock import get_clock
from tandem.services.errors import Forbidden, NotFound, ValidationFailed
from tandem.storage.models import Alert, Attendance, AuditEvent, EpisodeOfCare, Organization
from tests.integration.support import World, add_group, build_world, signed_in_client


def as_(world: World, role: str, clinic: str = "a") -> Actor:
    return Actor(user=getattr(world, clinic).staff[role].user, via="test")


def _create(world: World, **changes: object) -> object:
    fields: dict[str, object] = {
        "name": "Coping skills",
        "starts_at": "2026-01-05T10:00",
        "level": "iop",
        "facilitator_id": world.a.staff["therapist"].pk,
    }
    fields.update(changes)
    return groups.create_session(as_(world, "therapist"), **fields)  # type: ignore[arg-type]  # test input


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"level": "residential"}, "level"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"starts_at": "2031-01-05T10:00"}, "starts_at"),
        ({"facilitator_id": "abc"}, "facilitator_id"),
    ],
)
def test_a_session_with_a_bad_field_names_it(
    world: World, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as failed:
        _create(world, **changes)
    assert failed.value.field == field
    assert AuditEvent.objects.filter(action="group.create", outcome="invalid").exists()


def test_the_facilitator_must_be_of_the_same_clinic_and_not_an_admin(world: World) -> None:
    for other in (world.b.staff["therapist"], world.a.staff["admin"]):
        with pytest.raises(ValidationFailed) as failed:
            _create(world, facilitator_id=other.pk)
        assert failed.value.field == "facilitator_id"


def test_a_naive_start_is_the_clinics_local_time(world: World) -> None:
    therapist = world.a.staff["therapist"]
    Organization.objects.filter(pk=therapist.organization_id).update(time_zone="America/Phoenix")
    session = groups.create_session(
        Actor(user=type(therapist.user).objects.get(pk=therapist.user_id)),
        name="Evening group",
        starts_at="2026-01-05T18:30",
        level="php",
        facilitator_id=therapist.pk,
    )
    assert session.starts_at == dt.datetime(2026, 1, 6, 1, 30, tzinfo=dt.UTC)  # type: ignore[attr-defined]


def test_admins_and_peer_specialists_do_not_schedule(world: World) -> None:
    for role in ("admin", "peer_specialist"):
        with pytest.raises(Forbidden):
            groups.create_session(
                as_(world, role),
                name="x",
                starts_at="2026-01-05T10:00",
                level="iop",
                facilitator_id=world.a.staff["therapist"].pk,
            )


def test_the_roster_is_the_patients_at_the_sessions_level(world: World) -> None:
    session = add_group(world.a, "iop")
    EpisodeOfCare.objects.filter(patient=world.a.outsider_patient).update(level="php")
    facilitator = groups.roster(as_(world, "peer_specialist"), session.pk)
    assert [e.patient.pk for e in facilitator.entries] == [world.a.patient.pk]
    assert facilitator.complete
    assert facilitator.may_record
    EpisodeOfCare.objects.filter(patient=world.a.outsider_patient).update(level="iop")
    director = groups.roster(as_(world, "director"), session.pk)
    assert {e.patient.pk for e in director.entries} == {
        world.a.patient.pk,
        world.a.outsider_patient.pk,
    }
    # The therapist sees only their care team's patients, and may not mark attendance.
    therapist = groups.roster(as_(world, "therapist"), session.pk)
    assert [e.patient.pk for e in therapist.entries] == [world.a.patient.pk]
    assert not therapist.complete
    assert not therapist.may_record
    event = AuditEvent.objects.filter(action="group.roster.view").last()
    assert event is not None


def test_a_discharged_patient_leaves_the_roster(world: World) -> None:
    session = add_group(world.a, "iop")
    world.a.patient.status = "discharged"
    world.a.patient.save()
    assert groups.roster(as_(world, "director"), session.pk).entries == []


def _marks(world: World, status: str = "present") -> dict[int, str]:
    return {world.a.patient.pk: status}


def test_attendance_is_all_or_nothing(world: World) -> None:
    session = add_group(world.a, "iop")
    EpisodeOfCare.objects.filter(patient=world.a.outsider_patient).update(level="iop")
    facilitator = as_(world, "peer_specialist")
    with pytest.raises(ValidationFailed) as missing:
        groups.record_attendance(facilitator, session.pk, _marks(world))
    assert missing.value.field == f"attendance.{world.a.outsider_patient.pk}"
    with pytest.raises(ValidationFailed) as bad:
        groups.record_attendance(
            facilitator,
            session.pk,
            {world.a.patient.pk: "present", world.a.outsider_patient.pk: "away"},
        )
    assert bad.value.field == f"attendance.{world.a.outsider_patient.pk}"
    with pytest.raises(ValidationFailed) as stranger:
        groups.record_attendance(
            facilitator,
            session.pk,
            {
                world.a.patient.pk: "present",
                world.a.outsider_patient.pk: "late",
                world.b.patient.pk: "late",
            },
        )
    assert stranger.value.field == f"attendance.{world.b.patient.pk}"
    assert not Attendance.objects.exists()
    assert AuditEvent.objects.filter(action="group.attendance", outcome="invalid").count() == 3
    rows = groups.record_attendance(
        facilitator,
        session.pk,
        {str(world.a.patient.pk): "present", str(world.a.outsider_patient.pk): "late"},
    )
    assert sorted(r.status for r in rows) == ["late", "present"]
    assert AuditEvent.objects.filter(action="group.attendance", outcome="ok").count() == 2


def test_only_the_facilitator_or_a_director_marks_attendance(world: World) -> None:
    session = add_group(world.a, "iop")
    for role in ("therapist", "intake", "admin"):
        with pytest.raises(Forbidden):
            groups.record_attendance(as_(world, role), session.pk, _marks(world))
    groups.record_attendance(as_(world, "director"), session.pk, _marks(world))
    assert Attendance.objects.get().recorded_by == world.a.staff["director"]


def test_a_future_session_is_not_marked(world: World) -> None:
    session = add_group(world.a, "iop", starts_at=get_clock().now() + dt.timedelta(days=3))
    with pytest.raises(ValidationFailed):
        groups.record_attendance(as_(world, "peer_specialist"), session.pk, _marks(world))


def test_another_clinics_session_is_missing_and_audited(world: World) -> None:
    session = add_group(world.b, "iop")
    for call in (
        lambda: groups.roster(as_(world, "director"), session.pk),
        lambda: groups.record_attendance(as_(world, "director"), session.pk, {}),
        lambda: groups.roster(as_(world, "director"), 987654321),
    ):
        with pytest.raises(NotFound):
            call()
    outcomes = set(
        AuditEvent.objects.filter(
            action__startswith="group.", outcome__in=["denied", "not_found"]
        ).values_list("outcome", flat=True)
    )
    assert outcomes == {"denied", "not_found"}


def _session_on(world: World, days_ago: int) -> int:
    starts = get_clock().now() - dt.timedelta(days=days_ago, hours=1)
    return add_group(world.a, "iop", starts_at=starts).pk


def test_two_unexcused_absences_in_14_days_raise_one_routine_alert(world: World) -> None:
    facilitator = as_(world, "peer_specialist")
    groups.record_attendance(facilitator, _session_on(world, 10), _marks(world, "unexcused"))
    assert not Alert.objects.filter(kind="missed_groups").exists()
    groups.record_attendance(facilitator, _session_on(world, 5), _marks(world, "excused"))
    assert not Alert.objects.filter(kind="missed_groups").exists()
    second = _session_on(world, 0)
    groups.record_attendance(facilitator, second, _marks(world, "unexcused"))
    alert = Alert.objects.get(kind="missed_groups")
    assert (alert.severity, alert.patient_id) == ("routine", world.a.patient.pk)
    assert alert.evidence[0]["record_type"] == "group attendance"
    # Marking it again (unchanged) adds nothing; a third absence is the same episode.
    groups.record_attendance(facilitator, second, _marks(world, "unexcused"))
    assert len(Alert.objects.get(kind="missed_groups").evidence) == 1


def test_absences_more_than_14_days_apart_raise_nothing(world: World) -> None:
    facilitator = as_(world, "peer_specialist")
    groups.record_attendance(facilitator, _session_on(world, 20), _marks(world, "unexcused"))
    groups.record_attendance(facilitator, _session_on(world, 0), _marks(world, "unexcused"))
    assert not Alert.objects.filter(kind="missed_groups").exists()


def test_caseload_counts(world: World) -> None:
    facilitator = as_(world, "peer_specialist")
    groups.record_attendance(facilitator, _session_on(world, 20), _marks(world, "unexcused"))
    groups.record_attendance(facilitator, _session_on(world, 3), _marks(world, "late"))
    groups.record_attendance(facilitator, _session_on(world, 1), _marks(world, "present"))
    groups.record_attendance(facilitator, _session_on(world, 0), _marks(world, "unexcused"))
    today = get_clock().today()
    counts = groups.attendance_counts([world.a.patient.pk], today)[world.a.patient.pk]
    assert (counts.attended, counts.excused, counts.unexcused) == (2, 0, 1)
    client = signed_in_client(world.a.staff["therapist"], world)
    page = client.get("/clinic/").content.decode()
    assert "2 attended" in page
    assert "1 unexcused" in page


def _record_in_thread(
    session_id: int,
    actor: Actor,
    patient_id: int,
    barrier: threading.Barrier,
    errors: list[BaseException],
) -> None:
    try:
        barrier.wait(timeout=10)
        groups.record_attendance(actor, session_id, {patient_id: "unexcused"})
    except BaseException as exc:  # reported to the main thread
        errors.append(exc)
    finally:
        close_old_connections()


@pytest.mark.django_db(transaction=True)
def test_concurrent_attendance_raises_one_alert() -> None:
    world = build_world()
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("threads need a file database")
    facilitator = as_(world, "peer_specialist")
    first, second = _session_on(world, 0), _session_on(world, 0)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(
            target=_record_in_thread,
            args=(session, facilitator, world.a.patient.pk, barrier, errors),
        )
        for session in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert Attendance.objects.filter(status="unexcused").count() == 2
    assert Alert.objects.filter(kind="missed_groups").count() == 1


def _at_once(calls: list[tuple[int, Actor, int]]) -> None:
    """Each (session, actor, patient) marked unexcused in its own thread, released
    together by a barrier; any error in a thread fails the test."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_record_in_thread, args=(*call, barrier, errors)) for call in calls
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_session", [True, False])
def test_the_second_unexcused_absence_recorded_twice_at_once_raises_one_alert(
    same_session: bool,
) -> None:
    """The first absence is on record; the second arrives from two writers at once: the
    facilitator and a director marking the same session, or the facilitator marking two
    sessions of the same day. One ``missed_groups`` alert either way (same as in
    test_screens.py's two fentanyl screens)."""
    world = build_world()
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("threads need a file database")
    facilitator, director = as_(world, "peer_specialist"), as_(world, "director")
    patient = world.a.patient.pk
    groups.record_attendance(facilitator, _session_on(world, 6), {patient: "unexcused"})
    today = _session_on(world, 0)
    if same_session:
        _at_once([(today, facilitator, patient), (today, director, patient)])
    else:
        _at_once([(today, facilitator, patient), (_session_on(world, 0), facilitator, patient)])
    unexcused = Attendance.objects.filter(patient=patient, status="unexcused")
    assert unexcused.count() == (2 if same_session else 3)
    alert = Alert.objects.get(kind="missed_groups", patient=patient)
    # One signal per new absence: the same session marked twice is one absence.
    assert len(alert.evidence) == (1 if same_session else 2)


def test_the_pages_schedule_and_mark_a_session(world: World) -> None:
    client = signed_in_client(world.a.staff["director"], world)
    assert b"New group session" in client.get("/clinic/groups").content
    bad = client.post(
        "/clinic/groups/new",
        {"name": "", "day": "2026-01-05", "time": "10:00", "level": "iop",
         "facilitator": world.a.staff["peer_specialist"].pk},
    )  # fmt: skip
    assert bad.status_code == 400
    assert b"error-summary" in bad.content
    EpisodeOfCare.objects.filter(patient=world.a.patient).update(level="iop")
    today = get_clock().today()
    made = client.post(
        "/clinic/groups/new",
        {"name": "Morning IOP", "day": today.isoformat(), "time": "00:00", "level": "iop",
         "facilitator": world.a.staff["peer_specialist"].pk},
    )  # fmt: skip
    assert made.status_code == 302
    url = made["Location"]
    page = client.get(url).content.decode()
    assert f'name="attendance_{world.a.patient.pk}"' in page
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "choose present, late, excused or unexcused" in refused.content.decode()
    saved = client.post(url, {f"attendance_{world.a.patient.pk}": "late"})
    assert saved.status_code == 302
    chart = client.get(f"/clinic/patients/{world.a.patient.pk}/").content.decode()
    assert "Morning IOP" in chart
    assert "Late" in chart


def test_the_api_schedules_lists_and_marks(world: World) -> None:
    import typing

    from tandem.api import schemas
    from tandem.domain.monitoring.groups import ATTENDANCE_STATUSES, GROUP_LEVELS

    assert typing.get_args(schemas.AttendanceStatus) == ATTENDANCE_STATUSES
    assert typing.get_args(schemas.GroupLevel) == GROUP_LEVELS
    client = signed_in_client(world.a.staff["director"], world)
    EpisodeOfCare.objects.filter(patient=world.a.patient).update(level="php")
    starts = (get_clock().now() - dt.timedelta(minutes=5)).isoformat()
    body = {
        "name": "PHP process group",
        "starts_at": starts,
        "level": "php",
        "facilitator_id": world.a.staff["therapist"].pk,
    }
    bad = client.post("/api/v1/groups", {**body, "level": "residential"}, "application/json")
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "level"
    made = client.post("/api/v1/groups", body, "application/json")
    assert made.status_code == 201
    group_id = made.json()["id"]
    assert [g["id"] for g in client.get("/api/v1/groups").json()] == [group_id]
    detail = client.get(f"/api/v1/groups/{group_id}").json()
    assert [r["patient_id"] for r in detail["roster"]] == [world.a.patient.pk]
    assert detail["roster"][0]["status"] is None
    url = f"/api/v1/groups/{group_id}/attendance"
    missing = client.post(url, {"attendance": {}}, "application/json")
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == f"attendance.{world.a.patient.pk}"
    marked = client.post(
        url, {"attendance": {str(world.a.patient.pk): "present"}}, "application/json"
    )
    assert marked.status_code == 200
    assert marked.json()[0]["status"] == "present"
    south = signed_in_client(world.b.staff["director"], world)
    assert south.get(f"/api/v1/groups/{group_id}").json()["error"]["code"] == "not_found"
    assert (
        "/api/v1/groups/{group_id}/attendance" in client.get("/api/v1/openapi.json").json()["paths"]
    )
