"""The integrated plan: edit who, how often, measured how, aiming at what; save or sign
in one form (a separate signing form lost unsaved edits).

Which interventions and why come from the formulation (ruleset-v1.md s9) and are not
edited here. Each save carries the plan's version; a stale one is refused (409) with a
message, never silently overwritten (services.plans).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tandem.services import placement, plans
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, ValidationFailed
from tandem.storage.models import CarePlan, StaffMember
from tandem.web.clinic import errors
from tandem.web.clinic.forms import AgreementForm, InterventionFormSet, PlanForm
from tandem.web.clinic.views.common import LEVEL_NAMES, actor, page, risk_panel


def _staff(plan: CarePlan) -> list[StaffMember]:
    """Who may be named responsible: the patient's care team, less administrators."""
    return plans.responsible_choices(plan.patient)


def _forms(data: Any, plan: CarePlan, stored: list[Any]) -> tuple[PlanForm, Any]:
    review = plan.review_on or plans.default_review_on()
    head = PlanForm(data, initial={"review_on": review, "version": plan.version})
    today = get_clock().today()
    head.fields["review_on"].widget.attrs.update(
        min=today.isoformat(),
        max=(today + dt.timedelta(days=plans.REVIEW_MAX_DAYS)).isoformat(),
    )
    initial = [
        {
            "responsible": i.responsible_id,
            "frequency": i.frequency,
            "measure": i.measure,
            "target": i.target,
        }
        for i in stored
    ]
    rows = InterventionFormSet(
        data, prefix="iv", initial=initial, form_kwargs={"staff": _staff(plan)}
    )
    return head, rows


def _render(
    request: HttpRequest,
    plan: CarePlan,
    head: PlanForm,
    rows: Any,
    stored: list[Any],
    problem: str = "",
    agreement_form: AgreementForm | None = None,
) -> HttpResponse:
    output = plan.formulation.output
    if len(rows.forms) != len(stored):  # a tampered or stale form: show the stored rows
        head.add_error(None, "The plan changed while you were editing; reload it.")
        rows = _forms(None, plan, stored)[1]
    context = {
        "plan": plan,
        "patient": plan.patient,
        "head": head,
        "rows": list(zip(rows.forms, stored, strict=True)),
        "formset": rows,
        "risk": risk_panel(plan.patient, output),
        "level": LEVEL_NAMES.get(plans.decided_level(plan.formulation), ""),
        "review_max_days": plans.REVIEW_MAX_DAYS,
        "team": _staff(plan),
        "agreement_form": agreement_form
        or AgreementForm(initial={"agreed_on": get_clock().today(), "version": plan.version}),
        "decision": placement.latest_placement(plan.formulation),
        "problem": problem,
    }
    failed = (
        bool(problem)
        or (head.is_bound and (bool(head.errors) or bool(rows.total_error_count())))
        or (agreement_form is not None and bool(agreement_form.errors))
    )
    return page(request, "plan.html", context, status=400 if failed else 200)


@login_required
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET: the plan to edit. POST: save a new version of it."""
    loaded = plans.get_plan(actor(request), plan_id)
    stored = list(loaded.interventions.all())
    head, rows = _forms(request.POST if request.method == "POST" else None, loaded, stored)
    if request.method == "POST" and head.is_valid() and rows.is_valid():
        if len(rows.forms) != len(stored):
            return _render(request, loaded, head, rows, stored)
        items = [form.as_item(item) for form, item in zip(rows.forms, stored, strict=True)]
        try:
            plans.update_plan(
                actor(request),
                loaded.pk,
                expected_version=head.cleaned_data["version"],
                interventions=items,
                review_on=head.cleaned_data["review_on"],
                sign="sign" in request.POST,
            )
        except (ValidationFailed, Conflict) as error:
            _attach(error, head, rows)
        else:
            return redirect("clinic:plan", plan_id=loaded.pk)
    return _render(request, loaded, head, rows, stored)


def _attach(error: ValidationFailed | Conflict, head: PlanForm, rows: Any) -> None:
    """Put a plan error on its row and field (``interventions[2].responsible``)."""
    targets: dict[str, Any] = {"review_on": (head, "review_on"), "expected_version": (head, None)}
    for index, form in enumerate(rows.forms):
        targets[f"interventions[{index}]"] = (form, None)
        for name in form.fields:
            targets[f"interventions[{index}].{name}"] = (form, name)
    errors.attach(ValidationFailed(error.message, error.field), targets, head)


@login_required
@require_POST
def sign(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Sign the plan as it was shown (its version): responsible staff and review date needed."""
    loaded = plans.get_plan(actor(request), plan_id)
    try:
        version = int(request.POST.get("version", ""))
        plans.sign_plan(actor(request), loaded.pk, expected_version=version)
    except (ValueError, ValidationFailed, Conflict) as error:
        stored = list(loaded.interventions.all())
        head, rows = _forms(None, loaded, stored)
        message = getattr(error, "message", "the form is missing its version")
        return _render(request, loaded, head, rows, stored, problem=f"Not signed: {message}")
    return redirect("clinic:plan", plan_id=loaded.pk)


@login_required
@require_POST
def agreement(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Record that the signed plan was reviewed with the patient, and how they agreed."""
    loaded = plans.get_plan(actor(request), plan_id)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            plans.record_agreement(
                actor(request), loaded.pk,
                expected_version=form.cleaned_data["version"],
                agreed_on=form.cleaned_data["agreed_on"],
                agreement=form.cleaned_data["agreement"],
                agreement_name=form.cleaned_data["agreement_name"],
            )  # fmt: skip
        except (ValidationFailed, Conflict) as error:
            errors.attach(ValidationFailed(error.message, error.field),
                          {n: (form, n) for n in form.fields}, form)  # fmt: skip
        else:
            return redirect("clinic:plan", plan_id=loaded.pk)
    stored = list(loaded.interventions.all())
    head, rows = _forms(None, loaded, stored)
    return _render(request, loaded, head, rows, stored, agreement_form=form)
