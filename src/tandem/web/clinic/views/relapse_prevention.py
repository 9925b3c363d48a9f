"""The relapse-prevention plan on the clinician's side (portal.md "My plan"): the chart
shows the newest version (who wrote it, when); a clinician who may edit plans
(``plan.edit``) saves a new version here. The rules are ``services.relapse_prevention``'.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tandem.services import access, permissions, relapse_prevention
from tandem.services.errors import Forbidden, ValidationFailed
from tandem.web.clinic import errors
from tandem.web.clinic.views.common import actor, form_status, page, staff_of
from tandem.web.portal.forms import RelapsePreventionForm

REFUSED = "Your role may not edit plans."


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET: the newest version in a form. POST: save it as a new version."""
    who = actor(request)
    patient = access.access_patient(who, patient_id, action="relapse_prevention.view")
    if not permissions.may(staff_of(request), "plan.edit"):
        return errors.forbidden(request, REFUSED)
    latest = relapse_prevention.latest(patient)
    initial = {n: getattr(latest, n) for n in relapse_prevention.FIELDS} if latest else {}
    form = RelapsePreventionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            relapse_prevention.save_version(who, patient.pk, form.cleaned_data)
        except Forbidden:
            return errors.forbidden(request, REFUSED)
        except ValidationFailed as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message.split(": ", 1)[-1] if field else exc.message)
        else:
            return redirect(reverse("clinic:chart", args=[patient.pk]) + "#c-rp")
    context = {"patient": patient, "form": form, "latest": latest}
    return page(request, "relapse_prevention.html", context, form_status(form))
