"""Daily check-ins (portal.md; issue 10): one per patient and clinic-local day.

- The answers are checked here, for the portal's form, the clinic and the API alike;
  an error names the field and what is allowed, and nothing is saved.
- A second check-in the same day replaces mood, sleep, craving and energy; ``used`` and
  ``safety`` stay yes once either said yes (a later "no" never erases a "yes") and the
  use days are the union. Every submission is kept as sent (``CheckInSubmission``) and
  audited.
- A day can be filled in up to 2 days late (marked ``late``), never for a future day.
- A "yes" to the safety question is a suicide signal (ruleset-v2.md s7, score 1): in the
  same transaction as the answer it raises an urgent ``suicide_risk`` alert or is added
  to the open one (``services.alerts.signal``).
- Every check-in is then evaluated for the other alerts it can raise (``lapse``, ...:
  ``services.monitoring.after_record``), in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.db import IntegrityError, transaction

from tandem.domain.monitoring.live import CHECKIN_SAFETY_SCORE
from tandem.services import alerts, monitoring
from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import patient_today
from tandem.services.clock import get_clock
from tandem.services.errors import ValidationFailed
from tandem.services.imports import RowRefused, import_patients
from tandem.services.permissions import require
from tandem.services.progress import use_days_of
from tandem.storage.models import Alert, CheckIn, CheckInSubmission, Organization, Patient

LATE_DAYS: Final = 2  # issue 10: a missed day can be filled in up to 2 days late
SLEEP_MAX: Final = 14  # portal.md: "more than 14" stores 14
# portal.md "Just-in-time coping" (program): craving >= 7 or mood <= 3 shows the
# person's own coping steps right away.
COPING_CRAVING: Final = 7
COPING_MOOD: Final = 3
FIELDS: Final = ("mood", "sleep_hours", "craving", "energy", "used", "use_days", "safety")


@dataclass(frozen=True)
class Answers:
    """One check-in's answers, checked."""

    mood: int
    sleep_hours: Decimal
    craving: int
    energy: int | None
    used: bool
    use_days: tuple[dt.date, ...]
    safety: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "mood": self.mood,
            "sleep_hours": str(self.sleep_hours),
            "craving": self.craving,
            "energy": self.energy,
            "used": self.used,
            "use_days": [d.isoformat() for d in self.use_days],
            "safety": self.safety,
        }


@dataclass(frozen=True)
class Outcome:
    """What the person sees next: help first after a "yes" to safety; their coping steps
    after high craving or low mood; ``replaced`` when today's check-in was updated."""

    checkin: CheckIn
    replaced: bool
    help_first: bool
    coping: bool
    alert: Alert | None


def _scale(raw: dict[str, Any], name: str) -> int:
    value = raw.get(name)
    if value is None or value == "":
        raise ValidationFailed(f"{name}: required, a whole number from 0 to 10", name)
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ValidationFailed(f"{name}: a whole number from 0 to 10", name)
    number = int(str(value).strip())
    if not 0 <= number <= 10:
        raise ValidationFailed(f"{name}: a whole number from 0 to 10", name)
    return number


def _optional_scale(raw: dict[str, Any], name: str) -> int | None:
    return None if raw.get(name) in (None, "") else _scale(raw, name)


def _sleep(raw: dict[str, Any]) -> Decimal:
    value = raw.get("sleep_hours")
    allowed = "sleep_hours: hours from 0 to 14 in half hours (0, 0.5, 1, ... 14)"
    if value is None or value == "" or isinstance(value, bool):
        raise ValidationFailed(allowed, "sleep_hours")
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed(allowed, "sleep_hours") from None
    if not hours.is_finite() or not 0 <= hours <= SLEEP_MAX or (hours * 2) % 1 != 0:
        raise ValidationFailed(allowed, "sleep_hours")
    return hours.quantize(Decimal("0.1"))


def _yes_no(raw: dict[str, Any], name: str) -> bool:
    value = raw.get(name)
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0"):
        return False
    raise ValidationFailed(f"{name}: required, yes or no", name)


def _use_days(raw: dict[str, Any], on: dt.date, used: bool) -> tuple[dt.date, ...]:
    allowed = "use_days: one or more of the check-in's day and the 2 days before it"
    value = raw.get("use_days")
    if not used:
        if value:
            raise ValidationFailed("use_days: only when used is yes", "use_days")
        return ()
    if not value:
        raise ValidationFailed(allowed, "use_days")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or len(value) > LATE_DAYS + 1:
        raise ValidationFailed(allowed, "use_days")
    days = set()
    for item in value:
        try:
            day = dt.date.fromisoformat(str(item))
        except ValueError:
            raise ValidationFailed(allowed + " (YYYY-MM-DD)", "use_days") from None
        if not 0 <= (on - day).days <= LATE_DAYS:
            raise ValidationFailed(allowed, "use_days")
        days.add(day)
    return tuple(sorted(days))


def clean_day(value: Any, today: dt.date) -> dt.date:
    """The check-in's day: today, or up to 2 days before (a late check-in)."""
    allowed = "on: today or one of the 2 days before it (YYYY-MM-DD)"
    if value is None or value == "":
        return today
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(allowed, "on") from None
    if not 0 <= (today - day).days <= LATE_DAYS:
        raise ValidationFailed(allowed, "on")
    return day


def clean_answers(raw: dict[str, Any], on: dt.date) -> Answers:
    """Check a check-in's answers; the first problem raises ``ValidationFailed``."""
    unknown = sorted(set(raw) - set(FIELDS) - {"on"})
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a check-in answer", unknown[0])
    mood = _scale(raw, "mood")
    sleep = _sleep(raw)
    craving = _scale(raw, "craving")
    energy = _optional_scale(raw, "energy")
    used = _yes_no(raw, "used")
    use_days = _use_days(raw, on, used)
    safety = _yes_no(raw, "safety")
    return Answers(mood, sleep, craving, energy, used, use_days, safety)


def _source(actor: Actor) -> str:
    if actor.kind == "patient":
        return "api" if actor.via == "api" else "portal"
    return "api" if actor.via == "api" else "clinic"


@audited_failures("checkin.record")
def record_checkin(actor: Actor, patient_id: Any, raw: dict[str, Any]) -> Outcome:
    """Record a check-in for ``patient_id`` (the patient themselves, or their clinic)."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="checkin.record")
    if actor.kind != "patient":
        require(actor, "checkin.record", patient.pk)
    today = patient_today(patient)
    on = clean_day(raw.get("on"), today)
    answers = clean_answers(raw, on)
    now = get_clock().now()
    try:
        return _store(actor, patient, on, today, answers, now)
    except IntegrityError:
        # Two submissions for the same day raced: the second now merges into the first.
        return _store(actor, patient, on, today, answers, now)


def _store(
    actor: Actor,
    patient: Patient,
    on: dt.date,
    today: dt.date,
    answers: Answers,
    now: dt.datetime,
) -> Outcome:
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one writer
        checkin = CheckIn.objects.filter(patient=patient, on=on).first()
        replaced = checkin is not None
        if checkin is None:
            checkin = CheckIn(patient=patient, on=on, created_at=now, used=False, safety=False)
            checkin.use_days = []
        checkin.mood = answers.mood
        checkin.sleep_hours = answers.sleep_hours
        checkin.craving = answers.craving
        checkin.energy = answers.energy
        checkin.used = checkin.used or answers.used
        days = use_days_of([checkin.use_days]) | set(answers.use_days)
        checkin.use_days = [d.isoformat() for d in sorted(days)]
        checkin.safety = checkin.safety or answers.safety
        checkin.late = checkin.late if replaced else on < today
        checkin.source = _source(actor)
        checkin.updated_at = now
        checkin.save()
        CheckInSubmission.objects.create(
            checkin=checkin, submitted_at=now, submitted_by=actor.name, answers=answers.as_json()
        )
        record_event(
            actor,
            "checkin.record",
            patient_id=patient.pk,
            record_type="checkin",
            record_id=checkin.pk,
        )
        alert = None
        if answers.safety:
            alert = alerts.signal(
                actor,
                patient,
                "suicide_risk",
                alerts.Evidence(
                    on,
                    "Daily check-in: said yes to the question about thoughts of self-harm",
                    "check-in",
                    checkin.pk,
                    CHECKIN_SAFETY_SCORE,
                ),
            )
        # Issue 11: the other alerts a check-in can raise (lapse, ...), same transaction.
        monitoring.after_record(actor, patient, on)
    coping = answers.craving >= COPING_CRAVING or answers.mood <= COPING_MOOD
    return Outcome(checkin, replaced, answers.safety, coping, alert)


def checkins(actor: Actor, patient_id: Any, *, since: dt.date | None = None) -> list[CheckIn]:
    """A patient's check-ins, oldest first (from ``since`` when given); audited."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="checkin.list")
    rows = CheckIn.objects.filter(patient=patient)
    if since is not None:
        rows = rows.filter(on__gte=since)
    return list(rows.order_by("on"))


def today_checkin(patient: Patient) -> CheckIn | None:
    """Today's check-in, if the patient has made one (the caller checked access)."""
    return CheckIn.objects.filter(patient=patient, on=patient_today(patient)).first()


def open_days(patient: Patient) -> list[dt.date]:
    """The days a check-in can still be made for, newest first: today and the 2 days
    before it without one (the caller checked access)."""
    today = patient_today(patient)
    days = [today - dt.timedelta(days=k) for k in range(LATE_DAYS + 1)]
    done = set(CheckIn.objects.filter(patient=patient, on__in=days).values_list("on", flat=True))
    return [d for d in days if d == today or d not in done]


# ---------------------------------------------------------------- import (issue 11)


@audited_failures("checkin.import")
def import_checkins(
    actor: Actor, clinic: Organization, rows: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[CheckIn]:
    """Bring a clinic's past check-ins in (``tandem import checkins``): ``rows`` of
    (patient record number, answers with ``on``), all or nothing.

    Each row is checked by ``clean_answers``, as a check-in from the portal or the clinic;
    unlike those, any past day is allowed (not the 2-day limit: this is history), never
    a day after the patient's clinic-local today. ``used`` yes means use on that day. A
    day already recorded, in the database or earlier in the rows, is refused (an import
    never merges into a check-in). Safety "yes" answers are signalled (``suicide_risk``)
    as when recorded; the other alerts are evaluated once per patient, for the recent
    days (``monitoring.after_record``). ``RowRefused`` names the row and field."""
    actor = as_actor(actor)
    patients = import_patients(actor, clinic, [p for p, _ in rows], "checkin.import")
    for patient in {p.pk: p for p in patients.values()}.values():
        require(actor, "checkin.record", patient.pk)
    checked = [
        (patients[number], _clean_imported(index, raw, patients[number]))
        for index, (number, raw) in enumerate(rows)
    ]
    _refuse_repeated_days(checked)
    now = get_clock().now()
    with transaction.atomic():
        stored = [_store_imported(actor, p, on, a, now) for p, (on, a) in checked]
        _after_import(actor, checked)
        record_event(
            actor,
            "checkin.import",
            record_type="checkin",
            record_id=len(stored),
            patient_ids=sorted({p.pk for p, _ in checked}),
        )
    return stored


def _clean_imported(
    index: int, raw: Mapping[str, Any], patient: Patient
) -> tuple[dt.date, Answers]:
    try:
        on = clean_past_day(raw.get("on"), patient_today(patient))
        fields = {k: v for k, v in raw.items() if k != "on"}
        if _yes_no(fields, "used"):
            fields["use_days"] = [on.isoformat()]
        return on, clean_answers(fields, on)
    except ValidationFailed as error:
        raise RowRefused.of(index, error) from None


def clean_past_day(value: Any, today: dt.date) -> dt.date:
    """An imported check-in's day: any day up to the patient's clinic-local today."""
    allowed = "on: a day up to today (YYYY-MM-DD)"
    text = "" if value is None else str(value).strip()
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(allowed, "on") from None
    if day > today:
        raise ValidationFailed(allowed, "on")
    return day


def _refuse_repeated_days(checked: Sequence[tuple[Patient, tuple[dt.date, Answers]]]) -> None:
    seen: set[tuple[int, dt.date]] = set()
    for index, (patient, (on, _)) in enumerate(checked):
        if (patient.pk, on) in seen:
            raise RowRefused(index, "on", f"{on} is in the file twice for this patient")
        seen.add((patient.pk, on))
    stored = CheckIn.objects.filter(
        patient__in={p.pk for p, _ in checked}, on__in={on for _, (on, _) in checked}
    ).values_list("patient_id", "on")
    clash = seen & set(stored)
    for index, (patient, (on, _)) in enumerate(checked):
        if (patient.pk, on) in clash:
            raise RowRefused(index, "on", f"{on} already has a check-in for this patient")


def _store_imported(
    actor: Actor, patient: Patient, on: dt.date, answers: Answers, now: dt.datetime
) -> CheckIn:
    checkin = CheckIn.objects.create(
        patient=patient,
        on=on,
        mood=answers.mood,
        sleep_hours=answers.sleep_hours,
        craving=answers.craving,
        energy=answers.energy,
        used=answers.used,
        use_days=[d.isoformat() for d in answers.use_days],
        safety=answers.safety,
        late=False,
        # CHECKIN_SOURCES has no "import" and this change adds no migration: the file's
        # ``checkin.import`` audit event is what records that these came by import.
        source="clinic",
        created_at=now,
        updated_at=now,
    )
    CheckInSubmission.objects.create(
        checkin=checkin, submitted_at=now, submitted_by=actor.name, answers=answers.as_json()
    )
    record_event(
        actor, "checkin.record", patient_id=patient.pk, record_type="checkin", record_id=checkin.pk
    )
    if answers.safety:
        alerts.signal(
            actor,
            patient,
            "suicide_risk",
            alerts.Evidence(
                on,
                "Daily check-in (imported): said yes to the question about thoughts of self-harm",
                "check-in",
                checkin.pk,
                CHECKIN_SAFETY_SCORE,
            ),
        )
    return checkin


def _after_import(actor: Actor, checked: Sequence[tuple[Patient, tuple[dt.date, Answers]]]) -> None:
    """The alerts of each patient's recent days, once per patient (the latest day)."""
    latest: dict[int, tuple[Patient, dt.date]] = {}
    for patient, (on, _) in checked:
        if patient.pk not in latest or on > latest[patient.pk][1]:
            latest[patient.pk] = (patient, on)
    for patient, on in latest.values():
        monitoring.after_record(actor, patient, on)
