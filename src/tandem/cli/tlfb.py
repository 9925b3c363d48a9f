"""``tandem tlfb``: Timeline Followback abstinence outcomes for a caseload (monitoring.md s8).

Reads ``tlfb.csv`` (``id,date,amount``), ``visits.csv`` (``id,visit,date``) and optionally
``uds.csv`` (``id,date,amount`` in ng/mL), computes the outcomes of monitoring.md s4 with
``tandem.domain.monitoring.abstinence`` and writes one row per subject. ``--mode`` and
``--lapse`` take comma-separated lists (``--mode itt,ro --lapse none,days:2,run:7``):
with more than one of either, every combination is computed in one pass and each
outcome column is prefixed by its mode and lapse rule (``itt_days2_prolonged_v1_v2``).
Must not import Django (a test checks ``sys.modules``). Bad input: one line on stderr,
exit status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import numpy as np
from numpy.typing import NDArray

from tandem.cli import timeline_csv
from tandem.cli.output import output_text
from tandem.domain.csv_text import quoted
from tandem.domain.errors import InvalidInput
from tandem.domain.monitoring import abstinence as ab


@click.command()
@click.option("--tlfb", "tlfb_path", required=True, type=click.Path(path_type=Path))
@click.option("--visits", "visits_path", required=True, type=click.Path(path_type=Path))
@click.option("--uds", "uds_path", type=click.Path(path_type=Path), default=None)
@click.option("--uds-cutoff", type=float, default=ab.DEFAULT_UDS_CUTOFF_NG_ML, show_default=True)
@click.option("--protocol-days", required=True, help="visit:day list, e.g. 1:14,2:42,3:90")
@click.option("--at", "at", required=True, help="end visits, e.g. 2,3")
@click.option("--pp", default="7,28", show_default=True, help="point-prevalence days")
@click.option("--cont-from", default="1", show_default=True)
@click.option("--prolonged-from", default="1", show_default=True)
@click.option("--grace", type=int, default=ab.DEFAULT_GRACE_DAYS, show_default=True)
@click.option(
    "--lapse", default="none", show_default=True, help="none, days:K or run:K; a list: none,run:7"
)
@click.option("--mode", default="itt", show_default=True, help="itt or ro; both: itt,ro")
@click.option("--output", required=True, type=click.Path(path_type=Path))
def tlfb(**options: object) -> None:
    """Abstinence outcomes (point prevalence, continuous, prolonged, PDA) per subject."""
    try:
        header, rows = run(**options)  # type: ignore[arg-type]  # click fills every option
    except InvalidInput as exc:
        click.echo(f"tandem tlfb: {exc}", err=True)
        sys.exit(2)
    output = options["output"]
    assert isinstance(output, Path)
    failure = f"tandem tlfb: {output.name}: cannot be written"
    with output_text(output, lambda exc: f"{failure} ({exc.strerror})") as out:
        out.write(header + "\n" + rows)


def run(
    tlfb_path: Path,
    visits_path: Path,
    uds_path: Path | None,
    uds_cutoff: float,
    protocol_days: str,
    at: str,
    pp: str,
    cont_from: str,
    prolonged_from: str,
    grace: int,
    lapse: str,
    mode: str,
    output: Path,
) -> tuple[str, str]:
    """Read, compute and format; returns the header line and the CSV body."""
    modes = _modes(mode)
    lapses = tuple(ab.LapseRule.parse(part) for part in _labels("lapse", lapse))
    request = ab.OutcomeRequest(
        at=_labels("at", at),
        pp_days=tuple(_positive("pp", part) for part in _labels("pp", pp)),
        cont_from=cont_from,
        prolonged_from=prolonged_from,
        grace_days=_non_negative_grace(grace),
        lapse=lapses[0],
        mode=modes[0],
    )
    protocol = _protocol_days(protocol_days)
    _check_protocol_covers(request, protocol)
    subjects = timeline_csv.Subjects(ids=[], index={})
    calendar = _read_tlfb(tlfb_path, subjects)
    visits = _read_visits(visits_path, subjects, protocol)
    calendar = _grow(calendar, len(subjects.ids))
    if uds_path is not None:
        calendar = _verify(calendar, uds_path, subjects, uds_cutoff)
    if len(modes) == 1 and len(lapses) == 1:
        results = ab.abstinence_outcomes(calendar, visits, request)
        return "id," + ",".join(request.columns()), format_rows(subjects.ids, results)
    results = ab.combined_outcomes(calendar, visits, request, modes, lapses)
    header = ab.combined_columns(request, modes, lapses)
    return "id," + ",".join(header), format_rows(subjects.ids, results)


def _modes(text: str) -> tuple[ab.Mode, ...]:
    parts = _labels("mode", text)
    allowed = [m.value for m in ab.Mode]
    for part in parts:
        if part not in allowed:
            raise InvalidInput(f"--mode: {part!r} is not one of {', '.join(allowed)}")
    return tuple(ab.Mode(part) for part in parts)


def _labels(option: str, text: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in text.split(","))
    if not all(parts) or len(set(parts)) != len(parts):
        raise InvalidInput(f"--{option}: {text!r} must be a comma-separated list without repeats")
    return parts


def _positive(option: str, text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput(f"--{option}: {text!r} must be a whole number of days, 1 or more")
    return int(text)


def _non_negative_grace(grace: int) -> int:
    if grace < 0:
        raise InvalidInput(f"--grace: {grace} must be 0 or more days")
    return grace


def _protocol_days(text: str) -> dict[str, int]:
    """``1:14,2:42,3:90`` -> {"1": 14, ...}: days after visit 0 (monitoring.md s4, ITT)."""
    protocol: dict[str, int] = {}
    for part in _labels("protocol-days", text):
        visit, _, day = part.partition(":")
        if not visit or not day.lstrip("-").isdigit():
            raise InvalidInput(f"--protocol-days: {part!r} must be visit:day, e.g. 2:42")
        protocol[visit] = int(day)
    return protocol


def _check_protocol_covers(request: ab.OutcomeRequest, protocol: dict[str, int]) -> None:
    for visit in (*request.at, request.cont_from, request.prolonged_from):
        if visit != ab.BASELINE_VISIT and visit not in protocol:
            raise InvalidInput(
                f"--protocol-days: visit {visit!r} has no protocol day; "
                f"give it as {visit}:DAY (needed to impute a missing date under ITT)"
            )


def _read_tlfb(path: Path, subjects: timeline_csv.Subjects) -> ab.Calendar:
    columns = timeline_csv.read_columns(path, ("id", "date", "amount"))
    subject = timeline_csv.subject_numbers(columns, 0, subjects)
    day = timeline_csv.day_numbers(columns, 1)
    amount = timeline_csv.amounts(columns, 2)
    calendar = ab.build_calendar(subject, day, amount, len(subjects.ids))
    if int(calendar.reported.sum()) != columns.n_rows:  # two rows landed on one cell
        repeat = timeline_csv.first_repeat_day(subject, day)
        assert repeat is not None
        raise columns.fail(repeat, 1, "repeats a day already given for this id; one row a day")
    return calendar


def _read_visits(
    path: Path, subjects: timeline_csv.Subjects, protocol: dict[str, int]
) -> ab.Visits:
    columns = timeline_csv.read_columns(path, ("id", "visit", "date"))
    subject = timeline_csv.subject_numbers(columns, 0, subjects)
    names, code = timeline_csv.labels(columns, 1)
    day = timeline_csv.day_numbers(columns, 2)
    n = len(subjects.ids)
    recorded: dict[str, tuple[NDArray[np.int64], NDArray[np.bool_]]] = {}
    for k, label in enumerate(names):  # a handful of visit labels, each done as arrays
        rows = np.flatnonzero(code == k)
        days, present = np.zeros(n, np.int64), np.zeros(n, np.bool_)
        counts = np.bincount(subject[rows], minlength=n)
        if counts.max() > 1:
            who = int(np.flatnonzero(counts > 1)[0])
            raise columns.fail(int(rows[subject[rows] == who][1]), 1, "repeats a visit of this id")
        days[subject[rows]], present[subject[rows]] = day[rows], True
        recorded[label] = (days, present)
    return ab.Visits(recorded=recorded, protocol_days=protocol)


def _grow(calendar: ab.Calendar, n_subjects: int) -> ab.Calendar:
    """Add empty rows for subjects that appear in visits.csv only."""
    extra = n_subjects - calendar.n_subjects
    if extra == 0:
        return calendar
    pad = np.zeros((extra, calendar.n_days), dtype=np.bool_)
    return ab.Calendar(
        origin=np.concatenate((calendar.origin, np.zeros(extra, np.int64))),
        reported=np.vstack((calendar.reported, pad)),
        use=np.vstack((calendar.use, pad)),
    )


def _verify(
    calendar: ab.Calendar, path: Path, subjects: timeline_csv.Subjects, cutoff: float
) -> ab.Calendar:
    columns = timeline_csv.read_columns(path, ("id", "date", "amount"))
    known = timeline_csv.Subjects(ids=list(subjects.ids), index=dict(subjects.index))
    subject = timeline_csv.subject_numbers(columns, 0, known)
    day = timeline_csv.day_numbers(columns, 1)
    ng_ml = timeline_csv.amounts(columns, 2)
    ours = subject < len(subjects.ids)  # urine results of subjects with no TLFB or visit
    return ab.verify_biochemically(calendar, subject[ours], day[ours], ng_ml[ours], cutoff)


def format_rows(ids: list[str], results: dict[str, NDArray[np.float64]]) -> str:
    """CSV body: outcome cells 1/0/empty, ``pda`` with two decimals, day counts whole."""
    columns = [_format_column(name, values) for name, values in results.items()]
    lines = [",".join(row) for row in zip(map(quoted, ids), *columns, strict=True)]
    return "".join(line + "\n" for line in lines)


_OUTCOME_TEXT = np.array(["0", "1", ""])


def _format_column(name: str, values: NDArray[np.float64]) -> list[str]:
    empty = np.isnan(values)
    if name == "pda":
        return [
            "" if e else f"{v:.2f}" for v, e in zip(values.tolist(), empty.tolist(), strict=True)
        ]
    if name.endswith(("days_to_first_use", "longest_abstinent_run")):
        whole = np.where(empty, 0, values).astype(np.int64).tolist()
        return ["" if e else str(v) for v, e in zip(whole, empty.tolist(), strict=True)]
    code = np.where(empty, 2, values).astype(np.int64)
    return list(_OUTCOME_TEXT[code].tolist())
