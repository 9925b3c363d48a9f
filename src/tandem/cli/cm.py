"""``tandem cm``: contingency-management ledgers for a caseload (monitoring.md s7, s8).

Reads ``screens.csv`` (``patient_id,date,result`` and optionally
``benzoylecgonine_ng_ml``, which CM does not use: the result column is the clinic's
stimulant reading), runs the escalating or prize schedule of
``tandem.domain.monitoring.incentives`` per patient and prints JSON or writes a ledger CSV.
Money is integer cents inside and ``"12.50"`` text outside (never a float). Must not
import Django. Bad input: one line on stderr naming file, row and column; exit status 2.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from tandem.cli.output import output_text
from tandem.domain.csv_text import quoted
from tandem.domain.errors import InvalidInput, InvalidTimeline
from tandem.domain.monitoring import incentives as cm_rules
from tandem.domain.monitoring.incentives import Ledger, Screen, ScreenResult

REQUIRED = ("patient_id", "date", "result")
OPTIONAL = ("benzoylecgonine_ng_ml",)
ESCALATING = cm_rules.EscalatingSchedule()
PRIZE_DEFAULTS = cm_rules.PrizeSchedule(seed=0)


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@click.command()
@click.option("--screens", "screens_path", required=True, type=click.Path(path_type=Path))
@click.option("--schedule", required=True, type=click.Choice(["escalating", "prize"]))
@click.option("--seed", type=int, default=None, help="required for prize: makes draws replayable")
@click.option("--start", default=_dollars(ESCALATING.start_cents), show_default=True)
@click.option("--step", default=_dollars(ESCALATING.step_cents), show_default=True)
@click.option("--max-per-screen", default=_dollars(ESCALATING.max_per_screen_cents))
@click.option("--recovery-after", type=int, default=ESCALATING.recovery_after, show_default=True)
@click.option("--bonus-every", type=int, default=0, show_default=True, help="0 = no bonus")
@click.option("--bonus", default="0.00", show_default=True)
@click.option("--cap", default=_dollars(ESCALATING.cap_cents), show_default=True)
@click.option("--window-days", type=int, default=ESCALATING.window_days, show_default=True)
@click.option("--draw-start", type=int, default=PRIZE_DEFAULTS.draw_start, show_default=True)
@click.option("--draw-max", type=int, default=PRIZE_DEFAULTS.draw_max, show_default=True)
@click.option("--bowl", default=None, help='e.g. "good job:0.00:250,small:1.00:209"')
@click.option("--json", "as_json", is_flag=True, help="print one JSON object keyed by patient")
@click.option("--output", type=click.Path(path_type=Path), default=None)
def cm(**options: object) -> None:
    """Incentive ledgers: one entry per screen, totals under the cap."""
    try:
        text, target = run(**options)  # type: ignore[arg-type]  # click fills every option
    except InvalidInput as exc:
        click.echo(f"tandem cm: {exc}", err=True)
        sys.exit(2)
    if target is None:
        click.echo(text, nl=False)
        return
    failure = f"tandem cm: {target.name}: cannot be written"
    with output_text(target, lambda exc: f"{failure} ({exc.strerror})") as out:
        out.write(text)


def run(
    screens_path: Path,
    schedule: str,
    seed: int | None,
    start: str,
    step: str,
    max_per_screen: str,
    recovery_after: int,
    bonus_every: int,
    bonus: str,
    cap: str,
    window_days: int,
    draw_start: int,
    draw_max: int,
    bowl: str | None,
    as_json: bool,
    output: Path | None,
) -> tuple[str, Path | None]:
    """Read, compute and format; returns the text and where it goes (None: stdout)."""
    if as_json and output is not None:
        raise InvalidInput("--json and --output: choose one")
    by_patient = read_screens(screens_path)
    if schedule == "escalating":
        rules = cm_rules.EscalatingSchedule(
            start_cents=cents("start", start),
            step_cents=cents("step", step),
            max_per_screen_cents=cents("max-per-screen", max_per_screen),
            recovery_after=recovery_after,
            bonus_every=bonus_every,
            bonus_cents=cents("bonus", bonus),
            cap_cents=cents("cap", cap),
            window_days=window_days,
        )
        ledgers = {p: cm_rules.escalating_ledger(s, rules) for p, s in by_patient.items()}
    else:
        if seed is None:
            raise InvalidInput("--seed: required with --schedule prize (draws must be replayable)")
        prize_rules = cm_rules.PrizeSchedule(
            seed=seed,
            draw_start=draw_start,
            draw_max=draw_max,
            bowl=parse_bowl(bowl) if bowl else cm_rules.PROGRAM_BOWL,
            cap_cents=cents("cap", cap),
            window_days=window_days,
        )
        ledgers = {p: cm_rules.prize_ledger(s, prize_rules, p) for p, s in by_patient.items()}
    text = ledgers_json(ledgers) if as_json else ledgers_csv(ledgers)
    return text, output


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


def read_screens(path: Path) -> dict[str, list[Screen]]:
    """Screens per patient, in file order (the engine sorts by date, stably)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidTimeline(f"{path.name}: cannot be read ({exc})") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, [])
    _check_header(path, header)
    where = {name: header.index(name) for name in REQUIRED}
    screens: dict[str, list[Screen]] = {}
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise InvalidTimeline(
                f"{path.name}, row {number}: expected {len(header)} columns, got {len(row)}"
            )
        patient = row[where["patient_id"]]
        if not patient:
            raise InvalidTimeline(f"{path.name}, row {number}, column patient_id: is empty")
        screen = Screen(_date(path, number, row[where["date"]]), _result(path, number, row, where))
        screens.setdefault(patient, []).append(screen)
    return screens


def _check_header(path: Path, header: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if missing or unknown or len(set(header)) != len(header):
        raise InvalidTimeline(
            f"{path.name}, row 1: the header must be {','.join(REQUIRED)}"
            f"[,{OPTIONAL[0]}]; found {','.join(header)!r}"
        )


def _date(path: Path, number: int, text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidTimeline(
            f"{path.name}, row {number}, column date: {text!r} is not a date; use YYYY-MM-DD"
        ) from None


def _result(path: Path, number: int, row: list[str], where: dict[str, int]) -> ScreenResult:
    text = row[where["result"]]
    try:
        return ScreenResult(text)
    except ValueError:
        allowed = ", ".join(r.value for r in ScreenResult)
        raise InvalidTimeline(
            f"{path.name}, row {number}, column result: {text!r} is not one of {allowed}"
        ) from None


def ledgers_json(ledgers: dict[str, Ledger]) -> str:
    """One object keyed by patient id: ``total`` and ``ledger`` (monitoring.md s8)."""
    out = {
        patient: {
            "total": _dollars(ledger.total_cents),
            "ledger": [
                {
                    "date": entry.date.isoformat(),
                    "result": entry.result.value,
                    "earned": _dollars(entry.earned_cents),
                    "draws": entry.draws,
                    "prizes": [
                        {"prize": p.name, "value": _dollars(p.value_cents), "awarded": p.awarded}
                        for p in entry.prizes
                    ],
                }
                for entry in ledger.entries
            ],
        }
        for patient, ledger in ledgers.items()
    }
    return json.dumps(out, indent=2) + "\n"


def ledgers_csv(ledgers: dict[str, Ledger]) -> str:
    """``patient_id,date,result,earned,draws,prizes``; prizes as ``name:value[:not awarded]``."""
    lines = ["patient_id,date,result,earned,draws,prizes"]
    for patient, ledger in ledgers.items():
        for entry in ledger.entries:
            prizes = ";".join(
                f"{p.name}:{_dollars(p.value_cents)}" + ("" if p.awarded else ":not awarded")
                for p in entry.prizes
            )
            cells = [patient, entry.date.isoformat(), entry.result.value]
            cells += [_dollars(entry.earned_cents), str(entry.draws), prizes]
            lines.append(",".join(quoted(cell) for cell in cells))
    return "\n".join(lines) + "\n"
