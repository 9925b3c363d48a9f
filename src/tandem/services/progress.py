"""A patient's progress (portal.md "My progress"): what the domain says about their own
records, for the portal page and the API.

The records are read here and handed to the pure domain (``domain.monitoring.progress``
and ``shifting``), which does every computation; the web draws the charts
(``tandem.reports.charts``) in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from tandem.domain.monitoring.progress import (
    DailyEntry,
    DaysSinceUse,
    Period,
    ScorePoint,
    days_since_last_use,
)
from tandem.domain.monitoring.records import Checkin, RecordSource
from tandem.domain.monitoring.shifting import ShiftingPanel, what_is_shifting
from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.calendar import patient_today
from tandem.storage.models import CheckIn, InstrumentAdministration, Intake, Patient

DEFAULT_DAYS: Final = 90  # the portal shows the last 90 days (program: readable on a phone)
MAX_DAYS: Final = 366


@dataclass(frozen=True)
class Progress:
    """The portal page's and the API's progress: the period (ending today, the clinic's
    day), the check-ins and use days in it, every PHQ-9, days since the last use (the
    domain's ``days_since_last_use``: check-ins and the intake's last use), and what is
    shifting."""

    patient_id: int
    period: Period
    entries: list[DailyEntry]
    phq9: list[ScorePoint]
    days_since_use: DaysSinceUse | None
    shifting: ShiftingPanel
    checkins: list[CheckIn]  # in the period, oldest first
    use_days: list[dt.date]  # in the period, oldest first
    phq9_records: list[InstrumentAdministration]  # every PHQ-9, oldest first

    @property
    def checkins_in_period(self) -> int:
        return len(self.checkins)

    @property
    def stamp(self) -> str:
        """Changes whenever what the charts draw changes: the patient, the period, and
        the newest change to a check-in or PHQ-9 in it (a cache key)."""
        changed = max((c.updated_at for c in self.checkins), default=None)
        scored = max((r.recorded_at for r in self.phq9_records), default=None)
        counts = f"{len(self.checkins)}.{len(self.phq9_records)}"
        return (
            f"{self.patient_id}:{self.period.start}:{self.period.end}:{counts}:{changed}:{scored}"
        )


def use_days_of(stored: Iterable[Sequence[str]]) -> set[dt.date]:
    """The use days named by stored check-ins (each ``CheckIn.use_days``, ISO dates)."""
    return {dt.date.fromisoformat(d) for days in stored for d in days}


def _use_days(rows: list[CheckIn]) -> set[dt.date]:
    return use_days_of(row.use_days for row in rows)


def _intake_last_use(patient: Patient) -> dt.date | None:
    """The intake's last use when it is a whole date (a year or month alone is not)."""
    intake = Intake.objects.filter(patient=patient).order_by("-episode__started_on", "-pk").first()
    return last_use_of(intake.case if intake is not None else {})


def last_use_of(case: dict[str, Any]) -> dt.date | None:
    """An intake case's last use when it is a whole date (a year or month alone is not)."""
    raw = ((case or {}).get("stimulant") or {}).get("last_use")
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
    except ValueError:
        return None


def progress_of(patient: Patient, days: int = DEFAULT_DAYS) -> Progress:
    """The progress of ``patient`` over the last ``days`` days (the caller checked access)."""
    today = patient_today(patient)
    days = max(7, min(int(days), MAX_DAYS))
    period = Period(today - dt.timedelta(days=days - 1), today)
    rows = list(CheckIn.objects.filter(patient=patient, on__lte=today).order_by("on"))
    used = _use_days(rows)
    records = [
        Checkin(
            patient_id=str(patient.pk),
            on=row.on,
            mood=float(row.mood),
            sleep_hours=float(row.sleep_hours),
            craving=float(row.craving),
            used=row.on in used,
            source=RecordSource.database("check-in", row.pk),
            energy=None if row.energy is None else float(row.energy),
            safety=row.safety,
        )
        for row in rows
    ]
    checked = {row.on for row in rows}
    entries = [
        DailyEntry(r.on, r.mood, r.craving, r.sleep_hours, r.used)
        for r in records
        if r.on in period
    ] + [DailyEntry(day, used=True) for day in sorted(used - checked) if day in period]
    phq9_records = list(
        InstrumentAdministration.objects.filter(
            patient=patient, instrument_id="phq9", administered_on__lte=today
        ).order_by("administered_on", "pk")
    )
    phq9 = [
        ScorePoint(r.administered_on, r.total)
        for r in phq9_records
        if r.total is not None and r.administered_on in period
    ]
    since = days_since_last_use(
        today, reported_use=used, positive_screens=(), intake_last_use=_intake_last_use(patient)
    )
    return Progress(
        patient_id=patient.pk,
        period=period,
        entries=sorted(entries, key=lambda e: e.on),
        phq9=phq9,
        days_since_use=since,
        shifting=what_is_shifting(records, today),
        checkins=[row for row in rows if row.on in period],
        use_days=sorted(day for day in used if day in period),
        phq9_records=phq9_records,
    )


def progress(actor: Actor, patient_id: Any, days: int = DEFAULT_DAYS) -> Progress:
    """A patient's progress for an actor who may see them (the patient, their team)."""
    patient = access_patient(as_actor(actor), patient_id, action="progress.view")
    return progress_of(patient, days)
