"""Where the daily run's write time goes: ``monitoring.store`` of a day's fresh alerts,
rolled back, with the statements it sends counted (bench/results/monitoring-db.md).

Reads the database bench/monitoring_run.py seeds; takes the first 900 patients (one
chunk of the daily run), the alerts the domain raises on ``--day`` (not stored yet), and
stores up to ``--alerts`` of them in a transaction that is then rolled back.

    PYTHONPATH=src .venv/bin/python bench/alert_writes.py --database-url postgres://...
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections import Counter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date(2026, 12, 30))
    parser.add_argument("--alerts", type=int, default=50)
    parser.add_argument("--database-url", help="default: DATABASE_URL, else TANDEM_DATA_DIR")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    from tandem.cli.server import setup_django

    setup_django()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from tandem.services import monitoring
    from tandem.services.actors import Actor
    from tandem.services.clock import FixedClock, use_clock
    from tandem.storage.models import Patient

    bench = Patient.objects.filter(organization__slug="bench").order_by("pk")
    pks = list(bench.values_list("pk", flat=True)[: monitoring.CHUNK])
    after = dt.datetime.combine(args.day + dt.timedelta(days=1), dt.time(1), dt.UTC)
    with use_clock(FixedClock(after)):
        loaded = monitoring.load(pks, args.day)
        raised = monitoring.raised_between(loaded, args.day, args.day, monitoring.DAILY_KINDS)
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            t0, c0 = time.perf_counter(), time.process_time()
            n = len(monitoring.store(Actor(None, via="task"), raised[: args.alerts]))
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            transaction.set_rollback(True)
    if not n:
        raise SystemExit(f"no fresh alert on {args.day}: choose a day the run has not stored")
    captured = queries.captured_queries
    kinds = Counter(q["sql"].split()[0] for q in captured)
    in_driver = sum(float(q["time"]) for q in captured)
    print(
        f"{connection.vendor}: {n} alerts stored (rolled back): {wall * 1000 / n:.1f} ms wall "
        f"each, {cpu * 1000 / n:.1f} ms CPU, {in_driver * 1000 / n:.1f} ms in the driver; "
        f"{len(captured) / n:.1f} statements each {dict(kinds)}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
