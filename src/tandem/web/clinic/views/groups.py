"""IOP/PHP groups (issue 11): the clinic's sessions (upcoming and past), a new session,
and a session's page with its roster and one-pass attendance marking (a radio row per
patient). The rules are ``services.groups``'s; an error names the field it is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tandem.domain import labels
from tandem.domain.monitoring.groups import ATTENDANCE_STATUSES
from tandem.services import groups
from tandem.services.calendar import zone
from tandem.services.errors import ValidationFailed
from tandem.web.clinic import errors
from tandem.web.clinic.forms import GroupSessionForm
from tandem.web.clinic.views.common import actor, page

STATUSES = [(s, labels.label("attendance", s)) for s in ATTENDANCE_STATUSES]


def _local(session: Any) -> dt.datetime:
    moment: dt.datetime = session.starts_at.astimezone(zone(session.organization.time_zone))
    return moment


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """The clinic's group sessions: ``?when=past`` for the past ones."""
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    rows = groups.sessions(actor(request), when=when)
    items = [{"session": s, "local": _local(s)} for s in rows]
    context = {"items": items, "when": when, "nav": "groups"}
    return page(request, "groups.html", context)


@login_required
def new_group(request: HttpRequest) -> HttpResponse:
    """Schedule a session (clinicians and directors)."""
    who = actor(request)
    staff = groups.facilitators(who)
    form = GroupSessionForm(request.POST or None, staff=staff)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = groups.create_session(
                    who,
                    name=data["name"],
                    starts_at=dt.datetime.combine(data["day"], data["time"]),
                    level=data["level"],
                    facilitator_id=data["facilitator"],
                )
            except ValidationFailed as error:
                fields = {"name": "name", "level": "level", "facilitator_id": "facilitator"}
                targets = {key: (form, name) for key, name in fields.items()}
                targets["starts_at"] = (form, "day")
                errors.attach(error, targets, form)
            else:
                return redirect("clinic:group", group_id=session.pk)
    return page(request, "group_new.html", {"form": form, "nav": "groups"}, status=status)


@login_required
def group(request: HttpRequest, group_id: int) -> HttpResponse:
    """A session: when, level, facilitator, its roster and (for the facilitator or a
    director, from the session's day on) one form marking everyone at once."""
    who = actor(request)
    problem: ValidationFailed | None = None
    chosen: dict[str, str] = {}
    if request.method == "POST":
        chosen = {
            key.removeprefix("attendance_"): str(value)
            for key, value in request.POST.items()
            if key.startswith("attendance_")
        }
        try:
            groups.record_attendance(who, group_id, chosen)
        except ValidationFailed as error:
            problem = error
        else:
            return redirect(f"{request.path}?saved=1")
    found = groups.roster(who, group_id)
    rows = [
        {
            "entry": e,
            "chosen": chosen.get(str(e.patient.pk), e.status),
            "error": problem is not None and problem.field == f"attendance.{e.patient.pk}",
        }
        for e in found.entries
    ]
    context = {
        "roster": found,
        "session": found.session,
        "local": _local(found.session),
        "rows": rows,
        "statuses": STATUSES,
        "problem": problem,
        **_problem_words(problem, found.entries),
        "saved": request.GET.get("saved") == "1" and problem is None,
        "markable": found.may_record and groups.session_day(found.session) <= _today(found.session),
        "nav": "groups",
    }
    return page(request, "group.html", context, status=400 if problem else 200)


def _problem_words(problem: ValidationFailed | None, entries: list[Any]) -> dict[str, str]:
    """The refusal in words: a patient's name, never their record id, and a link to
    their row; any other problem as the service said it."""
    if problem is None:
        return {}
    names = {f"attendance.{e.patient.pk}": e.patient.display_name for e in entries}
    field = problem.field or ""
    if field in names:
        anchor = field.replace(".", "")
        return {"problem_text": f"{names[field]}: {groups.STATUS_CHOICE}", "problem_anchor": anchor}
    message = problem.message.split(": ", 1)[-1]
    return {"problem_text": message[:1].upper() + message[1:], "problem_anchor": ""}


def _today(session: Any) -> dt.date:
    from tandem.services.calendar import clinic_today

    return clinic_today(session.organization)
