"""``/api/v1/me/``: a patient's own check-ins and progress, with a patient token.

Every operation here acts for the token's patient only (``Actor.patient``); a staff token
gets 403 (``tandem.api.auth.PatientToken``). No Idempotency-Key: ``IdempotentRequest``
belongs to a staff member, and a check-in is one per day anyway (a retry updates the same
day's check-in with the same answers; it does keep one more submission)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tandem.api.auth import PatientToken, actor
from tandem.api.monitoring import recorded
from tandem.api.routes import ERRORS
from tandem.api.schemas import CheckInIn, CheckInRecordedOut, ProgressOut
from tandem.services import checkins, progress

router = Router(auth=PatientToken(), tags=["me (patient token)"])


@router.post(
    "/checkins",
    response={201: CheckInRecordedOut, **ERRORS},
    summary="Record my check-in for today (or up to 2 days late)",
    description="The same rules as the portal's form; an error names the field. A "
    "second check-in the same day updates it (a yes to used or safety stays yes). After "
    "a yes to safety, help_first is true and help holds 988, 911 and the clinic's phone.",
)
def record_my_checkin(request: HttpRequest, payload: CheckInIn) -> Any:
    who = actor(request)
    outcome = checkins.record_checkin(who, who.patient_id, payload.dict(exclude_unset=True))
    return Status(201, recorded(outcome))


@router.get(
    "/progress",
    response={200: ProgressOut, **ERRORS},
    summary="My progress: check-in days, days since the last use, PHQ-9 totals and bands",
)
def my_progress(request: HttpRequest) -> Any:
    who = actor(request)
    found = progress.progress(who, who.patient_id)
    since = found.days_since_use
    return {
        "today": found.period.end,
        "since": found.period.start,
        "days": found.checkins,
        "use_days": found.use_days,
        "last_use": since.last_use if since else None,
        "days_since_last_use": since.days if since else None,
        "phq9": found.phq9_records,
    }
