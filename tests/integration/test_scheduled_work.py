"""Issue 10's scheduled work (ADR 0006): check-in reminders, escalation and alert
e-mail as tasks; the database backend and its worker; the scheduler's cadence."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tandem import tasks
from tandem.domain.reminders import treatment_word
from tandem.services import checkins, notices, portal_accounts, reminders
from tandem.services.actors import Actor
from tandem.services.audit import canonical
from tandem.services.clock import FixedClock, use_clock
from tandem.services.errors import NotFound, ValidationFailed
from tandem.storage.models import Alert, AuditEvent, OpeningHours, PatientAccount
from tests.integration.support import World

DAY = {"mood": 5, "sleep_hours": "7.5", "craving": 2, "used": "no", "safety": "no"}
ZONE = "America/Phoenix"  # UTC-7 all year: 09:00 there is 16:00 UTC
DATABASE_TASKS = {"default": {"BACKEND": settings.TASKS_DATABASE_BACKEND, "QUEUES": ["default"]}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


def _me(world: World) -> Actor:
    org = world.a.patient.organization
    org.time_zone = ZONE
    org.save(update_fields=["time_zone"])
    _, code, _ = portal_accounts.invite(Actor(world.a.staff["intake"].user), world.a.patient.pk)
    user = portal_accounts.enrol(code, username="river-7", password="a long pass phrase 42")
    actor = portal_accounts.patient_actor(user, "")
    assert actor is not None
    return actor


def _run_at(moment: dt.datetime) -> int:
    with use_clock(FixedClock(moment)):
        return reminders.send_due_reminders()


@pytest.mark.django_db
def test_reminder_once_a_day_at_the_chosen_clinic_local_time(world: World) -> None:
    me = _me(world)
    with use_clock(FixedClock(utc(10, 14))):  # 07:00 in Phoenix
        reminders.set_reminder(me, email="river@example.org", time="09:00", on=True)
    assert _run_at(utc(10, 15, 59)) == 0  # 08:59 local
    assert _run_at(utc(10, 16, 0)) == 1  # 09:00 local
    assert _run_at(utc(10, 16, 2)) == 0
    assert _run_at(utc(10, 23, 30)) == 0  # later the same local day
    assert _run_at(utc(11, 6, 59)) == 0  # 23:59 local, still the 10th
    assert [m.to for m in mail.outbox] == [["river@example.org"]]
    assert _run_at(utc(11, 16, 1)) == 1  # the next local day
    account = PatientAccount.objects.get(patient=world.a.patient)
    assert account.reminder_last_sent_on == dt.date(2026, 3, 11)
    sent = AuditEvent.objects.filter(action="patient.portal.reminder_sent")
    assert sent.count() == 2


@pytest.mark.django_db
def test_no_reminder_before_opting_in_or_after_turning_off(world: World) -> None:
    me = _me(world)
    assert _run_at(utc(10, 17)) == 0  # never opted in
    with use_clock(FixedClock(utc(10, 17))):  # 10:00 local: today's 09:00 has passed
        reminders.set_reminder(me, email="river@example.org", time="09:00", on=True)
    assert _run_at(utc(10, 17, 5)) == 0
    assert _run_at(utc(11, 16)) == 1
    with use_clock(FixedClock(utc(11, 20))):
        account = reminders.set_reminder(me, on=False)
    assert account.reminder_opted_in_at is None
    assert _run_at(utc(12, 16)) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_reminder_after_a_checkin_today(world: World) -> None:
    me = _me(world)
    with use_clock(FixedClock(utc(10, 14))):
        reminders.set_reminder(me, email="river@example.org", time="09:00", on=True)
    with use_clock(FixedClock(utc(10, 15))):  # 08:00 local
        checkins.record_checkin(me, world.a.patient.pk, DAY)
    assert _run_at(utc(10, 16)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_reminder_reveals_nothing_about_the_patient_or_their_care(world: World) -> None:
    me = _me(world)
    with use_clock(FixedClock(utc(10, 14))):
        reminders.set_reminder(me, email="river@example.org", time="09:00", on=True)
    assert _run_at(utc(10, 16)) == 1
    (message,) = mail.outbox
    text = f"{message.subject}\n{message.from_email}\n{message.body}"
    assert treatment_word(text) is None
    for private in (world.a.patient.display_name, world.a.patient.organization.name, "river-7"):
        assert private.lower() not in text.lower()
    assert "A reminder from your care team: your daily check-in is open." in message.body
    assert f"{settings.CONFIG.base_url}/me/" in message.body
    assert message.from_email.startswith("your care team <")


@pytest.mark.django_db
def test_clinic_chosen_sender_and_text(world: World) -> None:
    me = _me(world)
    chosen = dataclasses.replace(
        settings.CONFIG, reminder_sender="Hillside Health", reminder_text="{sender} says hi."
    )
    with use_clock(FixedClock(utc(10, 14))):
        reminders.set_reminder(me, email="river@example.org", time="09:00", on=True)
    with override_settings(CONFIG=chosen):
        assert _run_at(utc(10, 16)) == 1
    assert mail.outbox[0].body.startswith("Hillside Health says hi.\n")


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down (a fake for the SMTP backend's failure)."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


@pytest.mark.django_db
def test_a_failed_send_is_tried_again_on_the_next_run(world: World) -> None:
    me = _me(world)
    with use_clock(FixedClock(utc(10, 14))):
        reminders.set_reminder(me, email="river@example.org", time="09:00", on=True)
    backend = f"{__name__}.RefusingBackend"
    with override_settings(EMAIL_BACKEND=backend):
        assert _run_at(utc(10, 16)) == 0
    assert PatientAccount.objects.get(patient=world.a.patient).reminder_last_sent_on is None
    assert _run_at(utc(10, 16, 2)) == 1


@pytest.mark.django_db
def test_set_reminder_checks_its_input_and_audits_without_the_address(world: World) -> None:
    me = _me(world)
    for email, time, field in (
        ("not-an-address", "09:00", "email"),
        ("river@example.org", "9am", "time"),
        ("river@example.org", "24:00", "time"),
        ("river@example.org", "", "time"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            reminders.set_reminder(me, email=email, time=time, on=True)
        assert refused.value.field == field
    assert PatientAccount.objects.get(patient=world.a.patient).reminder_opted_in_at is None
    with pytest.raises(NotFound):  # staff cannot turn on a patient's reminder
        reminders.set_reminder(
            Actor(world.a.staff["intake"].user), email="x@example.org", time="09:00", on=True
        )
    account = reminders.set_reminder(me, email="river@example.org", time="18:30", on=True)
    assert account.reminder_time == dt.time(18, 30)
    assert account.reminder_opted_in_at is not None
    events = AuditEvent.objects.filter(action__startswith="patient.portal.reminder")
    assert [e.action for e in events] == ["patient.portal.reminder_on"]
    assert all("river@" not in canonical(e) for e in AuditEvent.objects.all())


@pytest.mark.django_db
@override_settings(TASKS=IMMEDIATE_TASKS)
def test_escalation_task_calls_through(world: World) -> None:
    org = world.a.staff["intake"].organization
    for day in range(7):
        OpeningHours.objects.create(
            organization=org, weekday=day, opens=dt.time(0, 0), closes=dt.time(23, 59, 59)
        )
    org.escalation_minutes = 15
    org.save()
    me = _me(world)
    with use_clock(FixedClock(utc(10, 16))):
        checkins.record_checkin(me, world.a.patient.pk, {**DAY, "safety": "yes"})
    with use_clock(FixedClock(utc(10, 16, 16))):
        result = tasks.escalate_alerts.enqueue()  # run at once, in this process
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert Alert.objects.get(kind="suicide_risk").escalated_at is not None


# ------------------------------------------------ the database backend and its worker


def _work() -> None:
    """Run the real worker over the queue until it is empty (in this process). Its
    tests use committed transactions: the worker closes a connection left inside one."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_database_worker_runs_a_queued_reminder_run(world: World) -> None:
    me = _me(world)
    with use_clock(FixedClock(utc(10, 14))):
        reminders.set_reminder(me, email="river@example.org", time="09:00", on=True)
    result = tasks.send_due_reminders.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "tandem.tasks.send_due_reminders"
    assert mail.outbox == []  # nothing ran in the enqueuing process
    with use_clock(FixedClock(utc(10, 16))):
        _work()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.task_result.return_value == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_alert_email_is_queued_after_commit_and_sent_by_the_worker(
    world: World,
) -> None:
    for staff in world.a.staff.values():
        staff.user.email = f"{staff.user.username}@clinic.example"
        staff.user.save(update_fields=["email"])
    me = _me(world)
    with override_settings(CONFIG=dataclasses.replace(settings.CONFIG, alert_email=True)):
        checkins.record_checkin(me, world.a.patient.pk, {**DAY, "safety": "yes"})
        queued = DBTaskResult.objects.filter(task_path="tandem.services.notices.send_alert_notice")
        assert queued.count() == 1
        assert mail.outbox == []  # the request did not wait for the mail server
        _work()
    assert queued.get().status == TaskResultStatus.SUCCESSFUL
    assert mail.outbox
    for message in mail.outbox:
        assert world.a.patient.display_name not in message.body
        assert f"{settings.CONFIG.base_url}/alerts" in message.body


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_failing_job_is_recorded_as_failed() -> None:
    result = notices.send_alert_notice.enqueue(1)  # a job that cannot run: an argument short
    _work()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "builtins.TypeError"


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_scheduler_enqueues_each_job_once_per_period_and_never_piles_up() -> None:
    now = [1000.0]
    scheduler = tasks.Scheduler(monotonic=lambda: now[0])
    everything = {p.task.module_path for p in tasks.PERIODIC}
    assert set(scheduler.tick()) == everything  # at once after a start
    assert scheduler.tick() == []
    now[0] += 61  # escalation is due again, but its last run still waits: no second one
    assert scheduler.tick() == []
    _work_nothing_but_escalation()
    now[0] += 61
    assert scheduler.tick() == ["tandem.tasks.escalate_alerts"]
    now[0] += 61
    assert "tandem.tasks.send_due_reminders" not in scheduler.tick()  # still waiting
    counts = {
        path: DBTaskResult.objects.filter(task_path=path).count() for path in sorted(everything)
    }
    assert counts == {
        "tandem.tasks.escalate_alerts": 2,
        "tandem.tasks.prune_task_results": 1,
        "tandem.tasks.run_daily_monitoring": 1,
        "tandem.tasks.send_due_reminders": 1,
    }


def _work_nothing_but_escalation() -> None:
    DBTaskResult.objects.filter(task_path="tandem.tasks.escalate_alerts").update(
        status=TaskResultStatus.SUCCESSFUL
    )
