"""``tandem analyze``: the monitoring core over a whole caseload (``monitoring.md`` s8).

    tandem analyze --checkins checkins.csv [--instruments instruments.csv]
                   [--screens screens.csv] [--patients patients.csv] --today YYYY-MM-DD
                   [--json | --output results.csv]

``--patients`` (``patient_id,last_use[,substance,prescribed_opioids]``, read by
``patients_csv.read_patients``): the intake's last use, so that days without use count
from it (ruleset-v2.md s7), and the opioids each patient is prescribed (``overdose_risk``).

``--json`` (the default) prints one object keyed by patient id; ``--output`` writes one
flat row per patient (``FLAT_COLUMNS``, documented in docs/clinical/monitoring.md). Bad
input exits with status 2 and one line on stderr naming the file, row and column. This
module imports no Django: it starts fast on a laptop without a database.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import click

from tandem.domain.csv_text import formula_safe
from tandem.domain.errors import InvalidInput

SCORED = ("phq9", "gad7", "pcl5")
# The other instruments of the library with a total (ruleset-v2.md s7: every instrument
# is read); the flat row gives each one's latest score.
OTHER_TOTALS = ("phq2", "auditc", "dast10", "sds", "assist", "qids_sr16", "isi")
WORKERS = 2  # the reference machine has 2 cores
T = TypeVar("T")
R = TypeVar("R")
COURSE_FIELDS = (
    "baseline",
    "baseline_date",
    "latest",
    "latest_date",
    "change",
    "percent_change",
    "reliable_improvement",
    "reliable_deterioration",
)
FLAT_COLUMNS: tuple[str, ...] = (
    "patient_id",
    "insufficient_data",
    "insufficient_data_reason",
    "checkins",
    "baseline_mood",
    "surge",
    "crash",
    "crash_days",
    "chase_after_low",
    "chase_after_other",
    "chase_ratio",
    "chase_n_low",
    "chase_n_other",
    "deepening",
    "deepening_flag",
    "blocks",
    "crash_dips_per_block",
    "sleep_sd_per_block",
    "mean_craving_per_block",
    "mean_sleep_hours_per_block",
    "short_sleep_nights_per_block",
    "signs_of_progress",
    "recovery_run_start",
    "recovery_run_end",
    "recovery_days_without_use",
    "recovery_mood_days_1_7",
    "recovery_mood_days_22_28",
    "recovery_phq9",
    "persistent_low",
    *(f"{name}_{field}" for name in SCORED for field in COURSE_FIELDS),
    "phq9_response",
    "phq9_remission",
    "phq9_not_on_track",
    "phq9_latest_item9",
    "phq9_item9_unknown",
    *(f"{name}_latest" for name in OTHER_TOTALS),
    "qids_sr16_latest_item12",
    "cssrs_current_tier",
    "cssrs_current_date",
    "alerts",
    "alert_kinds",
    "latest_alert_date",
    "suggestion",
)


def parse_today(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--today: {text!r} is not a date (YYYY-MM-DD)") from None


def run(
    checkins: Path,
    instruments: Path | None,
    screens: Path | None,
    today: date,
    as_text: bool = False,
    patients: Path | None = None,
) -> dict[str, Any]:
    """Read the files and analyse every patient; the result keyed by patient id.

    With ``as_text`` each value is the patient's result as JSON text (faster to print).
    """
    from tandem.cli.monitoring_io import read_caseload
    from tandem.cli.patients_csv import read_patients
    from tandem.domain.monitoring.analysis import analyze_caseload
    from tandem.domain.monitoring.report import patient_json, patient_reports

    # NumPy releases the GIL in its array loops, so two threads overlap reading the files
    # and analysing one group of patients while the previous one is being reported.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        intake = None if patients is None else read_patients(patients)
        caseload = read_caseload(checkins, instruments, screens, mapper=pool.map, intake=intake)
        results: dict[str, Any] = {}
        mapper = partial(_ahead, pool)
        for group in analyze_caseload(caseload, today, mapper=mapper):
            if as_text:
                results.update(patient_json(group, caseload.patient_ids))
            else:  # the flat rows need no block lists
                results.update(patient_reports(group, caseload.patient_ids, with_blocks=False))
    return results


def _ahead(pool: Executor, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """``map`` over a pool with at most ``WORKERS`` items in flight (bounded memory)."""
    pending: deque[Future[R]] = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) > WORKERS:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True or value is False:
        return int(value)
    return value


def flat_row(patient_id: str, result: dict[str, Any]) -> list[Any]:
    """One patient's result as the ``FLAT_COLUMNS`` row."""
    cycle, trend, rec = result["cycle"], result["early_markers_trend"], result["recovery"]
    chase = cycle.get("chase", {})
    row: dict[str, Any] = {
        "patient_id": formula_safe(patient_id),  # a text cell from the input (issue 9)
        "insufficient_data": bool(cycle.get("insufficient_data", False)),
        "insufficient_data_reason": cycle.get("reason"),
        **{k: cycle.get(k) for k in ("checkins", "baseline_mood", "surge", "crash")},
        **{k: cycle.get(k) for k in ("crash_days", "deepening", "deepening_flag")},
        **{f"chase_{k}": chase.get(k) for k in ("after_low", "after_other", "ratio")},
        **{f"chase_{k}": chase.get(k) for k in ("n_low", "n_other")},
        "blocks": trend.get("blocks", 0),
        **{k: trend.get(k) for k in ("crash_dips_per_block", "sleep_sd_per_block")},
        **{
            k: trend.get(k)
            for k in (
                "mean_craving_per_block",
                "mean_sleep_hours_per_block",
                "short_sleep_nights_per_block",
            )
        },
        "signs_of_progress": ";".join(trend.get("signs_of_progress", [])),
        "recovery_run_start": rec.get("run_start"),
        "recovery_run_end": rec.get("run_end"),
        "recovery_days_without_use": rec.get("days_without_use"),
        "recovery_mood_days_1_7": rec.get("mood_days_1_7"),
        "recovery_mood_days_22_28": rec.get("mood_days_22_28"),
        "recovery_phq9": rec.get("phq9"),
        "persistent_low": rec.get("persistent_low"),
    }
    for name in SCORED:
        course = result["mbc"][name] or {}
        row.update({f"{name}_{f}": course.get(f) for f in COURSE_FIELDS})
    phq9 = result["mbc"]["phq9"] or {}
    row.update({f"phq9_{k}": phq9.get(k) for k in ("response", "remission", "not_on_track")})
    row["phq9_latest_item9"] = phq9.get("latest_item9")  # empty: not given (unknown)
    row["phq9_item9_unknown"] = phq9.get("item9_unknown")
    for name in OTHER_TOTALS:
        row[f"{name}_latest"] = (result["mbc"].get(name) or {}).get("latest")
    row["qids_sr16_latest_item12"] = (result["mbc"].get("qids_sr16") or {}).get("latest_item12")
    cssrs = result.get("cssrs_current") or {}
    row["cssrs_current_tier"] = cssrs.get("tier")
    row["cssrs_current_date"] = cssrs.get("date")
    alerts = result["alerts"]
    row["alerts"] = len(alerts)
    row["alert_kinds"] = ";".join(f"{a['kind']}@{a['date']}" for a in alerts)
    row["latest_alert_date"] = max((a["date"] for a in alerts), default=None)
    row["suggestion"] = (result["suggestion"] or {}).get("kind")
    return [_cell(row[c]) for c in FLAT_COLUMNS]


def write_flat(results: dict[str, Any], output: Path) -> None:
    rows = [flat_row(pid, results[pid]) for pid in sorted(results)]
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FLAT_COLUMNS)
        writer.writerows(rows)
    tmp.replace(output)


@click.command("analyze")
@click.option("--checkins", type=click.Path(path_type=Path), required=True)
@click.option("--instruments", type=click.Path(path_type=Path), default=None)
@click.option("--screens", type=click.Path(path_type=Path), default=None)
@click.option(
    "--patients",
    type=click.Path(path_type=Path),
    default=None,
    help="patient_id,last_use[,substance,prescribed_opioids]: intake facts",
)
@click.option("--today", "today_text", required=True, help="YYYY-MM-DD; later rows are ignored")
@click.option("--json", "as_json", is_flag=True, help="print JSON keyed by patient id (default)")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="flat CSV")
def analyze(
    checkins: Path,
    instruments: Path | None,
    screens: Path | None,
    patients: Path | None,
    today_text: str,
    as_json: bool,
    output: Path | None,
) -> None:
    """Crash cycle, early markers, recovery, MBC, alerts and step suggestions."""
    if as_json and output is not None:
        _fail("--json and --output cannot be used together")
    try:
        today = parse_today(today_text)
        results = run(checkins, instruments, screens, today, output is None, patients)
    except InvalidInput as exc:
        _fail(str(exc))
    if output is not None:
        write_flat(results, output)
        return
    write_json(results)


def write_json(results: dict[str, str]) -> None:
    """Print the object keyed by patient id, patient by patient (no giant string)."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(b"{")
    for i, pid in enumerate(sorted(results)):
        out.write(f"{',' if i else ''}{json.dumps(pid)}:{results[pid]}".encode())
    out.write(b"}\n")
    out.flush()


def _fail(message: str) -> None:
    click.echo(message.replace("\n", " "), err=True)
    sys.exit(2)
