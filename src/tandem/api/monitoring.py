"""Staff operations on daily check-ins and alerts (issue 10) and drug screens (issue 11):
thin calls into ``services.checkins``, ``services.alerts`` and ``services.screens``,
which check access and audit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tandem.api.auth import actor
from tandem.api.routes import ERRORS, Id
from tandem.api.schemas import (
    AcknowledgeIn,
    AlertOut,
    CheckInIn,
    CheckInOut,
    CheckInRecordedOut,
    InboxState,
    IsoDate,
    ResolveIn,
    ScreenIn,
    ScreenOut,
    ScreenRecordedOut,
)
from tandem.services import alerts, checkins, crisis, screens
from tandem.services.checkins import Outcome

router = Router(tags=["check-ins and alerts"])


def recorded(outcome: Outcome) -> dict[str, Any]:
    """A recorded check-in as the API answers it (patients and staff alike)."""
    checkin = outcome.checkin
    return {
        "checkin": checkin,
        "replaced": outcome.replaced,
        "help_first": outcome.help_first,
        "help": crisis.help_now(checkin.patient, care_team_told=outcome.alert is not None)
        if outcome.help_first
        else None,
        "coping": outcome.coping,
    }


@router.get("/patients/{patient_id}/checkins", response={200: list[CheckInOut], **ERRORS})
def list_checkins(request: HttpRequest, patient_id: Id, since: IsoDate | None = None) -> Any:
    return checkins.checkins(actor(request), patient_id, since=since)


@router.post(
    "/patients/{patient_id}/checkins",
    response={201: CheckInRecordedOut, **ERRORS},
    summary="Record a patient's check-in (the clinic's role needs checkin.record)",
    description="The portal's rules; an error names the field. No Idempotency-Key: a "
    "check-in is one per day, and a retry updates the same day's check-in.",
)
def record_checkin(request: HttpRequest, patient_id: Id, payload: CheckInIn) -> Any:
    outcome = checkins.record_checkin(actor(request), patient_id, payload.dict(exclude_unset=True))
    return Status(201, recorded(outcome))


@router.get(
    "/patients/{patient_id}/alerts",
    response={200: list[AlertOut], **ERRORS},
    summary="A patient's alerts, newest first",
)
def patient_alerts(request: HttpRequest, patient_id: Id) -> Any:
    return alerts.patient_alerts(actor(request), patient_id)


@router.get(
    "/alerts",
    response={200: list[AlertOut], **ERRORS},
    summary="My inbox: the alerts sent to me, urgent first, newest first",
    description="state: open (the default), acknowledged, resolved, or active (open or "
    "acknowledged).",
)
def inbox(request: HttpRequest, state: InboxState = "open") -> Any:
    return alerts.inbox(actor(request), state=state)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **ERRORS},
    summary="Acknowledge an open alert (I have seen it and am acting)",
)
def acknowledge(request: HttpRequest, alert_id: Id, payload: AcknowledgeIn) -> Any:
    return alerts.acknowledge(actor(request), alert_id, payload.note or "")


@router.post(
    "/alerts/{alert_id}/resolve",
    response={200: AlertOut, **ERRORS},
    summary="Resolve an alert, with a note saying what was done",
)
def resolve(request: HttpRequest, alert_id: Id, payload: ResolveIn) -> Any:
    return alerts.resolve(actor(request), alert_id, payload.note)


@router.get(
    "/patients/{patient_id}/screens",
    response={200: list[ScreenOut], **ERRORS},
    summary="A patient's drug screens, newest first",
    tags=["drug screens"],
)
def list_screens(request: HttpRequest, patient_id: Id, since: IsoDate | None = None) -> Any:
    return screens.list_screens(actor(request), patient_id, since=since)


@router.post(
    "/patients/{patient_id}/screens",
    response={201: ScreenRecordedOut, **ERRORS},
    summary="Record a drug screen (the role needs screen.record)",
    description="An error names the field (analytes.fentanyl). A screen positive for "
    "fentanyl, or for an opioid the patient is not prescribed, raises overdose_risk "
    "(ruleset-v2.md s7). No Idempotency-Key: a retry records a second screen.",
    tags=["drug screens"],
)
def record_screen(request: HttpRequest, patient_id: Id, payload: ScreenIn) -> Any:
    done = screens.record_screen(actor(request), patient_id, payload.dict(exclude_unset=True))
    return Status(201, {"screen": done.screen, "alert": done.alert})
