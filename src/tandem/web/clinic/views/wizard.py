"""What every intake step shares: its context, saving sections, moving on.

A step saves all its sections through one ``services.intake.save_intake_step`` call (one
transaction, the whole case checked), so a rejected submission saves nothing; the save
carries the intake's version, so a concurrent edit is refused (Conflict), never overwritten.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tandem.services import intake as intake_service
from tandem.services.errors import Conflict, ValidationFailed
from tandem.storage.models import Patient
from tandem.web.clinic import errors
from tandem.web.clinic.errors import Target
from tandem.web.clinic.views.common import INTAKE_STEPS, actor, risk_panel


def step_context(patient: Patient, step: str, **extra: Any) -> dict[str, Any]:
    current = intake_service.current_intake(patient)
    return {
        "patient": patient,
        "step": step,
        "steps": INTAKE_STEPS,
        "intake": current,
        "case": current.case,
        "done": done_steps(current.case) | _questionnaires_done(patient, current),
        "risk": risk_panel(patient),
        **extra,
    }


def _questionnaires_done(patient: Patient, current: Any) -> set[str]:
    recorded = intake_service.latest_administration_on(patient, current) is not None
    return {"instruments"} if recorded else set()


def done_steps(case: dict[str, Any]) -> set[str]:
    """Steps whose sections the case already holds (for the step list's ticks)."""
    stimulant = case.get("stimulant", {})
    done = set()
    if "substance" in stimulant:
        done.add("stimulant")
    if "use_periods" in stimulant or "depressive_episodes" in case:
        done.add("timeline")
    if "clinical" in case:
        done.add("clinical")
    return done


def save_sections(
    request: HttpRequest, patient: Patient, version: int, sections: dict[str, Any]
) -> None:
    """Save the step's sections in one service call: all or nothing, version checked once."""
    intake_service.save_intake_step(actor(request), patient.pk, sections, expected_version=version)


def saved(
    request: HttpRequest,
    patient: Patient,
    sections: dict[str, Any],
    targets: dict[str, Target],
    fallback: forms.Form,
) -> bool:
    """Save and report success; a refusal becomes an error on the field it names."""
    try:
        save_sections(request, patient, _version(request), sections)
    except Conflict as error:
        fallback.add_error(
            None, f"Someone else changed this intake while you were editing ({error.message})."
        )
        return False
    except ValidationFailed as error:
        errors.attach(error, targets, fallback)
        return False
    return True


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise ValidationFailed("version: the form is missing its version", "version") from None


def next_step(patient: Patient, step: str) -> HttpResponse:
    slugs = [slug for slug, _ in INTAKE_STEPS]
    return redirect("clinic:intake_step", patient_id=patient.pk, step=slugs[slugs.index(step) + 1])
