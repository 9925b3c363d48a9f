"""The patient's care team: who may see the patient (docs/adr/0002-access.md).

Directors, admins and the patient's intake clinician add or remove staff of the same
clinic (services.patients: checked and audited there). Staff ids travel in the POST
body, never in the URL.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tandem.services import patients
from tandem.services.errors import ValidationFailed
from tandem.web.clinic.views.common import actor, page, risk_panel, staff_of, words

CHANGES = {"add": patients.add_to_care_team, "remove": patients.remove_from_care_team}


@login_required
def care_team(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET: the team and the clinic's other staff. POST: add or remove one member."""
    problem = ""
    if request.method == "POST":
        change = CHANGES.get(request.POST.get("change", ""))
        try:
            if change is None:
                raise ValidationFailed("change: expected add or remove", "change")
            change(actor(request), patient_id, _staff_id(request))
        except ValidationFailed as error:
            problem = error.message
        else:
            return redirect("clinic:care_team", patient_id=patient_id)
    patient, members, others = patients.care_team(actor(request), patient_id)
    context = {
        "patient": patient,
        "members": [(m, words(m.role)) for m in members],
        "others": [(m, words(m.role)) for m in others],
        "problem": problem,
        "risk": risk_panel(patient),
        "may_manage": patients.may_manage_care_team(staff_of(request), patient),
    }
    return page(request, "care_team.html", context, status=400 if problem else 200)


def _staff_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("staff", ""))
    except ValueError:
        raise ValidationFailed("staff: choose a staff member", "staff") from None
