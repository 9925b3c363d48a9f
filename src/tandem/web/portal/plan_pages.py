"""My plan (portal.md): the signed plan in the patient's words, and the
relapse-prevention plan the patient keeps with their clinician (every change a new
version, ``services.relapse_prevention``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tandem.services import patient_plan, relapse_prevention
from tandem.services.errors import ValidationFailed
from tandem.web.portal.common import carry_error, page, patient_page
from tandem.web.portal.forms import RelapsePreventionForm
from tandem.web.portal.wording import plan_line


@patient_page
def my_plan(request: HttpRequest) -> HttpResponse:
    actor = request.portal_actor  # type: ignore[attr-defined]
    account = request.portal_account  # type: ignore[attr-defined]
    signed = patient_plan.my_plan(actor, account.patient.pk)
    context = {
        "signed": signed,
        "lines": [plan_line(item, account.language) for item in signed.items] if signed else [],
        "has_safety_plan": bool(signed and signed.has("safety_plan")),
        "rp": relapse_prevention.latest(account.patient),
        "saved": request.GET.get("saved") == "1",
    }
    return page(request, "portal/plan.html", context)


@patient_page
@require_http_methods(["GET", "POST"])
def edit_relapse_prevention(request: HttpRequest) -> HttpResponse:
    actor = request.portal_actor  # type: ignore[attr-defined]
    patient = request.portal_account.patient  # type: ignore[attr-defined]
    rp = relapse_prevention.latest(patient)
    initial = {name: getattr(rp, name) for name in relapse_prevention.FIELDS} if rp else {}
    form = RelapsePreventionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            relapse_prevention.save_version(actor, patient.pk, form.cleaned_data)
        except ValidationFailed as exc:
            carry_error(form, exc)
        else:
            return redirect(reverse("portal:plan") + "?saved=1#rp-title")
    status = 400 if form.is_bound and form.errors else 200
    return page(request, "portal/plan_edit.html", {"form": form, "rp": rp}, status)
