"""Reassessment (issue 11): accept a monitoring suggestion, review the prefilled case,
formulate and decide the placement. Everything is decided by ``services.reassessment``;
these views show it and pass the clinician's choice on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tandem.services import intake, reassessment
from tandem.services.access import access_patient, access_record
from tandem.services.errors import Conflict, ValidationFailed
from tandem.services.placement import latest_placement
from tandem.storage.models import InstrumentAdministration, Patient, Reassessment
from tandem.web.clinic.views.common import actor, page

LATEST_SHOWN = ("phq9", "cssrs")


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(
        label="Why stop this reassessment",
        max_length=reassessment.CANCEL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _latest(rows: list[InstrumentAdministration]) -> list[InstrumentAdministration]:
    """The newest PHQ-9 and C-SSRS (rows come newest first)."""
    seen: dict[str, InstrumentAdministration] = {}
    for row in rows:
        if row.instrument_id in LATEST_SHOWN and row.instrument_id not in seen:
            seen[row.instrument_id] = row
    return [seen[i] for i in LATEST_SHOWN if i in seen]


def _lines(record: Reassessment) -> tuple[str, ...]:
    if record.reason == "depression_review":
        return reassessment.depression_lines(record.evidence)
    return reassessment.suggestion_lines(record.reason, record.evidence)


def _render(
    request: HttpRequest,
    patient: Patient,
    *,
    problem: str = "",
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    who = actor(request)
    opened = reassessment.open_of(patient)
    latest = reassessment.latest_of(patient)
    ended = latest if latest is not None and not latest.is_open else None
    context: dict[str, Any] = {
        "patient": patient,
        "level": reassessment.current_level(patient),
        "problem": problem,
        "open": opened,
        "open_lines": _lines(opened) if opened else (),
        "open_title": reassessment.label_reason(opened.reason) if opened else "",
        "use": (opened.prefilled.get("use") or {}) if opened else {},
        "latest_scores": _latest(intake.list_administrations(who, patient.pk)) if opened else [],
        "offers": [] if opened else reassessment.offers_of(patient),
        "ended": ended,
        "ended_title": reassessment.label_reason(ended.reason) if ended else "",
        "ended_placement": (
            latest_placement(ended.formulation) if ended and ended.formulation else None
        ),
        "cancel_form": cancel_form or CancelForm(),
    }
    return page(request, "reassessment.html", context, status=status)


@login_required
def overview(request: HttpRequest, patient_id: int) -> HttpResponse:
    """What is suggested today, or the reassessment under way."""
    patient = access_patient(actor(request), patient_id, action="reassessment.view")
    return _render(request, patient)


@login_required
@require_POST
def start(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Accept a suggestion: the service re-checks that it still holds."""
    who = actor(request)
    try:
        reassessment.start(who, patient_id, str(request.POST.get("reason", "")))
    except ValidationFailed as error:
        patient = access_patient(who, patient_id, action="reassessment.view")
        message = error.message.split(": ", 1)[-1] if error.field else error.message
        return _render(request, patient, problem=message[:1].upper() + message[1:], status=400)
    return redirect("clinic:reassessment", patient_id=patient_id)


@login_required
@require_POST
def cancel(request: HttpRequest, reassessment_id: int) -> HttpResponse:
    """Stop an open reassessment, with a reason."""
    who = actor(request)
    record: Reassessment = access_record(
        who, Reassessment, reassessment_id, action="reassessment.view"
    )
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            reassessment.cancel(who, record.pk, form.cleaned_data["cancel_reason"])
        except ValidationFailed as error:
            form.add_error("cancel_reason", error.message.split(": ", 1)[-1])
        except Conflict as error:
            return _render(request, record.patient, problem=error.message, status=409)
        else:
            return redirect("clinic:reassessment", patient_id=record.patient_id)
    return _render(request, record.patient, cancel_form=form, status=400)
