"""Tandem's background and scheduled work, run by the task framework (ADR 0007).

django-tasks (the backport of Django 6's ``django.tasks``) with its database backend
holds the queue; ``tandem worker`` runs the jobs. The framework has no clock of its
own, so ``tandem scheduler`` calls ``Scheduler.tick`` every few seconds: it only
enqueues the periodic tasks below when their period has passed, and keeps nothing but
when it last did so. Every periodic task is idempotent (it reads what is due from the
database), so a restart, a late run or a duplicate one changes nothing.

Issue 11's daily monitoring run is one more ``Periodic`` entry: every 10 minutes its
task finds, per clinic, the complete clinic-local days not yet run and runs each once
(``services.monitoring.run_due``; the ``MonitoringRun`` row is the claim).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django_tasks import task
from django_tasks.base import Task, TaskResultStatus

from tandem.services import alerts, monitoring, reminders


@task()
def send_due_reminders() -> int:
    """Send the daily check-in reminders that are due (``services.reminders``)."""
    return reminders.send_due_reminders()


@task()
def escalate_alerts() -> int:
    """Escalate urgent alerts left open past their clinic's escalation time."""
    return alerts.escalate_overdue()


@task()
def run_daily_monitoring() -> int:
    """Each clinic's daily monitoring run for its last complete day, once (issue 11)."""
    return len(monitoring.run_due())


@task()
def prune_task_results() -> None:
    """Delete finished task records older than 14 days (failed ones after 30)."""
    call_command("prune_db_task_results", min_age_days=14, failed_min_age_days=30, verbosity=0)


@dataclass(frozen=True)
class Periodic:
    """A task the scheduler enqueues every ``every``."""

    task: Task[[], Any]
    every: dt.timedelta


PERIODIC: tuple[Periodic, ...] = (
    Periodic(escalate_alerts, dt.timedelta(minutes=1)),
    Periodic(send_due_reminders, dt.timedelta(minutes=2)),
    Periodic(run_daily_monitoring, dt.timedelta(minutes=10)),
    Periodic(prune_task_results, dt.timedelta(days=1)),
)


class Scheduler:
    """Enqueues each periodic task once its period has passed since it last did (at
    once after a start). A task whose last run still waits in the queue is not enqueued
    again: a stopped worker finds one run of each, not a pile."""

    def __init__(
        self,
        periodic: Sequence[Periodic] = PERIODIC,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.periodic = periodic
        self.monotonic = monotonic
        self.last: dict[str, float] = {}

    def tick(self) -> list[str]:
        """Enqueue what is due; the tasks enqueued (their module paths)."""
        now = self.monotonic()
        enqueued = []
        for job in self.periodic:
            name = job.task.module_path
            last = self.last.get(name)
            if last is not None and now - last < job.every.total_seconds():
                continue
            self.last[name] = now
            if waiting(job.task):
                continue
            job.task.enqueue()
            enqueued.append(name)
        return enqueued


def waiting(queued: Task[[], Any]) -> bool:
    """Whether a run of this task sits in the database queue, not yet started."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = queued.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=queued.module_path, backend_name=backend.alias, status=TaskResultStatus.READY
    ).exists()
