"""IOP/PHP group sessions and attendance (issue 11): thin calls into ``services.groups``,
which checks access, validates (naming the field) and audits."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tandem.api.auth import actor
from tandem.api.routes import ERRORS, Id
from tandem.api.schemas import (
    AttendanceIn,
    AttendanceOut,
    GroupSessionDetailOut,
    GroupSessionIn,
    GroupSessionOut,
    GroupWhen,
)
from tandem.services import groups

router = Router(tags=["groups"])


@router.get(
    "/groups",
    response={200: list[GroupSessionOut], **ERRORS},
    summary="The clinic's group sessions: upcoming (the default) or past",
)
def list_groups(request: HttpRequest, when: GroupWhen = "upcoming") -> Any:
    return groups.sessions(actor(request), when=when)


@router.post(
    "/groups",
    response={201: GroupSessionOut, **ERRORS},
    summary="Schedule a group session (clinicians and directors)",
)
def create_group(request: HttpRequest, payload: GroupSessionIn) -> Any:
    return Status(201, groups.create_session(actor(request), **payload.dict()))


@router.get(
    "/groups/{group_id}",
    response={200: GroupSessionDetailOut, **ERRORS},
    summary="A group session with its roster as the caller may see it",
)
def get_group(request: HttpRequest, group_id: Id) -> Any:
    found = groups.roster(actor(request), group_id)
    session = found.session
    return {
        "id": session.pk,
        "name": session.name,
        "starts_at": session.starts_at,
        "level": session.level,
        "facilitator_id": session.facilitator_id,
        "roster": [
            {
                "patient_id": e.patient.pk,
                "display_name": e.patient.display_name,
                "status": e.status or None,
                "on_level": e.on_level,
            }
            for e in found.entries
        ],
        "roster_complete": found.complete,
        "may_record": found.may_record,
    }


@router.post(
    "/groups/{group_id}/attendance",
    response={200: list[AttendanceOut], **ERRORS},
    summary="Record the attendance of the whole roster at once (all or nothing)",
    description="The session's facilitator or a director, from the session's day on. "
    "Every patient on the roster needs a status; an error names attendance.<patient_id>. "
    "Two unexcused absences in 14 days raise a routine missed_groups alert.",
)
def record_attendance(request: HttpRequest, group_id: Id, payload: AttendanceIn) -> Any:
    return groups.record_attendance(actor(request), group_id, payload.attendance)
