"""``tandem analyze``: the monitoring core over a whole caseload (``monitoring.md`` s8).

    tandem analyze --checkins checkins.csv [--instruments instruments.csv]
                   [--screens screens.csv] [--patients patients.csv] --today YYYY-MM-DD
                   [--json | --output results.csv]

``--patients`` (``patient_id,last_use[,substance,prescribed_opioids]``, read by
``tandem.formats.patients.read_patients``): the intake's last use, so that days without use count
from it (ruleset-v2.md s7), and the opioids each patient is prescribed (``overdose_risk``).

``--json`` (the default) prints one object keyed by patient id; ``--output`` writes one
flat row per patient (``FLAT_COLUMNS``, documented in docs/clinical/monitoring.md). Bad
input exits with status 2 and one line on stderr naming the file, row and column. This
module imports no Django: it starts fast on a laptop without a database.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import click

from tandem.cli.output import output_file
from tandem.domain.errors import InvalidInput
from tandem.formats.outputs import write_flat, write_json

WORKERS = 2  # the reference machine has 2 cores
T = TypeVar("T")
R = TypeVar("R")


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
    from tandem.domain.monitoring.analysis import analyze_caseload
    from tandem.domain.monitoring.report import patient_json, patient_reports
    from tandem.formats.caseload import read_caseload
    from tandem.formats.patients import read_patients

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
        failure = f"{output.name}: cannot be written"
        with output_file(output, lambda error: f"{failure} ({error.strerror})") as out:
            write_flat(results, out)
        return
    sys.stdout.flush()
    write_json(results, sys.stdout.buffer)


def _fail(message: str) -> None:
    click.echo(message.replace("\n", " "), err=True)
    sys.exit(2)
