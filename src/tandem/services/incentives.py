"""Contingency management in the record (issue 11; monitoring.md s7, ruleset-v2.md s7).

- The clinic's schedule (``configure_schedule``): ``escalating`` or ``prize``, with the
  options of ``tandem cm`` by the domain schedule's field names, money in integer cents;
  any option left out takes the domain's default (ruleset-v2.md s7). The domain builds the
  schedule before it is saved, so a stored schedule is one the engine accepts; an error
  names ``options.<name>``. Prize draws get a seed drawn here, on the server, recorded on
  the schedule.
- The ledger (``update_ledger``): recomputed from all of the patient's screens by the
  domain engine (``escalating_ledger``/``prize_ledger``) each time a screen is recorded,
  inside that screen's transaction, and the patient's rows are replaced when they differ.
  Why replace rather than append: the rules are defined over the screens in date order
  (one reward a day, weekly pacing, reset and recovery, the cap), so a screen recorded
  late for an earlier day rightly changes later lines; recomputing from the screens is the
  only way the app's ledger stays equal to ``tandem cm`` on the same screens. A change to
  a line dated on or before the patient's latest redemption is never silent: it is
  audited as ``cm.ledger.revised`` with the number of lines changed, and redemptions are
  never altered (the balance can then fall below zero and says so).
- Prize draws are replayable: ``prize_ledger`` draws from ``Random(f"{seed}:{patient}")``
  (``incentives.draw_seed``), recorded on every row with draws; ``replay_draws`` draws
  again from the recorded seed and compares.
- Balance = earned - redeemed; ``redeem`` refuses more than the balance (field ``cents``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from django.db import transaction

from tandem.domain.errors import InvalidOption
from tandem.domain.monitoring import incentives as cm_rules
from tandem.domain.monitoring.pacing import parse_eligible_per_week
from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.clock import get_clock
from tandem.services.errors import ValidationFailed
from tandem.services.permissions import require
from tandem.services.typed_text import refuse_bad_name
from tandem.storage.models import CmSchedule, DrugScreen, LedgerEntry, Patient, Redemption

Schedule = cm_rules.EscalatingSchedule | cm_rules.PrizeSchedule
KINDS: Final = ("escalating", "prize")
WHAT_MAX: Final = 200
# The options a clinic may set, per kind: the domain schedule's own fields (the seed is
# the server's, never the clinic's).
OPTIONS: Final = {
    "escalating": tuple(f.name for f in fields(cm_rules.EscalatingSchedule)),
    "prize": tuple(f.name for f in fields(cm_rules.PrizeSchedule) if f.name != "seed"),
}


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# ---------------------------------------------------------------- the schedule


def _whole(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed(f"options.{name}: a whole number, 0 or more", f"options.{name}")
    return value


def _bowl(value: Any) -> tuple[cm_rules.Slip, ...]:
    allowed = "options.bowl: a list of [name, value_cents, count]"
    if not isinstance(value, list | tuple) or not value:
        raise ValidationFailed(allowed, "options.bowl")
    slips = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 3 or not str(item[0]).strip():
            raise ValidationFailed(allowed, "options.bowl")
        name = str(item[0]).strip()
        slips.append(cm_rules.Slip(name, _whole("bowl", item[1]), _whole("bowl", item[2])))
    return tuple(slips)


def build_schedule(kind: str, options: Mapping[str, Any], seed: int | None) -> Schedule:
    """The domain schedule for a clinic's kind and options (defaults for those left out)."""
    if kind not in KINDS:
        raise ValidationFailed(f"kind: one of {', '.join(KINDS)}", "kind")
    unknown = sorted(set(options) - set(OPTIONS[kind]))
    if unknown:
        name = unknown[0]
        raise ValidationFailed(f"options.{name}: not an option of {kind}", f"options.{name}")
    values: dict[str, Any] = {}
    for name, value in options.items():
        if name == "eligible_per_week":
            try:
                values[name] = parse_eligible_per_week(str(value), "options.eligible_per_week")
            except InvalidOption as error:
                raise ValidationFailed(str(error), "options.eligible_per_week") from None
        elif name == "bowl":
            values[name] = _bowl(value)
        else:
            values[name] = _whole(name, value)
    try:
        if kind == "escalating":
            return cm_rules.EscalatingSchedule(**values)
        return cm_rules.PrizeSchedule(seed=seed or 0, **values)
    except InvalidOption as error:
        name = str(error).split(":", 1)[0]
        raise ValidationFailed(f"options.{error}", f"options.{name}") from None


def _stored(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options as JSON (``eligible_per_week`` as its text)."""
    return {k: (v.text if k == "eligible_per_week" and not isinstance(v, str) else v)
            for k, v in options.items()}  # fmt: skip


@audited_failures("cm.schedule.configure")
def configure_schedule(actor: Actor, kind: Any, options: Mapping[str, Any]) -> CmSchedule:
    """Set the actor's clinic's schedule (a director or admin); every patient's ledger is
    recomputed under it in the same transaction. Changing the kind to prize draws (or
    setting it first) draws a new server seed; the seed is kept otherwise."""
    actor = as_actor(actor)
    staff = require(actor, "cm.configure")
    kind = kind.strip().lower() if isinstance(kind, str) else kind
    if not isinstance(options, Mapping):
        raise ValidationFailed("options: an object of option -> value", "options")
    build_schedule(kind, options, None)
    now = get_clock().now()
    with transaction.atomic():
        found = CmSchedule.objects.select_for_update().filter(organization=staff.organization)
        row = found.first() or CmSchedule(organization=staff.organization)
        if kind == "prize" and (row.kind != "prize" or row.seed is None):
            row.seed = secrets.randbits(62)  # the server's draw, recorded (monitoring.md s7)
        row.kind, row.options = kind, _stored(options)
        row.updated_by, row.updated_at = staff, now
        row.save()
        record_event(actor, "cm.schedule.configure", record_type="cmschedule", record_id=row.pk)
        patients = Patient.objects.filter(
            organization=staff.organization, drug_screens__isnull=False
        )
        for patient in patients.distinct().order_by("pk"):
            update_ledger(actor, patient)
    return row


def clinic_schedule(organization_id: int) -> tuple[CmSchedule, Schedule] | None:
    """The clinic's stored schedule and its domain form; None when it has none."""
    row = CmSchedule.objects.filter(organization_id=organization_id).first()
    if row is None:
        return None
    return row, build_schedule(row.kind, row.options, row.seed)


def rule_text(schedule: Schedule) -> str:
    """The schedule in words, kept on each ledger row as its provenance."""
    pacing = schedule.eligible_per_week.text
    if isinstance(schedule, cm_rules.EscalatingSchedule):
        return (
            f"escalating (monitoring.md s7, ruleset-v2.md s7): start "
            f"{_dollars(schedule.start_cents)}, step {_dollars(schedule.step_cents)}, max "
            f"{_dollars(schedule.max_per_screen_cents)}, recovery after "
            f"{schedule.recovery_after}, bonus {_dollars(schedule.bonus_cents)} every "
            f"{schedule.bonus_every}, cap {_dollars(schedule.cap_cents)}, window "
            f"{schedule.window_days} days, eligible per week {pacing}"
        )
    bowl = "; ".join(f"{s.name} {_dollars(s.value_cents)} x{s.count}" for s in schedule.bowl)
    return (
        f"prize draws (monitoring.md s7, ruleset-v2.md s7): draws {schedule.draw_start} "
        f"to {schedule.draw_max}, bowl {bowl}, cap {_dollars(schedule.cap_cents)}, window "
        f"{schedule.window_days} days, eligible per week {pacing}"
    )


# ---------------------------------------------------------------- the ledger


def patient_key(patient: Patient) -> str:
    """The key that gives a patient their own draw stream (``tandem cm``'s patient_id)."""
    return str(patient.pk)


def _screens(patient: Patient) -> list[DrugScreen]:
    # Two screens on one day in the order they were recorded (monitoring.md s7, file order).
    return list(
        DrugScreen.objects.filter(patient=patient).order_by("collected_on", "recorded_at", "pk")
    )


def compute(patient: Patient, schedule: Schedule, screens: list[DrugScreen]) -> cm_rules.Ledger:
    """The domain's ledger for these screens (their stored ruleset-v2 CM reading)."""
    given = [cm_rules.Screen(s.collected_on, cm_rules.ScreenResult(s.cm_result)) for s in screens]
    if isinstance(schedule, cm_rules.EscalatingSchedule):
        return cm_rules.escalating_ledger(given, schedule)
    return cm_rules.prize_ledger(given, schedule, patient_key(patient))


def _rows(
    patient: Patient,
    schedule: Schedule,
    screens: list[DrugScreen],
    ledger: cm_rules.Ledger,
    now: dt.datetime,
) -> list[LedgerEntry]:
    rule = rule_text(schedule)
    seed = None
    if isinstance(schedule, cm_rules.PrizeSchedule):
        seed = cm_rules.draw_seed(schedule.seed, patient_key(patient))
    # The domain keeps one entry per screen, in the screens' (stable) date order.
    return [
        LedgerEntry(
            patient=patient,
            screen=screen,
            position=number,
            day=entry.date,
            result=entry.result.value,
            day_result=(entry.day_result or entry.result).value,
            week=entry.week,
            in_window=entry.in_window,
            earned_cents=entry.earned_cents,
            draws=entry.draws,
            prizes=[
                {"name": p.name, "value_cents": p.value_cents, "awarded": p.awarded}
                for p in entry.prizes
            ],
            note=entry.note.value if entry.note else ("" if entry.in_window else "outside_window"),
            rule=rule,
            draw_seed=seed if seed and entry.draws else "",
            created_at=now,
        )
        for number, (screen, entry) in enumerate(zip(screens, ledger.entries, strict=True), 1)
    ]


def _line(row: LedgerEntry) -> tuple[Any, ...]:
    prizes = json.dumps(row.prizes, sort_keys=True)  # a list is not hashable; its text is
    return (row.screen_id, row.day, row.earned_cents, row.draws, prizes, row.note, row.rule)


def _entry(row: LedgerEntry) -> tuple[Any, ...]:
    """Everything a stored row says: its line, its place and its reading."""
    reading = (row.position, row.result, row.day_result, row.week, row.in_window, row.draw_seed)
    return (*_line(row), *reading)


def update_ledger(actor: Actor, patient: Patient) -> cm_rules.Ledger | None:
    """Recompute the patient's ledger from all their screens (call inside the screen's
    transaction, the patient row locked); replace the rows when they differ. None when the
    clinic has no schedule."""
    found = clinic_schedule(patient.organization_id)
    if found is None:
        return None
    _, schedule = found
    screens = _screens(patient)
    ledger = compute(patient, schedule, screens)
    rows = _rows(patient, schedule, screens, ledger, get_clock().now())
    old = list(LedgerEntry.objects.filter(patient=patient).order_by("position"))
    if [_line(r) for r in old] == [_line(r) for r in rows]:
        return ledger
    last = Redemption.objects.filter(patient=patient).order_by("-at").first()
    if last is not None:
        paid_to = last.at.date()
        before = {_line(r) for r in old if r.day <= paid_to}
        after = {_line(r) for r in rows if r.day <= paid_to}
        changed = len(before ^ after)
        if changed:
            record_event(
                actor, "cm.ledger.revised", patient_id=patient.pk,
                record_type="cm_ledger_lines", record_id=changed,
            )  # fmt: skip
    # The rows before the first that differs stand: a screen recorded today only appends
    # a line, and rewriting a year of lines on every screen was most of its recording
    # time (bench/screen_record.py).
    keep = 0
    while keep < min(len(old), len(rows)) and _entry(old[keep]) == _entry(rows[keep]):
        keep += 1
    LedgerEntry.objects.filter(patient=patient, position__gt=keep).delete()
    LedgerEntry.objects.bulk_create(rows[keep:])
    return ledger


def replay_draws(patient: Patient) -> bool:
    """Draw the patient's prizes again from the recorded seed and screens: True when every
    stored row's draws and prizes come out the same (monitoring.md s7: auditable)."""
    found = clinic_schedule(patient.organization_id)
    if found is None or not isinstance(found[1], cm_rules.PrizeSchedule):
        return False
    stored = list(LedgerEntry.objects.filter(patient=patient).order_by("position"))
    screens = [row.screen for row in stored if row.screen is not None]
    ledger = compute(patient, found[1], screens)
    again = _rows(patient, found[1], screens, ledger, get_clock().now())
    return [_line(r) for r in stored] == [_line(r) for r in again]


# ---------------------------------------------------------------- reading and redeeming


@dataclass(frozen=True)
class Account:
    """A patient's incentive account: the ledger, the redemptions and the balance."""

    entries: tuple[LedgerEntry, ...]
    redemptions: tuple[Redemption, ...]
    earned_cents: int
    redeemed_cents: int
    cap_cents: int | None
    kind: str | None

    @property
    def balance_cents(self) -> int:
        return self.earned_cents - self.redeemed_cents


def _account(patient: Patient) -> Account:
    entries = tuple(LedgerEntry.objects.filter(patient=patient).order_by("position"))
    redemptions = tuple(
        Redemption.objects.filter(patient=patient).select_related("by").order_by("at", "pk")
    )
    found = clinic_schedule(patient.organization_id)
    return Account(
        entries,
        redemptions,
        sum(e.earned_cents for e in entries),
        sum(r.cents for r in redemptions),
        found[1].cap_cents if found else None,
        found[0].kind if found else None,
    )


def account(actor: Actor, patient_id: Any) -> Account:
    """The patient's account (staff who can see the patient, or the patient); audited."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="cm.ledger.view")
    return _account(patient)


def _cents(value: Any) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise ValidationFailed("cents: a whole number of cents, 1 or more", "cents")
    return int(text)


@audited_failures("cm.redeem")
def redeem(actor: Actor, patient_id: Any, cents: Any, what: Any) -> Redemption:
    """Give the patient ``cents`` of credit as ``what`` (a gift card, never cash); refused
    above the balance (field ``cents``). A clinician who can see the patient; audited."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="cm.redeem")
    staff = require(actor, "cm.redeem", patient.pk)
    amount = _cents(cents)
    given = what.strip() if isinstance(what, str) else ""
    if not given or len(given) > WHAT_MAX:
        raise ValidationFailed(f"what: what was given, 1 to {WHAT_MAX} characters", "what")
    refuse_bad_name(given, "what")  # one line, shown on pages and receipts
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one writer
        balance = _account(patient).balance_cents
        if amount > balance:
            raise ValidationFailed(
                f"cents: more than the balance ({_dollars(max(balance, 0))})", "cents"
            )
        row = Redemption.objects.create(
            patient=patient, cents=amount, what=given, by=staff, at=get_clock().now()
        )
        record_event(
            actor, "cm.redeem", patient_id=patient.pk, record_type="redemption", record_id=row.pk
        )
    return row
