"""A patient's progress, as numbers (``GET /api/v1/me/progress``; portal.md "My progress").

Read straight from the patient's own records, nothing inferred: each check-in day's mood,
craving, sleep, energy and use in the window (the last 90 days by default); the days
since the last use day a check-in reported (None when none did: never a streak); and
every PHQ-9 with its stored total and band. One audited read (``portal.progress``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.calendar import patient_today
from tandem.services.errors import NotFound
from tandem.storage.models import CheckIn, InstrumentAdministration

WINDOW_DAYS: Final = 90  # the program's choice: about a quarter of treatment at a glance


@dataclass(frozen=True)
class Progress:
    today: dt.date  # the clinic's local day
    since: dt.date  # the window's first day
    days: list[CheckIn]  # oldest first
    use_days: list[dt.date]  # use days reported in the window, oldest first
    last_use: dt.date | None  # the latest use day any check-in reported
    days_since_last_use: int | None
    phq9: list[InstrumentAdministration]  # oldest first


def progress(who: Actor, *, window_days: int = WINDOW_DAYS) -> Progress:
    """The patient actor's own progress (any other actor: NotFound)."""
    actor = as_actor(who)
    if actor.kind != "patient":
        raise NotFound()
    patient = access_patient(actor, actor.patient_id, action="portal.progress")
    today = patient_today(patient)
    since = today - dt.timedelta(days=window_days - 1)
    days = list(CheckIn.objects.filter(patient=patient, on__gte=since).order_by("on"))
    reported = CheckIn.objects.filter(patient=patient, used=True).values_list("use_days", flat=True)
    every_use = sorted({dt.date.fromisoformat(d) for days_ in reported for d in days_})
    last_use = every_use[-1] if every_use else None
    phq9 = InstrumentAdministration.objects.filter(patient=patient, instrument_id="phq9")
    return Progress(
        today=today,
        since=since,
        days=days,
        use_days=[d for d in every_use if since <= d <= today],
        last_use=last_use,
        days_since_last_use=(today - last_use).days if last_use is not None else None,
        phq9=list(phq9.order_by("administered_on", "pk")),
    )
