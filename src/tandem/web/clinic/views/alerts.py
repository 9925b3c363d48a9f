"""The alerts inbox (issue 10): the alerts sent to me, one alert's story, and acting on
it (acknowledge with an optional note, resolve with a required one)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tandem.domain import labels
from tandem.services import alerts
from tandem.services.errors import Conflict, ValidationFailed
from tandem.storage.models import Alert
from tandem.storage.models.alerts import ALERT_STATES
from tandem.web.clinic import errors
from tandem.web.clinic.forms import AlertNoteForm
from tandem.web.clinic.views.common import actor, page

STATES = tuple((s, labels.label("alert_state", s)) for s in ALERT_STATES)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The alerts sent to the signed-in staff member, urgent first; ``?state=`` filters
    open (the default), acknowledged or resolved."""
    state = str(request.GET.get("state", "open"))
    state = state if state in ALERT_STATES else "open"
    rows = alerts.inbox(actor(request), state=state)
    sent_to = _recipients(rows)
    items = [{"alert": a, "evidence": _evidence(a), "to": sent_to.get(a.pk, [])} for a in rows]
    context = {"items": items, "state": state, "states": STATES, "nav": "alerts"}
    return page(request, "alerts.html", context)


def _recipients(rows: list[Alert]) -> dict[int, list[dict[str, str]]]:
    """Who received each alert and why, in words (one query for the whole list)."""
    return {
        alert_id: [
            {
                "name": row.staff.display_name or row.staff.user.get_username(),
                "why": labels.label("alert_recipient_reason", row.reason),
            }
            for row in people
        ]
        for alert_id, people in alerts.recipients_by_alert(rows).items()
    }


def _evidence(alert: Alert) -> list[dict[str, Any]]:
    """The alert's evidence, newest last: the day and what was seen, in clinic words."""
    return [{"on": e.get("on", ""), "what": e.get("what", "")} for e in alert.evidence or []]


def _detail(
    request: HttpRequest,
    alert: Alert,
    *,
    acknowledge: AlertNoteForm | None = None,
    resolve: AlertNoteForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "alert": alert,
        "patient": alert.patient,
        "evidence": _evidence(alert),
        "recipients": alerts.recipients(alert),
        "transitions": _history(alert),
        "acknowledge_form": acknowledge or AlertNoteForm(),
        "resolve_form": resolve or AlertNoteForm(resolve=True),
        "problem": problem,
        "nav": "alerts",
    }
    return page(request, "alert.html", context, status=status)


def _history(alert: Alert) -> list[dict[str, Any]]:
    """The alert's transitions, each by a colleague's name, or "Tandem" for what Tandem
    did itself (raising on a patient's check-in, notifying, escalating): a patient's
    portal user name is never shown to staff."""
    rows = alerts.transitions(alert)
    colleagues = alerts.colleague_names(alert, {t.by for t in rows})
    return [
        {"at": t.at, "transition": t.transition, "note": t.note,
         "by": colleagues.get(t.by, "Tandem")}
        for t in rows
    ]  # fmt: skip


@login_required
def detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    """One alert: patient, kind, evidence, recipients and why, every transition."""
    return _detail(request, alerts.get_alert(actor(request), alert_id))


@login_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _act(request, alert_id, resolve=False)


@login_required
@require_POST
def resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _act(request, alert_id, resolve=True)


def _act(request: HttpRequest, alert_id: int, *, resolve: bool) -> HttpResponse:
    """Acknowledge or resolve; an error goes back on the form that was sent; a conflict
    (someone else got there first) is said in words at the top of the page."""
    who = actor(request)
    form = AlertNoteForm(request.POST, resolve=resolve)
    if form.is_valid():
        action = alerts.resolve if resolve else alerts.acknowledge
        try:
            action(who, alert_id, form.cleaned_data["note"])
        except ValidationFailed as error:
            errors.attach(error, {"note": (form, "note")}, form)
        except Conflict as error:
            alert = alerts.get_alert(who, alert_id)
            return _detail(request, alert, problem=error.message, status=409)
        else:
            return redirect("clinic:alert", alert_id=alert_id)
    alert = alerts.get_alert(who, alert_id)
    if resolve:
        return _detail(request, alert, resolve=form, status=400)
    return _detail(request, alert, acknowledge=form, status=400)
