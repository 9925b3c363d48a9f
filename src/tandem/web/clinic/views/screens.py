"""Drug screens in the clinic (issue 11): record one from the chart, and "today's
screens", a whole group's results in one pass. The rules are ``services.screens``'."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tandem.domain.monitoring.panel import ANALYTES
from tandem.services import access, permissions, screens
from tandem.services.calendar import patient_today
from tandem.services.errors import Forbidden, ValidationFailed
from tandem.web.clinic import errors
from tandem.web.clinic.forms import ScreenForm, ScreenSheetForm
from tandem.web.clinic.views.common import actor, form_status, page, staff_of

REFUSED = "Your role may not record drug screens."
STATUS_CHOICES = (("", "Not entered"), ("result", "Result"), ("missed", "Missed"),
                  ("invalid", "Invalid"))  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET: the form. POST: record the screen, then back to the chart's screens."""
    who = actor(request)
    patient = access.access_patient(who, patient_id, action="screen.form")
    if not permissions.may(staff_of(request), "screen.record"):
        return errors.forbidden(request, REFUSED)
    initial = {"collected_on": patient_today(patient), "specimen": "urine",
               "kind": "point_of_care"}  # fmt: skip
    form = ScreenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            screens.record_screen(who, patient.pk, form.as_raw())
        except Forbidden:
            return errors.forbidden(request, REFUSED)
        except ValidationFailed as exc:
            field = form.field_for(exc.field)
            form.add_error(field, exc.message.split(": ", 1)[-1] if field else exc.message)
        else:
            return redirect(reverse("clinic:chart", args=[patient.pk]) + "#c-screens")
    context = {"patient": patient, "form": form}
    return page(request, "screen_new.html", context, form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def today(request: HttpRequest) -> HttpResponse:
    """The active patients I can see, one compact row each; POST records every row
    entered (all or nothing) and comes back with the count."""
    who = actor(request)
    if not permissions.may(staff_of(request), "screen.record"):
        return errors.forbidden(request, REFUSED)
    sheet = screens.todays_sheet(who)
    form = ScreenSheetForm(request.POST or None)
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        rows = _entered_rows(request.POST, sheet, form.cleaned_data)
        try:
            done = screens.record_screens(who, rows)
        except screens.ScreensRefused as exc:
            for problem in exc.problems:
                row_errors.setdefault(problem.patient_id, []).append(_words(problem))
            form.add_error(None, f"Nothing was saved: {len(row_errors)} rows need a change.")
        except ValidationFailed as exc:
            form.add_error(None, "Enter at least one row." if exc.field == "rows" else exc.message)
        else:
            return redirect(reverse("clinic:screens_today") + f"?recorded={len(done)}")
    context = {
        "form": form,
        "rows": [_row(r, request.POST, row_errors) for r in sheet],
        "analytes": ANALYTES,
        "status_choices": STATUS_CHOICES,
        "recorded": request.GET.get("recorded", "")[:4],
        "row_errors": row_errors,
        "nav": "screens",
    }
    return page(request, "screens_today.html", context, 400 if form.errors else 200)


def _entered_rows(
    post: QueryDict, sheet: list[screens.SheetRow], shared: dict[str, Any]
) -> list[tuple[int, dict[str, Any]]]:
    """The rows a person entered (a status chosen or a positive ticked), as the service
    takes them: on a result row each analyte of the cup is negative unless ticked."""
    rows = []
    for line in sheet:
        pk = line.patient.pk
        status = post.get(f"s{pk}-status", "")
        positives = set(post.getlist(f"s{pk}-positive"))
        if not status and not positives:
            continue
        tested = set(shared["panel"]) | positives if status == "result" else positives
        analytes = {a: ("positive" if a in positives else "negative") for a in tested}
        raw = {"collected_on": line.today, "specimen": shared["specimen"],
               "kind": shared["kind"], "status": status, "analytes": analytes}  # fmt: skip
        rows.append((pk, raw))
    return rows


def _words(problem: screens.RowProblem) -> str:
    field = {"status": "Result", "analytes": "Analytes", "patient": "Patient"}.get(
        problem.field, problem.field.replace("analytes.", "").replace("_", " ")
    )
    return f"{field}: {problem.message}"


def _row(line: screens.SheetRow, post: QueryDict, row_errors: dict[int, list[str]]) -> Any:
    pk = line.patient.pk
    return {
        "patient": line.patient,
        "recorded": line.recorded,
        "status": post.get(f"s{pk}-status", ""),
        "positives": set(post.getlist(f"s{pk}-positive")),
        "errors": row_errors.get(pk, []),
    }
