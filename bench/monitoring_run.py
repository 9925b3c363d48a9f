"""Daily monitoring run benchmark (issue 11): 10,000 patients x 365 days in the database.

Seeds a fresh database (``TANDEM_DATA_DIR``, SQLite by default; ``--database-url`` or
``DATABASE_URL`` for PostgreSQL: an existing, empty database) with one clinic, its
patients, a year of daily check-ins (about 92% of days, use on about 4% of them) and a
weekly PHQ-9 each, with ``bulk_create``; then times the daily run for the last day
(``services.monitoring.run_day``: load, domain, writes) and one patient's inline
evaluation after a check-in (``after_record``, 365 days).

    TANDEM_DATA_DIR=/tmp/bench-monitoring PYTHONPATH=src \\
        .venv/bin/python bench/monitoring_run.py --patients 10000 --days 365

    PYTHONPATH=src .venv/bin/python bench/monitoring_run.py \\
        --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_monitoring

The seeded database is kept; ``--reuse`` skips seeding when it is already there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from decimal import Decimal

import numpy as np

START = dt.date(2026, 1, 1)


def seed(patients: int, days: int, rng: np.random.Generator) -> None:
    from tandem.services.clock import get_clock
    from tandem.storage.models import CheckIn, InstrumentAdministration, Organization, Patient

    now = get_clock().now()
    org = Organization.objects.create(name="Bench", slug="bench", time_zone="UTC")
    Patient.objects.bulk_create(
        [
            Patient(
                organization=org,
                display_name=f"P{i}",
                date_of_birth=dt.date(1990, 1, 1),
                sex="female",
                created_at=now,
            )
            for i in range(patients)
        ],
        batch_size=2000,
    )
    pks = list(Patient.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))
    dates = [START + dt.timedelta(days=t) for t in range(days)]
    for start in range(0, len(pks), 200):
        chunk = pks[start : start + 200]
        present = rng.random((len(chunk), days)) < 0.92
        used = rng.random((len(chunk), days)) < 0.04
        mood = np.clip(np.cumsum(rng.normal(0, 1, (len(chunk), days)), axis=1) * 0.3 + 6, 0, 10)
        craving = rng.integers(0, 11, (len(chunk), days))
        sleep = rng.integers(8, 19, (len(chunk), days))
        rows = []
        for r, pk in enumerate(chunk):
            for t in np.flatnonzero(present[r]).tolist():
                use = bool(used[r, t])
                rows.append(
                    CheckIn(
                        patient_id=pk,
                        on=dates[t],
                        mood=round(mood[r, t]),
                        sleep_hours=Decimal(int(sleep[r, t])) / 2,
                        craving=int(craving[r, t]),
                        energy=None,
                        used=use,
                        use_days=[dates[t].isoformat()] if use else [],
                        safety=False,
                        source="portal",
                        created_at=now,
                        updated_at=now,
                    )
                )
        CheckIn.objects.bulk_create(rows, batch_size=2000)
        scores = []
        for pk in chunk:
            for t in range(0, days, 7):
                items = rng.integers(0, 4, 9)
                items[8] = 0
                total = int(items.sum())
                scores.append(
                    InstrumentAdministration(
                        patient_id=pk,
                        instrument_id="phq9",
                        instrument_version="bench",
                        answers=items.tolist(),
                        result={"total": total},
                        total=total,
                        administered_on=dates[t],
                        recorded_at=now,
                        source="clinic",
                    )
                )
        InstrumentAdministration.objects.bulk_create(scores, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--inline-runs", type=int, default=20)
    parser.add_argument("--database-url", help="e.g. postgres://...; default: DATABASE_URL")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url  # read once, by setup_django

    from tandem.cli.server import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tandem.services import monitoring
    from tandem.services.actors import Actor
    from tandem.services.clock import FixedClock, use_clock
    from tandem.storage.models import CheckIn, Organization, Patient

    call_command("migrate", verbosity=0)
    if not (args.reuse and Organization.objects.filter(slug="bench").exists()):
        t0 = time.perf_counter()
        seed(args.patients, args.days, np.random.default_rng(20261211))
        print(f"seeded in {time.perf_counter() - t0:.0f} s")
    org = Organization.objects.get(slug="bench")
    day = START + dt.timedelta(days=args.days - 1)
    print(
        f"{connection.vendor}: {Patient.objects.filter(organization=org).count()} patients, "
        f"{CheckIn.objects.count()} check-ins; load average {os.getloadavg()[0]:.2f}"
    )
    clock = FixedClock(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(1), dt.UTC))
    with use_clock(clock):
        t0 = time.perf_counter()
        summary = monitoring.run_day(org, day)
        wall = time.perf_counter() - t0
        t = summary.seconds
        print(
            f"daily run {day}: {wall:.1f} s wall (load {t['load']:.1f} s, domain "
            f"{t['domain']:.1f} s, writes {t['writes']:.1f} s), {summary.alerts_raised} "
            f"alerts raised; load average {os.getloadavg()[0]:.2f}"
        )
        t0 = time.perf_counter()
        again = monitoring.run_day(org, day)
        print(f"re-run: {time.perf_counter() - t0:.1f} s, {again.alerts_raised} alerts raised")
    # One patient's inline evaluation (a check-in on the last day), 365 days of records.
    patient = Patient.objects.filter(organization=org).order_by("pk").first()
    assert patient is not None
    actor = Actor(None, via="task")
    timings = []
    with use_clock(FixedClock(dt.datetime.combine(day, dt.time(12), dt.UTC))):
        for _ in range(args.inline_runs):
            with transaction.atomic():
                t0 = time.perf_counter()
                monitoring.after_record(actor, patient, day)
                timings.append((time.perf_counter() - t0) * 1000)
                transaction.set_rollback(True)
    timings.sort()
    print(
        f"inline after_record, {args.days} days: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(0.95 * (len(timings) - 1))]:.1f} ms"
    )


if __name__ == "__main__":
    main()
