"""``tandem cm``: contingency-management ledgers for a caseload (monitoring.md s7, s8;
ruleset-v2.md s7).

Reads ``screens.csv`` (``tandem.formats.screens``: ``patient_id,date,result``, optionally
``benzoylecgonine_ng_ml``, which CM does not use, and the analytes of a screen panel) and
optionally ``patients.csv`` (``tandem.formats.patients``: each patient's own stimulant,
cocaine when not given), reads each screen as CM does (``panel.stimulant_reading``), runs
the escalating or prize schedule of ``tandem.domain.monitoring.incentives`` per patient
and prints JSON or writes a ledger CSV. ``--check-schedule`` checks the escalating
schedule options alone against the cap. Money is integer cents inside and ``"12.50"``
text outside (never a float). Must not import Django. Bad input: one line on stderr
naming file, row and column (or the option); exit status 2. A schedule that does not fit
its cap: the figures on stdout, one line on stderr, exit status 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from tandem.cli.output import output_text
from tandem.domain.errors import InvalidFile, InvalidInput
from tandem.domain.monitoring import incentives as cm_rules
from tandem.domain.monitoring.incentives import (
    ScheduleCheck,
    Screen,
    ScreenResult,
)
from tandem.domain.monitoring.pacing import PROGRAM_ELIGIBLE_PER_WEEK, parse_eligible_per_week
from tandem.domain.monitoring.panel import stimulant_reading
from tandem.formats.outputs import dollars, ledgers_csv, ledgers_json
from tandem.formats.patients import PatientIntake, read_patients
from tandem.formats.screens import ScreenRow, read_screens

ESCALATING = cm_rules.EscalatingSchedule()
PRIZE_DEFAULTS = cm_rules.PrizeSchedule(seed=0)


@dataclass(frozen=True)
class CmOptions:
    """The command's options as click gives them."""

    screens_path: Path | None
    patients_path: Path | None
    schedule: str | None
    seed: int | None
    start: str
    step: str
    max_per_screen: str
    recovery_after: int
    bonus_every: int
    bonus: str
    cap: str
    window_days: int
    eligible_per_week: str
    draw_start: int
    draw_max: int
    bowl: str | None
    check_schedule: bool
    as_json: bool
    output: Path | None


@click.command()
@click.option(
    "--screens",
    "screens_path",
    type=click.Path(path_type=Path),
    default=None,
    help="screens.csv; required unless --check-schedule",
)
@click.option(
    "--patients",
    "patients_path",
    type=click.Path(path_type=Path),
    default=None,
    help="patients.csv: each patient's own stimulant (default cocaine)",
)
@click.option(
    "--schedule",
    type=click.Choice(["escalating", "prize"]),
    default=None,
    help="required unless --check-schedule (which checks escalating)",
)
@click.option("--seed", type=int, default=None, help="required for prize: makes draws replayable")
@click.option("--start", default=dollars(ESCALATING.start_cents), show_default=True)
@click.option("--step", default=dollars(ESCALATING.step_cents), show_default=True)
@click.option(
    "--max-per-screen", default=dollars(ESCALATING.max_per_screen_cents), show_default=True
)
@click.option("--recovery-after", type=int, default=ESCALATING.recovery_after, show_default=True)
@click.option("--bonus-every", type=int, default=0, show_default=True, help="0 = no bonus")
@click.option("--bonus", default="0.00", show_default=True)
@click.option("--cap", default=dollars(ESCALATING.cap_cents), show_default=True)
@click.option("--window-days", type=int, default=ESCALATING.window_days, show_default=True)
@click.option(
    "--eligible-per-week",
    default=PROGRAM_ELIGIBLE_PER_WEEK,
    show_default=True,
    help="N@FIRST-LAST program weeks, comma-separated, or all (no pacing)",
)
@click.option("--draw-start", type=int, default=PRIZE_DEFAULTS.draw_start, show_default=True)
@click.option("--draw-max", type=int, default=PRIZE_DEFAULTS.draw_max, show_default=True)
@click.option("--bowl", default=None, help='e.g. "good job:0.00:250,small:1.00:209"')
@click.option(
    "--check-schedule",
    is_flag=True,
    help="every eligible day negative: does the cap last the window? exit 1 if not",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object keyed by patient")
@click.option("--output", type=click.Path(path_type=Path), default=None)
def cm(**options: Any) -> None:
    """Incentive ledgers: one reward a day, one entry per screen, under the cap."""
    chosen = CmOptions(**options)
    try:
        if chosen.check_schedule:
            text, failure = check(chosen)
        else:
            text, target = run(chosen)
    except InvalidInput as exc:
        click.echo(f"tandem cm: {exc}", err=True)
        sys.exit(2)
    if chosen.check_schedule:
        click.echo(text, nl=False)
        if failure:
            click.echo(f"tandem cm: --check-schedule: {failure}", err=True)
            sys.exit(1)
        return
    if target is None:
        click.echo(text, nl=False)
        return
    failure = f"tandem cm: {target.name}: cannot be written"
    with output_text(target, lambda exc: f"{failure} ({exc.strerror})") as out:
        out.write(text)


def run(options: CmOptions) -> tuple[str, Path | None]:
    """Read, compute and format; returns the text and where it goes (None: stdout)."""
    if options.as_json and options.output is not None:
        raise InvalidInput("--json and --output: choose one")
    if options.schedule is None:
        raise InvalidInput("--schedule: required; choose escalating or prize")
    if options.screens_path is None:
        raise InvalidInput("--screens: required (unless --check-schedule)")
    rows = read_screens(options.screens_path)
    patients = read_patients(options.patients_path) if options.patients_path else None
    by_patient = cm_screens(options.screens_path, rows, patients, options.patients_path)
    if options.schedule == "escalating":
        rules = escalating_schedule(options)
        ledgers = {p: cm_rules.escalating_ledger(s, rules) for p, s in by_patient.items()}
    else:
        prize_rules = prize_schedule(options)
        ledgers = {p: cm_rules.prize_ledger(s, prize_rules, p) for p, s in by_patient.items()}
    text = ledgers_json(ledgers) if options.as_json else ledgers_csv(ledgers)
    return text, options.output


def cm_screens(
    screens_path: Path,
    rows: Mapping[str, list[ScreenRow]],
    patients: Mapping[str, PatientIntake] | None,
    patients_path: Path | None,
) -> dict[str, list[Screen]]:
    """Each row's CM reading (ruleset-v2.md s7): negative only if the patient's own
    stimulant was tested and every stimulant tested was negative; else invalid."""
    screens: dict[str, list[Screen]] = {}
    for patient, patient_rows in rows.items():
        substance = "cocaine"  # monitoring.md s7: the CLI's v1 reading, a cocaine program
        if patients is not None and patients_path is not None:
            if patient not in patients:
                raise InvalidFile(
                    screens_path.name,
                    patient_rows[0].number,
                    "patient_id",
                    f"{patient!r} is not in {patients_path.name}",
                )
            substance = patients[patient].substance
        screens[patient] = [
            Screen(
                row.date, ScreenResult(stimulant_reading(row.result.value, row.panel, substance))
            )
            for row in patient_rows
        ]
    return screens


def escalating_schedule(options: CmOptions) -> cm_rules.EscalatingSchedule:
    return cm_rules.EscalatingSchedule(
        start_cents=cents("start", options.start),
        step_cents=cents("step", options.step),
        max_per_screen_cents=cents("max-per-screen", options.max_per_screen),
        recovery_after=options.recovery_after,
        bonus_every=options.bonus_every,
        bonus_cents=cents("bonus", options.bonus),
        cap_cents=cents("cap", options.cap),
        window_days=options.window_days,
        eligible_per_week=parse_eligible_per_week(options.eligible_per_week, "--eligible-per-week"),
    )


def prize_schedule(options: CmOptions) -> cm_rules.PrizeSchedule:
    if options.seed is None:
        raise InvalidInput("--seed: required with --schedule prize (draws must be replayable)")
    return cm_rules.PrizeSchedule(
        seed=options.seed,
        draw_start=options.draw_start,
        draw_max=options.draw_max,
        bowl=parse_bowl(options.bowl) if options.bowl else cm_rules.PROGRAM_BOWL,
        cap_cents=cents("cap", options.cap),
        window_days=options.window_days,
        eligible_per_week=parse_eligible_per_week(options.eligible_per_week, "--eligible-per-week"),
    )


def check(options: CmOptions) -> tuple[str, str | None]:
    """``--check-schedule``: the figures, and why the schedule does not fit (None: it fits)."""
    if options.schedule == "prize":
        raise InvalidInput(
            "--check-schedule: checks the escalating schedule (prize draws are random)"
        )
    inputs = {"--screens": options.screens_path, "--patients": options.patients_path}
    given = [name for name, value in {**inputs, "--output": options.output}.items() if value]
    if given:
        raise InvalidInput(
            f"--check-schedule: checks the schedule options alone; leave out {given[0]}"
        )
    schedule = escalating_schedule(options)
    result = cm_rules.check_schedule(schedule)
    failure = None
    if not result.fits:
        failure = (
            f"the cap {dollars(result.cap_cents)} is reached in week {result.cap_reached_week}, "
            f"before the window ends ({schedule.window_days} days): {result.short_days} of "
            f"{result.rewarded_days} rewarded days would be paid less than their amount"
        )
    if options.as_json:
        return json.dumps(check_json(schedule, result), indent=2) + "\n", failure
    return check_text(schedule, result), failure


def check_text(schedule: cm_rules.EscalatingSchedule, result: ScheduleCheck) -> str:
    lines = [
        f"schedule: escalating; start {dollars(schedule.start_cents)}, step "
        f"{dollars(schedule.step_cents)}, max per screen "
        f"{dollars(schedule.max_per_screen_cents)}, "
        f"recovery after {schedule.recovery_after}, {_bonus_text(schedule)}, cap "
        f"{dollars(schedule.cap_cents)}, window "
        f"{schedule.window_days} days, eligible per week {schedule.eligible_per_week.text}",
        f"every eligible day negative: {result.rewarded_days} rewarded days pay "
        f"{dollars(result.total_cents)} ({dollars(result.uncapped_cents)} without the cap)",
    ]
    if result.cap_reached_day is None:
        lines.append(f"cap {dollars(result.cap_cents)}: not reached before the window ends")
    else:
        lines.append(
            f"cap {dollars(result.cap_cents)}: reached in week {result.cap_reached_week} "
            f"(program day {result.cap_reached_day}, rewarded day {result.cap_reached_screen} "
            f"of {result.rewarded_days})"
        )
    verdict = "fits: every rewarded day is paid in full" if result.fits else "does not fit"
    lines.append(f"the schedule {verdict}")
    return "\n".join(lines) + "\n"


def _bonus_text(schedule: cm_rules.EscalatingSchedule) -> str:
    if not schedule.bonus_every:
        return "no bonus"
    return f"bonus {dollars(schedule.bonus_cents)} every {schedule.bonus_every} negatives"


def check_json(schedule: cm_rules.EscalatingSchedule, result: ScheduleCheck) -> dict[str, Any]:
    reached = None
    if result.cap_reached_day is not None:
        reached = {
            "week": result.cap_reached_week,
            "program_day": result.cap_reached_day,
            "rewarded_day": result.cap_reached_screen,
        }
    return {
        "schedule": {
            "start": dollars(schedule.start_cents),
            "step": dollars(schedule.step_cents),
            "max_per_screen": dollars(schedule.max_per_screen_cents),
            "recovery_after": schedule.recovery_after,
            "bonus_every": schedule.bonus_every,
            "bonus": dollars(schedule.bonus_cents),
            "cap": dollars(schedule.cap_cents),
            "window_days": schedule.window_days,
            "eligible_per_week": schedule.eligible_per_week.text,
        },
        "rewarded_days": result.rewarded_days,
        "total": dollars(result.total_cents),
        "without_cap": dollars(result.uncapped_cents),
        "cap_reached": reached,
        "short_days": result.short_days,
        "fits": result.fits,
    }


def cents(option: str, text: str) -> int:
    """``"10.50"`` -> 1050; at most two decimals, 0 or more (money is never a float)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"--{option}: {text!r} must be dollars, 0 or more, e.g. 10.50")
    return int(value * 100)


def parse_bowl(text: str) -> tuple[cm_rules.Slip, ...]:
    """``name:dollars:count`` items separated by commas."""
    slips = []
    for item in text.split(","):
        parts = item.split(":")
        if len(parts) != 3 or not parts[0].strip() or not parts[2].strip().isdigit():
            raise InvalidInput(f"--bowl: {item!r} must be name:dollars:count, e.g. small:1.00:209")
        slips.append(cm_rules.Slip(parts[0].strip(), cents("bowl", parts[1]), int(parts[2])))
    return tuple(slips)
