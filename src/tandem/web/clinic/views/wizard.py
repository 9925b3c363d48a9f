"""What every intake step shares: its context, saving sections, moving on.

A step that changes two sections of the case checks the whole resulting case first
(``engines.check_case``), so a rejected submission saves nothing; each save carries the
intake's version, so a concurrent edit is refused (Conflict), never overwritten.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tandem.services import engines
from tandem.services import intake as intake_service
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, ValidationFailed
from tandem.storage.models import Patient
from tandem.web.clinic import errors
from tandem.web.clinic.errors import Target
from tandem.web.clinic.views.common import INTAKE_STEPS, actor


def step_context(patient: Patient, step: str, **extra: Any) -> dict[str, Any]:
    current = intake_service.current_intake(patient)
    return {
        "patient": patient,
        "step": step,
        "steps": INTAKE_STEPS,
        "intake": current,
        "case": current.case,
        "done": done_steps(current.case) | _questionnaires_done(patient, current),
        "show_crisis": screens_show_risk(patient, current),
        **extra,
    }


def _questionnaires_done(patient: Patient, current: Any) -> set[str]:
    recorded = patient.administrations.filter(episode=current.episode).exists()
    return {"instruments"} if recorded else set()


def screens_show_risk(patient: Patient, current: Any) -> bool:
    """Before any formulation, a recorded screen already showing suicide risk puts the
    crisis resources on the intake pages: the PHQ-9's own suicide-item flag (facts.md
    s2.1) or a C-SSRS tier other than none (instruments.md), as the scorer stored them."""
    results = patient.administrations.filter(episode=current.episode).values_list(
        "result", flat=True
    )
    for result in results:
        if "suicide_item_positive" in result.get("flags", []):
            return True
        if result.get("instrument") == "cssrs" and result.get("band") not in (None, "none"):
            return True
    return False


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


def today() -> str:
    return get_clock().today().isoformat()


def save_sections(
    request: HttpRequest, patient: Patient, version: int, sections: dict[str, Any]
) -> None:
    """Save sections in order; the whole case is checked first (nothing half-saved)."""
    current = intake_service.current_intake(patient)
    candidate = {**current.case, **sections}
    if "assessed_on" in candidate and "substance" in candidate.get("stimulant", {}):
        engines.check_case(candidate)
    for section, data in sections.items():
        saved = intake_service.update_intake(
            actor(request), patient, section, data, expected_version=version
        )
        version = saved.version


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
