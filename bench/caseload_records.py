"""``Caseload.from_records`` from the database benchmark (issue 9): query to alerts.

Reads the database bench/monitoring_run.py seeds (one clinic ``bench``: 10,000 patients
x 365 days of check-ins, about 92% of days, and a weekly PHQ-9; no screens, no intakes)
and times, for every patient at once, the path a caller outside the daily run takes:

1. **query**: the check-ins and PHQ-9s, up to the day, through the database driver
   (Django's SQL, the driver's rows: ``services.monitoring._raw``'s way);
2. **records**: one ``records.Checkin`` / ``records.InstrumentResult`` per row, each with
   its ``RecordSource.database`` (dates parsed, use days as the check-in service reads
   them: a day is a use day when any check-in names it);
3. **caseload**: ``caseload_from_records`` (columns, then the contract check);
4. **analysis**: ``analyze_caseload`` for the last day, consumed to the end; the alerts
   are counted, not stored.

Then the same patients through ``services.monitoring.load`` (the daily run's loader,
columns straight from the rows) and the same analysis, as a comparison, and the two
are checked to raise the same alerts (patient, kind, day) on the last day.

    TANDEM_DATA_DIR=/tmp/bench-monitoring PYTHONPATH=src .venv/bin/python bench/monitoring_run.py
    TANDEM_DATA_DIR=/tmp/bench-monitoring PYTHONPATH=src .venv/bin/python bench/caseload_records.py
    PYTHONPATH=src .venv/bin/python bench/caseload_records.py --database-url postgres://...

``--runs`` repeats the whole measure (medians reported).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from typing import Any

import numpy as np

START = dt.date(2026, 1, 1)  # bench/monitoring_run.py's first day
TARGET_S = 30.0


def _rows(query: Any) -> list[tuple[Any, ...]]:
    from django.db import connection

    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def query(pks: list[int], through: dt.date) -> tuple[list[Any], list[Any]]:
    from tandem.storage.models import CheckIn, InstrumentAdministration

    checkins = _rows(
        CheckIn.objects.filter(patient_id__in=pks, on__lte=through)
        .order_by("patient_id", "on")
        .values_list(
            "pk", "patient_id", "on", "mood", "sleep_hours", "craving", "energy", "safety",
            "used", "use_days",
        )
    )  # fmt: skip
    phq9 = _rows(
        InstrumentAdministration.objects.filter(
            patient_id__in=pks, administered_on__lte=through, instrument_id="phq9"
        )
        .order_by("patient_id", "administered_on", "pk")
        .values_list("pk", "patient_id", "administered_on", "total", "answers")
    )
    return checkins, phq9


def records(checkins: list[Any], phq9: list[Any]) -> tuple[list[Any], list[Any]]:
    from tandem.domain.monitoring.records import Checkin, InstrumentResult, RecordSource

    use_days = {
        (patient, _day(day))
        for _, patient, *_rest, used, days in checkins
        if used
        for day in _json(days)
    }
    names = {patient: str(patient) for patient in {row[1] for row in checkins}}
    source, date, iso = RecordSource.database, dt.date, dt.date.fromisoformat
    # Positional arguments in Checkin's field order (patient_id, on, mood, sleep_hours,
    # craving, used, source, energy, safety): the cheapest way to build a NamedTuple.
    made = [
        Checkin(
            names[patient],
            day := on if isinstance(on, date) else iso(on),
            mood,
            float(sleep),
            craving,
            (patient, day) in use_days,
            source("check-in", pk),
            energy,
            bool(safety),
        )
        for pk, patient, on, mood, sleep, craving, energy, safety, _used, _days in checkins
    ]
    last: dict[tuple[int, dt.date], Any] = {}
    for row in phq9:  # of two the same day the later recorded one counts (monitoring.load)
        last[(row[1], _day(row[2]))] = row
    scores = []
    for (patient, day), (pk, _, _, total, answers) in last.items():
        items = _json(answers) or []
        whole = len(items) == 9  # a total alone when the items are not all there
        scores.append(
            InstrumentResult(
                names.get(patient) or str(patient),
                day,
                "phq9",
                source("questionnaire", pk),
                None if whole else total,
                tuple(items) if whole else (),
            )
        )
    return made, scores


def alert_set(caseload: Any, day: dt.date) -> tuple[set[tuple[str, str, int]], int]:
    """The alerts raised on ``day`` as (patient id, kind, day), and all alerts counted."""
    from tandem.domain.monitoring.alerts import KINDS
    from tandem.domain.monitoring.analysis import analyze_caseload

    found, total = set(), 0
    for group in analyze_caseload(caseload, day):
        a, grid = group.alerts, group.grid
        total += int(a.rows.size)
        on_day = np.flatnonzero(a.days == day.toordinal() - grid.first_day)
        for i in on_day.tolist():
            patient = caseload.patient_ids[int(grid.patients[a.rows[i]])]
            found.add((patient, KINDS[int(a.kinds[i])].name, day.toordinal()))
    return found, total


class Timer:
    """Wall and CPU seconds (this process's; a PostgreSQL server's own CPU is not in it)
    of each named phase."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._at = (0.0, 0.0)

    def start(self) -> None:
        self._at = (time.perf_counter(), time.process_time())

    def stop(self, name: str) -> None:
        self.wall[name] = time.perf_counter() - self._at[0]
        self.cpu[name] = time.process_time() - self._at[1]


def measure(pks: list[int], day: dt.date) -> dict[str, Any]:
    from tandem.domain.monitoring.records import caseload_from_records
    from tandem.services import monitoring

    t = Timer()
    t.start()
    checkins, phq9 = query(pks, day)
    t.stop("query")
    t.start()
    made, scores = records(checkins, phq9)
    t.stop("records")
    del checkins, phq9
    t.start()
    caseload = caseload_from_records(made, scores)
    t.stop("caseload")
    del made, scores
    t.start()
    from_records, total = alert_set(caseload, day)
    t.stop("analysis")
    del caseload
    t.start()
    loaded = monitoring.load(pks, day)
    t.stop("load (columns)")
    t.start()
    from_columns, _ = alert_set(loaded.caseload, day)
    t.stop("analysis (columns)")
    if from_records != from_columns:
        raise SystemExit(
            f"the two paths differ: {len(from_records ^ from_columns)} alerts on {day}"
        )
    return {
        "wall": t.wall,
        "cpu": t.cpu,
        "alerts_on_day": len(from_records),
        "alerts_in_year": total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="as seeded")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--database-url", help="default: DATABASE_URL, else TANDEM_DATA_DIR")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    from tandem.cli.server import setup_django

    setup_django()
    from django.db import connection

    from tandem.storage.models import Patient

    pks = list(
        Patient.objects.filter(organization__slug="bench")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not pks:
        raise SystemExit("no clinic 'bench': seed it with bench/monitoring_run.py first")
    day = START + dt.timedelta(days=args.days - 1)
    runs = []
    for _ in range(args.runs):
        runs.append(measure(pks, day))
        wall, cpu = runs[-1]["wall"], runs[-1]["cpu"]
        print(
            f"{connection.vendor}: {len(pks)} patients: "
            + ", ".join(f"{k} {wall[k]:.1f} s ({cpu[k]:.1f} CPU)" for k in wall)
            + f"; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    print(summary(runs, connection.vendor, len(pks), args.days, day))


RECORDS_PATH = ("query", "records", "caseload", "analysis")
COLUMNS_PATH = ("load (columns)", "analysis (columns)")


def summary(runs: list[dict[str, Any]], vendor: str, patients: int, days: int, day: Any) -> str:
    wall = {k: statistics.median(r["wall"][k] for r in runs) for k in runs[0]["wall"]}
    cpu = {k: statistics.median(r["cpu"][k] for r in runs) for k in runs[0]["cpu"]}
    total = sum(wall[k] for k in RECORDS_PATH)

    def phases(names: tuple[str, ...]) -> str:
        return ", ".join(f"{k} {wall[k]:.1f} s ({cpu[k]:.1f} CPU)" for k in names)

    return (
        f"{vendor}, {patients} patients x {days} days, median of {len(runs)}: "
        f"from_records, query to alerts {total:.1f} s wall, "
        f"{sum(cpu[k] for k in RECORDS_PATH):.1f} s CPU ({phases(RECORDS_PATH)}; "
        f"target < {TARGET_S:.0f} s: {'met' if total < TARGET_S else 'NOT met'}); "
        f"monitoring.load + analysis {sum(wall[k] for k in COLUMNS_PATH):.1f} s wall "
        f"({phases(COLUMNS_PATH)}); {runs[0]['alerts_on_day']} alerts on {day} "
        f"({runs[0]['alerts_in_year']} over the year), the same by both paths"
    )


if __name__ == "__main__":
    main()
