"""Issue 10 services: portal enrolment, daily check-ins, and the alert store (raise,
route, notify, acknowledge, resolve, escalate), on a real database."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from tandem.services import alerts, checkins, portal_accounts
from tandem.services.actors import Actor
from tandem.services.clock import FixedClock, get_clock, use_clock
from tandem.services.errors import NotFound, ValidationFailed
from tandem.storage.models import (
    Alert,
    AlertRecipient,
    AuditEvent,
    CheckIn,
    CheckInSubmission,
    OnCall,
    OpeningHours,
)
from tests.integration.support import World

DAY = {"mood": 5, "sleep_hours": "7.5", "craving": 2, "used": "no", "safety": "no"}


def _patient_actor(world: World, ip: str = "") -> Actor:
    account, code, _ = portal_accounts.invite(
        Actor(world.a.staff["intake"].user), world.a.patient.pk
    )
    user = portal_accounts.enrol(code, username="river-7", password="a long pass phrase 42")
    assert account.patient_id == world.a.patient.pk
    actor = portal_accounts.patient_actor(user, ip)
    assert actor is not None
    return actor


def _hours_always_open(world: World) -> None:
    org = world.a.staff["intake"].organization
    for day in range(7):
        OpeningHours.objects.create(
            organization=org, weekday=day, opens=dt.time(0, 0), closes=dt.time(23, 59, 59)
        )


# ------------------------------------------------------------------ enrolment


def test_enrolment_code_is_single_use_and_expires(world: World) -> None:
    intake = Actor(world.a.staff["intake"].user)
    now = FixedClock(get_clock().now())
    with use_clock(now):
        _, code, expires = portal_accounts.invite(intake, world.a.patient.pk)
    assert expires - now.now() == dt.timedelta(hours=72)
    user = portal_accounts.enrol(code, username="sun-1", password="a long pass phrase 42")
    assert user.check_password("a long pass phrase 42")
    with pytest.raises(ValidationFailed) as refused:
        portal_accounts.enrol(code, username="sun-2", password="a long pass phrase 42")
    assert refused.value.field == "code"
    # A forgotten password: a new code sets a new password on the same account.
    _, again, _ = portal_accounts.invite(intake, world.a.patient.pk)
    same = portal_accounts.enrol(again, password="another long phrase 43")
    assert same.pk == user.pk
    assert same.check_password("another long phrase 43")
    _, late, _ = portal_accounts.invite(intake, world.a.patient.pk)
    later = FixedClock(get_clock().now() + dt.timedelta(hours=72, seconds=1))
    with use_clock(later), pytest.raises(ValidationFailed):
        portal_accounts.enrol(late, password="another long phrase 44")


def test_a_new_code_ends_the_earlier_one(world: World) -> None:
    intake = Actor(world.a.staff["intake"].user)
    _, first, _ = portal_accounts.invite(intake, world.a.patient.pk)
    portal_accounts.invite(intake, world.a.patient.pk)
    with pytest.raises(ValidationFailed):
        portal_accounts.enrol(first, username="x-first", password="a long pass phrase 42")


def test_enrolment_refuses_bad_input_and_saves_nothing(world: World) -> None:
    _, code, _ = portal_accounts.invite(Actor(world.a.staff["intake"].user), world.a.patient.pk)
    with pytest.raises(ValidationFailed) as short:
        portal_accounts.enrol(code, username="ok-name", password="short")
    assert short.value.field == "password"
    with pytest.raises(ValidationFailed) as taken:
        portal_accounts.enrol(code, username="north-intake", password="a long pass phrase 42")
    assert taken.value.field == "username"
    # The code was not spent by the refused tries.
    assert portal_accounts.enrol(code, username="ok-name", password="a long pass phrase 42")


def test_only_clinicians_who_see_the_patient_invite(world: World) -> None:
    with pytest.raises(NotFound):
        portal_accounts.invite(Actor(world.b.staff["director"].user), world.a.patient.pk)
    with pytest.raises(NotFound):  # prescriber is not on this patient's care team
        portal_accounts.invite(Actor(world.a.staff["prescriber"].user), world.a.patient.pk)


def test_a_patient_actor_reaches_only_their_own_record(world: World) -> None:
    me = _patient_actor(world)
    checkins.record_checkin(me, world.a.patient.pk, DAY)
    with pytest.raises(NotFound):
        checkins.record_checkin(me, world.a.outsider_patient.pk, DAY)
    denied = AuditEvent.objects.filter(action="checkin.record", outcome="denied")
    assert denied.filter(patient_id=world.a.outsider_patient.pk).exists()
    # Staff cannot act as a patient: a staff user has no patient actor.
    assert portal_accounts.patient_actor(world.a.staff["therapist"].user) is None


# ------------------------------------------------------------------ check-ins


def test_second_checkin_replaces_scales_but_never_erases_a_yes(world: World) -> None:
    me = _patient_actor(world)
    first = checkins.record_checkin(
        me,
        world.a.patient.pk,
        {**DAY, "used": "yes", "use_days": [checkins.patient_today(world.a.patient).isoformat()]},
    )
    assert not first.replaced
    second = checkins.record_checkin(me, world.a.patient.pk, {**DAY, "mood": 8, "used": "no"})
    assert second.replaced
    row = CheckIn.objects.get(patient=world.a.patient)
    assert (row.mood, row.used, len(row.use_days)) == (8, True, 1)
    assert CheckInSubmission.objects.filter(checkin=row).count() == 2
    assert AuditEvent.objects.filter(action="checkin.record", record_id=str(row.pk)).count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mood", 11),
        ("mood", "-1"),
        ("mood", None),
        ("sleep_hours", "7.25"),
        ("sleep_hours", "15"),
        ("sleep_hours", "nan"),
        ("craving", True),
        ("energy", "x"),
        ("used", "maybe"),
        ("safety", None),
        ("on", "2001-01-01"),
        ("colour", "blue"),
    ],
)
def test_bad_checkin_names_the_field_and_saves_nothing(
    world: World, field: str, value: object
) -> None:
    me = _patient_actor(world)
    with pytest.raises(ValidationFailed) as refused:
        checkins.record_checkin(me, world.a.patient.pk, {**DAY, field: value})
    assert refused.value.field == field
    assert not CheckIn.objects.exists()


def test_use_days_must_be_the_day_or_two_before(world: World) -> None:
    me = _patient_actor(world)
    today = checkins.patient_today(world.a.patient)
    with pytest.raises(ValidationFailed) as refused:
        checkins.record_checkin(me, world.a.patient.pk, {**DAY, "used": "yes"})
    assert refused.value.field == "use_days"
    old = (today - dt.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationFailed):
        checkins.record_checkin(me, world.a.patient.pk, {**DAY, "used": "yes", "use_days": [old]})


def test_late_checkin_up_to_two_days(world: World) -> None:
    me = _patient_actor(world)
    today = checkins.patient_today(world.a.patient)
    two_ago = (today - dt.timedelta(days=2)).isoformat()
    outcome = checkins.record_checkin(me, world.a.patient.pk, {**DAY, "on": two_ago})
    assert outcome.checkin.late
    assert checkins.open_days(world.a.patient) == [today, today - dt.timedelta(days=1)]


def test_a_checkin_at_2330_local_lands_on_that_local_day(world: World) -> None:
    org = world.a.staff["intake"].organization
    org.time_zone = "America/Phoenix"  # UTC-7 all year
    org.save()
    me = _patient_actor(world)
    late_evening = dt.datetime(2026, 3, 10, 6, 30, tzinfo=dt.UTC)  # 23:30 on 9 March there
    with use_clock(FixedClock(late_evening)):
        outcome = checkins.record_checkin(me, world.a.patient.pk, DAY)
    assert outcome.checkin.on == dt.date(2026, 3, 9)
    assert not outcome.checkin.late


def test_coping_after_high_craving_or_low_mood(world: World) -> None:
    me = _patient_actor(world)
    assert checkins.record_checkin(me, world.a.patient.pk, {**DAY, "craving": 7}).coping
    assert checkins.record_checkin(me, world.a.patient.pk, {**DAY, "mood": 3}).coping
    assert not checkins.record_checkin(me, world.a.patient.pk, {**DAY, "mood": 4}).coping


# ------------------------------------------------------------------ alerts


def test_safety_yes_raises_urgent_alert_for_the_care_team(world: World) -> None:
    _hours_always_open(world)
    me = _patient_actor(world)
    outcome = checkins.record_checkin(me, world.a.patient.pk, {**DAY, "safety": "yes"})
    assert outcome.help_first
    alert = Alert.objects.get(patient=world.a.patient, kind="suicide_risk")
    assert (alert.severity, alert.state, alert.score) == ("urgent", "open", 1)
    # Routed to the therapist on the care team (ruleset-v2 s7: therapist and prescriber;
    # this patient's team has no prescriber).
    people = {r.staff.role: r.reason for r in alerts.recipients(alert)}
    assert people == {"therapist": "care_team"}
    assert alerts.open_count(world.a.staff["therapist"]) == 1
    assert alerts.open_count(world.a.staff["prescriber"]) == 0
    # A second "yes" the same day adds evidence to the same alert and notifies again.
    checkins.record_checkin(me, world.a.patient.pk, {**DAY, "safety": "yes"})
    alert.refresh_from_db()
    assert Alert.objects.filter(kind="suicide_risk").count() == 1
    assert len(alert.evidence) == 2
    assert alert.transitions.filter(transition="notified").count() == 2


def test_outside_opening_hours_urgent_goes_to_on_call_and_director(world: World) -> None:
    org = world.a.staff["intake"].organization
    for day in range(7):
        OnCall.objects.create(organization=org, weekday=day, staff=world.a.staff["prescriber"])
    me = _patient_actor(world)  # no opening hours entered: counted as closed
    checkins.record_checkin(me, world.a.patient.pk, {**DAY, "safety": "yes"})
    alert = Alert.objects.get(kind="suicide_risk")
    people = {r.staff.role: r.reason for r in alerts.recipients(alert)}
    assert people == {"therapist": "care_team", "prescriber": "on_call", "director": "on_call"}


def test_fallback_to_intake_then_director(world: World) -> None:
    patient = world.a.outsider_patient  # care team: the prescriber only
    assert {s.role for s, _ in alerts.route(patient, "suicide_risk")} == {"prescriber"}
    assert [r for _, r in alerts.route(patient, "missed_checkins")] == ["director_fallback"]
    assert [s.role for s, _ in alerts.route(world.a.patient, "persistent_depression")] == ["intake"]


def test_acknowledge_and_resolve_are_audited_transitions(world: World) -> None:
    _hours_always_open(world)
    me = _patient_actor(world)
    checkins.record_checkin(me, world.a.patient.pk, {**DAY, "safety": "yes"})
    alert = Alert.objects.get(kind="suicide_risk")
    therapist = Actor(world.a.staff["therapist"].user)
    with pytest.raises(ValidationFailed) as no_note:
        alerts.resolve(therapist, alert.pk, "")
    assert no_note.value.field == "note"
    alerts.acknowledge(therapist, alert.pk, "Called; safe with sister tonight.")
    alerts.resolve(therapist, alert.pk, "Safety plan reviewed in session.")
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert [t.transition for t in alerts.transitions(alert)][-2:] == ["acknowledged", "resolved"]
    assert AuditEvent.objects.filter(action="alert.resolved", record_id=str(alert.pk)).exists()
    with pytest.raises(NotFound):  # another clinic's director cannot reach it
        alerts.acknowledge(Actor(world.b.staff["director"].user), alert.pk)
    # A new signal the same day reopens that day's alert (ruleset-v2 s7, app rules).
    checkins.record_checkin(me, world.a.patient.pk, {**DAY, "safety": "yes"})
    alert.refresh_from_db()
    assert alert.state == "open"
    assert alert.transitions.filter(transition="reopened").count() == 1


def test_unacknowledged_urgent_alert_escalates_once(world: World) -> None:
    _hours_always_open(world)
    org = world.a.staff["intake"].organization
    org.escalation_minutes = 15
    org.save()
    me = _patient_actor(world)
    checkins.record_checkin(me, world.a.patient.pk, {**DAY, "safety": "yes"})
    assert alerts.escalate_overdue() == 0
    later = FixedClock(get_clock().now() + dt.timedelta(minutes=16))
    with use_clock(later):
        assert alerts.escalate_overdue() == 1
        assert alerts.escalate_overdue() == 0
    alert = Alert.objects.get(kind="suicide_risk")
    assert AlertRecipient.objects.filter(alert=alert, reason="escalation").exists()
    assert alert.escalated_at is not None


def _signal_in_thread(
    world: World, barrier: threading.Barrier, errors: list[BaseException]
) -> None:
    try:
        barrier.wait(timeout=10)
        alerts.signal(
            Actor(None, via="test"),
            world.a.patient,
            "suicide_risk",
            alerts.Evidence(dt.date(2026, 1, 5), "test", "check-in", 1, 1),
        )
    except BaseException as exc:  # reported to the main thread
        errors.append(exc)
    finally:
        close_old_connections()


@pytest.mark.django_db(transaction=True)
def test_concurrent_signals_raise_one_alert() -> None:
    from tests.integration.support import build_world

    world = build_world()
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("threads need a file database")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_signal_in_thread, args=(world, barrier, errors)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    alert = Alert.objects.get(patient=world.a.patient, kind="suicide_risk")
    assert len(alert.evidence) == 2
