"""One timeline per patient (issue 11): the episode's days and every record on them.

What the clinician's timeline page shows, computed by the domain from the records:
the daily check-ins and PHQ-9s as chart data (``services.progress``), the monitoring
core's report for this patient (crash cycle, early markers and "what shifts first",
measurement-based care, the step-up or step-down suggestion: ``domain.monitoring``),
and every dated record of the episode as one list: drug screens by result, alerts,
group attendance, level-of-care decisions, plan versions and questionnaires.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from tandem.domain.labels import dollars, label
from tandem.services import groups, monitoring, portal_questionnaires, reassessment
from tandem.services import progress as progress_service
from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.calendar import local_date, patient_today
from tandem.storage.models import (
    Alert,
    CarePlanVersion,
    CheckIn,
    DrugScreen,
    InstrumentAdministration,
    LedgerEntry,
    Patient,
    Placement,
    Reassessment,
)

MAX_DAYS: Final = 366  # the longest period drawn at once (a year)


@dataclass(frozen=True)
class Event:
    """One dated record on the timeline, in the clinic's words."""

    on: dt.date
    kind: str  # screen, incentive, alert, attendance, level, plan, questionnaire
    text: str


@dataclass(frozen=True)
class Timeline:
    patient: Patient
    progress: progress_service.Progress
    report: dict[str, Any] | None  # the monitoring core's report; None when it refused
    refused: str  # why the core could not read the records ("" when it did)
    events: list[Event]
    offers: list[reassessment.Offer]  # suggestions a clinician may accept today
    due: list[portal_questionnaires.Questionnaire]  # the signed plan's questionnaires
    open_reassessment: Reassessment | None


def _episode_days(patient: Patient, today: dt.date) -> int:
    """From the episode's start, or the first check-in or drug screen when that is earlier
    (monitoring that began before the intake was entered), to today: a week at least, a
    year at most."""
    episode = patient.episodes.order_by("-started_on", "-pk").first()
    starts = [episode.started_on] if episode is not None else []
    first = CheckIn.objects.filter(patient=patient).order_by("on").values_list("on", flat=True)
    starts += list(first[:1])
    screened = DrugScreen.objects.filter(patient=patient).order_by("collected_on")
    starts += list(screened.values_list("collected_on", flat=True)[:1])
    start = min(starts) if starts else today
    return max(7, min((today - start).days + 1, MAX_DAYS))


def _screen_words(screen: DrugScreen) -> str:
    """A screen in the clinic's words: its CM reading, then what was positive."""
    if screen.status != "result":
        return label("screen_status", screen.status)
    reading = label("screen_reading", screen.cm_result)
    positives = ", ".join(label("analyte", a) for a in screen.positives)
    return f"{reading}; positive for {positives}" if positives else f"{reading}; all negative"


def _events(patient: Patient, since: dt.date) -> list[Event]:
    tz = patient.organization.time_zone
    found: list[Event] = []
    for s in DrugScreen.objects.filter(patient=patient, collected_on__gte=since):
        text = f"Drug screen: {_screen_words(s)}"
        found.append(Event(s.collected_on, "screen", text))
    for entry in LedgerEntry.objects.filter(patient=patient, day__gte=since, earned_cents__gt=0):
        found.append(
            Event(entry.day, "incentive", f"Incentive earned: {dollars(entry.earned_cents)}")
        )
    for a in Alert.objects.filter(patient=patient, raised_on__gte=since):
        text = (
            f"Alert: {label('alert_kind', a.kind)} ({label('alert_severity', a.severity)}), "
            f"{label('alert_state', a.state)}"
        )
        found.append(Event(a.raised_on, "alert", text))
    for row in groups.patient_attendance(patient, since):
        found.append(Event(row["on"], "attendance", f"Group {row['group']}: {row['status_label']}"))
    for p in Placement.objects.filter(patient=patient):
        on = local_date(p.decided_at, tz)
        if on >= since:
            level = label("level", p.decided_level)
            found.append(Event(on, "level", f"Level of care decided: {level}"))
    for v in CarePlanVersion.objects.filter(plan__patient=patient):
        on = local_date(v.saved_at, tz)
        if on >= since:
            found.append(Event(on, "plan", f"Plan version {v.version} saved"))
    for q in InstrumentAdministration.objects.filter(patient=patient, administered_on__gte=since):
        band = f", {q.band.replace('_', ' ')}" if q.band else ""
        total = "" if q.total is None else f" {q.total}"
        name = label("instrument", q.instrument_id)
        found.append(Event(q.administered_on, "questionnaire", f"{name}{total}{band}"))
    return sorted(found, key=lambda e: (e.on, e.kind), reverse=True)


def timeline(actor: Actor, patient_id: Any) -> Timeline:
    """The timeline of a patient the actor may see (audited as ``timeline.view``)."""
    patient = access_patient(as_actor(actor), patient_id, action="timeline.view")
    today = patient_today(patient)
    found = progress_service.progress_of(patient, _episode_days(patient, today))
    report, refused = monitoring.patient_report(patient, today)
    events = _events(patient, found.period.start)
    offers = reassessment.offers_from(patient, report, today)
    opened = reassessment.open_of(patient)
    due = portal_questionnaires.questionnaires(patient)
    return Timeline(patient, found, report, refused, events, offers, due, opened)
