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

from tandem.cli.output import output_text
from tandem.domain.errors import InvalidInput
from tandem.domain.monitoring import abstinence as ab
from tandem.formats import timeline


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
    subjects = timeline.Subjects(ids=[], index={})
    calendar = timeline.read_tlfb(tlfb_path, subjects)
    visits = timeline.read_visits(visits_path, subjects, protocol)
    calendar = _grow(calendar, len(subjects.ids))
    if uds_path is not None:
        calendar = _verify(calendar, uds_path, subjects, uds_cutoff)
    if len(modes) == 1 and len(lapses) == 1:
        results = ab.abstinence_outcomes(calendar, visits, request)
        return "id," + ",".join(request.columns()), timeline.format_rows(subjects.ids, results)
    results = ab.combined_outcomes(calendar, visits, request, modes, lapses)
    header = ab.combined_columns(request, modes, lapses)
    return "id," + ",".join(header), timeline.format_rows(subjects.ids, results)


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
    calendar: ab.Calendar, path: Path, subjects: timeline.Subjects, cutoff: float
) -> ab.Calendar:
    subject, day, ng_ml = timeline.read_uds(path, subjects)
    ours = subject < len(subjects.ids)  # urine results of subjects with no TLFB or visit
    return ab.verify_biochemically(calendar, subject[ours], day[ours], ng_ml[ours], cutoff)
