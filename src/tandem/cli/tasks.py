"""``tandem worker`` and ``tandem scheduler``: the task framework's processes (ADR 0007).

The worker runs queued jobs (django-tasks-db's ``db_worker``); the scheduler enqueues
the periodic ones (``tandem.tasks.PERIODIC``). Run one scheduler and one or more
workers beside ``tandem serve``; ``tandem serve --with-worker`` starts one of each.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from types import FrameType

import click

from tandem.cli.server import refuse_unsafe_database, setup_django


@click.command()
@click.option(
    "--interval",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.1, 60),
    help="Seconds to wait when the queue is empty before looking again.",
)
@click.option("--batch", is_flag=True, help="Run every queued job, then exit.")
def worker(interval: float, batch: bool) -> None:
    """Run queued background jobs (reminders, escalation, alert e-mails) until stopped."""
    setup_django()
    refuse_unsafe_database()
    from django.conf import settings
    from django.core.management import call_command

    if settings.TASKS["default"]["BACKEND"] != settings.TASKS_DATABASE_BACKEND:
        click.echo("tandem: the worker needs the database task backend", err=True)
        sys.exit(2)
    call_command("db_worker", interval=interval, batch=batch, reload=False, startup_delay=not batch)


@click.command()
@click.option(
    "--tick",
    default=15,
    show_default=True,
    type=click.IntRange(1, 60),
    help="Seconds between looks at what is due.",
)
@click.option("--once", is_flag=True, help="Enqueue what is due now, then exit.")
def scheduler(tick: int, once: bool) -> None:
    """Enqueue the periodic jobs when due (one scheduler per installation)."""
    setup_django()
    refuse_unsafe_database()
    from django.db import close_old_connections

    from tandem.tasks import PERIODIC, Scheduler

    log = logging.getLogger("tandem.scheduler")
    running = Scheduler()
    stop: list[int] = []

    def finish(signum: int, frame: FrameType | None) -> None:
        stop.append(signum)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    names = ", ".join(f"{p.task.name} every {p.every}" for p in PERIODIC)
    log.info("scheduler started: %s", names)
    while not stop:
        close_old_connections()
        for name in running.tick():
            log.info("enqueued %s", name)
        if once:
            return
        for _ in range(tick * 10):  # wake often enough to stop promptly
            if stop:
                break
            time.sleep(0.1)
    log.info("scheduler stopped")
