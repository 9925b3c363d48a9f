"""The formulation as stored (never recomputed), and the clinician's placement decision.

The recommendation is the rule set's (ruleset-v1.md s8); the clinician decides, and a
level other than the recommendation needs a reason (services.placement).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tandem.domain import labels
from tandem.domain.formulation.explanations import FINDINGS, explain
from tandem.services import intake, placement, plans
from tandem.services.errors import ValidationFailed
from tandem.services.placement import PLACEMENT_LEVELS
from tandem.storage.models import FormulationRecord
from tandem.web.clinic import errors
from tandem.web.clinic.forms import PlacementForm
from tandem.web.clinic.views.common import LEVEL_NAMES, actor, page, risk_panel


def findings(output: dict[str, Any]) -> list[tuple[str, str]]:
    """The rationale lines as (rule id, sentence) pairs, in the order the rules fired."""
    pairs = []
    for line in output.get("rationale", []):
        rule, _, text = str(line).partition(": ")
        pairs.append((rule, text) if text else ("", rule))
    return pairs


def _explained(finding: object) -> str:
    """The clinician explanation of an onset order or current depression (formulation)."""
    return explain(str(finding), "clinician") if finding in FINDINGS else ""


def _levels(recommended: str) -> list[tuple[str, str]]:
    return [
        (level, LEVEL_NAMES[level] + (" — recommended" if level == recommended else ""))
        for level in PLACEMENT_LEVELS
    ]


def _render(request: HttpRequest, record: FormulationRecord, form: PlacementForm) -> HttpResponse:
    output: dict[str, Any] = record.output
    context = {
        "record": record,
        "patient": record.patient,
        "output": output,
        "level_names": LEVEL_NAMES,
        "onset_words": labels.label("onset_order", output.get("onset_order")),
        "current_words": labels.label("current_depression", output.get("current_depression")),
        "onset_explained": _explained(output.get("onset_order")),
        "current_explained": _explained(output.get("current_depression")),
        "recommended_words": LEVEL_NAMES.get(record.recommended_level, record.recommended_level),
        "findings": findings(output),
        "recommended": record.recommended_level,
        "placement": placement.latest_placement(record),
        "review_flags": placement.review_flags(record),
        "plan": plans.latest_plan_of(record),
        "form": form,
        "risk": risk_panel(record.patient, output),
    }
    status = 400 if form.is_bound and form.errors else 200
    return page(request, "formulation.html", context, status=status)


def _flag_choices(record: FormulationRecord) -> list[dict[str, str]]:
    """Each review flag as its label and its text, without citations."""
    return [
        {"id": f["id"], "text": f"{labels.label('review_flag', f['id'])}: "
         + labels.clinical_text(f["text"])}
        for f in placement.review_flags(record)
    ]  # fmt: skip


@login_required
def formulation(request: HttpRequest, formulation_id: int) -> HttpResponse:
    """GET shows the formulation; POST records the placement decision."""
    record = intake.get_formulation(actor(request), formulation_id)
    levels = _levels(record.recommended_level)
    form = PlacementForm(
        request.POST or None,
        levels=levels,
        flags=_flag_choices(record),
        recommended=record.recommended_level,
        initial={"level": record.recommended_level},
    )
    if request.method == "POST" and form.is_valid():
        try:
            placement.decide_placement(actor(request), record.pk, **form.cleaned_data)
        except ValidationFailed as error:
            errors.attach(error, {n: (form, n) for n in form.fields}, form)
        else:
            return redirect("clinic:formulation", formulation_id=record.pk)
    return _render(request, record, form)


@login_required
@require_POST
def draft_plan(request: HttpRequest, formulation_id: int) -> HttpResponse:
    """Draft the integrated plan the formulation proposes, then open it for editing."""
    record = intake.get_formulation(actor(request), formulation_id)
    plan = plans.draft_plan(actor(request), record.pk)
    return redirect("clinic:plan", plan_id=plan.pk)
