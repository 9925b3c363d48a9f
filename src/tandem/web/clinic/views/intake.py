"""The intake wizard: the tandem.case/2 document (ruleset-v2.md s1), step by step.

Each step saves its sections of the case through ``services.intake.save_intake_step``
(see ``wizard``); questionnaires go through ``record_administration``; the last step runs
``formulate_patient``.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from tandem.domain import instruments
from tandem.services import access
from tandem.services import intake as intake_service
from tandem.services.calendar import patient_today
from tandem.services.errors import Conflict, ValidationFailed
from tandem.storage.models import Patient
from tandem.web.clinic import errors
from tandem.web.clinic.errors import Target
from tandem.web.clinic.forms import (
    ClinicalForm,
    InstrumentForm,
    PriorTreatmentFormSet,
    StimulantForm,
    tri_initial,
)
from tandem.web.clinic.views.common import actor, page
from tandem.web.clinic.views.timeline import timeline_step
from tandem.web.clinic.views.wizard import next_step, saved, step_context

# Shown first on the questionnaires step: the two that risk and placement read
# (ruleset-v1.md s7-s8: PHQ-9 total and item 9, the C-SSRS tier).
FIRST_INSTRUMENTS = ("phq9", "cssrs")


@login_required
def intake_step(request: HttpRequest, patient_id: int, step: str) -> HttpResponse:
    """Dispatch to one step of the wizard (404 for an unknown step)."""
    handlers = {
        "stimulant": stimulant_step,
        "timeline": timeline_step,
        "instruments": instruments_step,
        "clinical": clinical_step,
        "review": review_step,
    }
    if step not in handlers:
        raise Http404()
    patient = access.access_patient(actor(request), patient_id, action="intake.view")
    return handlers[step](request, patient)


def stimulant_step(request: HttpRequest, patient: Patient) -> HttpResponse:
    current = intake_service.current_intake(patient)
    case = current.case
    stimulant = case.get("stimulant", {})
    initial = {"assessed_on": case.get("assessed_on") or _default_assessed_on(patient, current)}
    initial.update(StimulantForm.initial_from(stimulant))
    form = StimulantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        sections = {
            "assessed_on": form.cleaned_data["assessed_on"].isoformat(),
            "stimulant": {**stimulant, **form.section()},
        }
        targets: dict[str, Target] = {"$.assessed_on": (form, "assessed_on")}
        targets.update({f"$.stimulant.{name}": (form, name) for name in form.fields})
        if saved(request, patient, sections, targets, form):
            return next_step(patient, "stimulant")
    return page(
        request,
        "intake/stimulant.html",
        step_context(patient, "stimulant", form=form),
        status=400 if form.is_bound and form.errors else 200,
    )


def _default_assessed_on(patient: Patient, current: Any) -> str:
    """A new assessment date defaults to the latest questionnaire's date, else today, so
    nothing recorded is left out of the formulation (docs/adr/0004-intake-and-plan-rules.md)."""
    latest = intake_service.latest_administration_on(patient, current)
    return (latest or patient_today(patient)).isoformat()


def instruments_step(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The questionnaires: what is recorded in this episode, and links to record more."""
    recorded: dict[str, Any] = {}
    for record in intake_service.list_administrations(actor(request), patient.pk):
        recorded.setdefault(record.instrument_id, record)
    ordered = [*FIRST_INSTRUMENTS, *(i for i in instruments.REGISTRY if i not in FIRST_INSTRUMENTS)]
    rows = [(instruments.get(i), recorded.get(i)) for i in ordered]
    return page(request, "intake/instruments.html", step_context(patient, "instruments", rows=rows))


@login_required
def record_instrument(request: HttpRequest, patient_id: int, instrument_id: str) -> HttpResponse:
    """Record one administration; an invalid answer is named by its item."""
    patient = access.access_patient(actor(request), patient_id, action="intake.view")
    if instrument_id not in instruments.REGISTRY:
        raise Http404()
    instrument = instruments.get(instrument_id)
    form = InstrumentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            intake_service.record_administration(
                actor(request),
                patient.pk,
                instrument_id,
                form.answers(),
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except (ValidationFailed, Conflict) as error:
            errors.attach_item(error, form)
        else:
            return redirect("clinic:intake_step", patient_id=patient.pk, step="instruments")
    context = step_context(
        patient,
        "instruments",
        form=form,
        instrument=instrument,
        idempotency_key=request.POST.get("idempotency_key") or _new_key(),
    )
    return page(
        request,
        "intake/instrument.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


def _new_key() -> str:
    """A fresh idempotency key per form, so a double-submitted form records once."""
    return secrets.token_urlsafe(16)


def clinical_step(request: HttpRequest, patient: Patient) -> HttpResponse:
    case = intake_service.current_intake(patient).case
    clinical = case.get("clinical", {})
    program = case.get("program", {})
    initial = {
        **clinical,
        "mdd_severity": clinical.get("mdd_severity") or "",
        "complementary_offered": program.get("complementary_offered", []),
        "pregnant": tri_initial(case.get("patient", {}).get("pregnant")),
    }
    for name in ("psychosis", "medically_unstable", "mania_history"):
        initial[name] = tri_initial(clinical.get(name))
    initial.setdefault("functional_impairment", "none")
    initial.setdefault("recovery_environment", "supportive")
    form = ClinicalForm(request.POST or None, initial=initial)
    prior = PriorTreatmentFormSet(
        request.POST or None, prefix="prior", initial=clinical.get("prior_treatment", [])
    )
    if request.method == "POST" and form.is_valid() and prior.is_valid():
        sections = _clinical_sections(form, prior, program, case.get("patient", {}))
        targets: dict[str, Target] = {f"$.clinical.{n}": (form, n) for n in form.fields}
        targets["$.patient.pregnant"] = (form, "pregnant")
        targets["$.program.complementary_offered"] = (form, "complementary_offered")
        for index, row in enumerate(f for f in prior.forms if f.cleaned_data.get("level")):
            targets[f"$.clinical.prior_treatment[{index}]"] = (row, None)
        if saved(request, patient, sections, targets, form):
            return next_step(patient, "clinical")
    bound = form.is_bound and (bool(form.errors) or not prior.is_valid())
    context = step_context(patient, "clinical", form=form, prior=prior)
    return page(request, "intake/clinical.html", context, status=400 if bound else 200)


def _clinical_sections(
    form: ClinicalForm, prior: Any, program: dict[str, Any], person: dict[str, Any]
) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    complementary = data.pop("complementary_offered")
    pregnant = data.pop("pregnant")
    data["mdd_severity"] = data["mdd_severity"] or None
    data["prior_treatment"] = [
        {"level": f.cleaned_data["level"], "response": f.cleaned_data["response"]}
        for f in prior.forms
        if f.cleaned_data.get("level")
    ]
    return {
        "clinical": data,
        "program": {**program, "complementary_offered": complementary},
        "patient": {**person, "pregnant": pregnant},
    }


def review_step(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The case as it stands, and the button that runs the formulation."""
    problem = None
    if request.method == "POST":
        try:
            record = intake_service.formulate_patient(actor(request), patient.pk)
        except ValidationFailed as error:
            message = errors.in_words(error.message, error.field or "")
            problem = {"message": message, "step": _step_of(error.field or "")}
        else:
            return redirect("clinic:formulation", formulation_id=record.pk)
    case = intake_service.case_for_formulation(patient, intake_service.current_intake(patient))
    context = step_context(patient, "review", full_case=case, problem=problem)
    return page(request, "intake/review.html", context, status=400 if problem else 200)


def _step_of(path: str) -> str:
    """The wizard step where the field a formulation error names is edited."""
    if path.startswith(
        (
            "$.depressive_episodes",
            "$.stimulant.use_periods",
            "$.stimulant.last_use",
            "$.stimulant.days_used",
        )
    ):
        return "timeline"
    if path.startswith(("$.stimulant", "$.assessed_on")):
        return "stimulant"
    if path.startswith("$.instruments"):
        return "instruments"
    return "clinical" if path.startswith(("$.clinical", "$.program")) else "review"
