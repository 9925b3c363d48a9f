"""``tandem monitor run``: the daily monitoring run, by hand (issue 11).

    tandem monitor run [--date YYYY-MM-DD] [--clinic SLUG]

Runs the day (default: each clinic's yesterday, clinic-local) over every active patient
and writes the alerts raised that day, as the scheduled task does. Running a day again
is harmless: an alert already stored for its patient, kind and day is left as it is.
"""

from __future__ import annotations

import datetime as dt
import sys

import click

from tandem.cli.server import refuse_unsafe_database, setup_django


@click.group()
def monitor() -> None:
    """The daily monitoring run (alerts from everything recorded)."""


@monitor.command("run")
@click.option(
    "--date", "day_text", default=None, help="YYYY-MM-DD; default each clinic's yesterday"
)
@click.option("--clinic", default=None, help="the clinic's slug; default every clinic")
def run(day_text: str | None, clinic: str | None) -> None:
    """Run the day now and print, per clinic, patients, alerts raised and the time."""
    try:
        day = None if day_text is None else dt.date.fromisoformat(day_text)
    except ValueError:
        click.echo(f"--date: {day_text!r} is not a date (YYYY-MM-DD)", err=True)
        sys.exit(2)
    setup_django()
    refuse_unsafe_database()
    from tandem.services import monitoring

    summaries = monitoring.run_now(day, clinic)
    if clinic is not None and not summaries:
        click.echo(f"--clinic: no clinic {clinic!r}", err=True)
        sys.exit(2)
    for s in summaries:
        t = s.seconds
        click.echo(
            f"{s.clinic} {s.day}: {s.patients} patients, {s.alerts_raised} alerts raised "
            f"(load {t['load']:.1f} s, domain {t['domain']:.1f} s, writes {t['writes']:.1f} s)"
            + (
                f"; {len(s.skipped_patients)} patients skipped, see the log"
                if s.skipped_patients
                else ""
            )
        )
