"""The clinic's administration: staff (list, invite, role, deactivate) and settings.

Admins change them; directors read them; other roles are told their role cannot (403).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tandem.services import clinic_admin
from tandem.services.errors import NotFound, ValidationFailed
from tandem.web.clinic import errors
from tandem.web.clinic.forms import ClinicSettingsForm, InviteStaffForm
from tandem.web.clinic.views.common import actor, form_status, page


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    """GET: the clinic's staff. POST: invite a new staff member."""
    clinic, members = clinic_admin.list_staff(actor(request))
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_admin.invite_staff(actor(request), **form.cleaned_data)
        except ValidationFailed as error:
            errors.attach(error, {n: (form, n) for n in form.fields}, form)
        else:
            return redirect("clinic:admin_staff")
    context = {"clinic": clinic, "members": members, "form": form, "nav": "admin"}
    return page(request, "admin_staff.html", context, status=form_status(form))


@login_required
@require_POST
def staff_change(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Change one account: ``change=role`` (with ``role``) or ``change=deactivate``."""
    change = request.POST.get("change", "")
    try:
        clinic_admin.member_of_clinic(actor(request), staff_id)  # 404 first, whoever asks
        if change == "role":
            clinic_admin.set_role(actor(request), staff_id, str(request.POST.get("role", "")))
        elif change == "deactivate":
            clinic_admin.deactivate(actor(request), staff_id)
        else:
            raise ValidationFailed("change: expected role or deactivate", "change")
    except NotFound:
        raise Http404() from None
    except ValidationFailed as error:
        return errors.bad_request(request, error.message)
    return redirect("clinic:admin_staff")


@login_required
def settings(request: HttpRequest) -> HttpResponse:
    """GET: the clinic's settings. POST: save them (admins)."""
    clinic, _members = clinic_admin.list_staff(actor(request))
    initial = {"levels_offered": clinic.levels_offered, "time_zone": clinic.time_zone,
               "phone": clinic.phone, "escalation_minutes": clinic.escalation_minutes}  # fmt: skip
    form = ClinicSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_admin.update_settings(actor(request), **form.cleaned_data)
        except ValidationFailed as error:
            errors.attach(error, {n: (form, n) for n in form.fields}, form)
        else:
            return redirect("clinic:admin_settings")
    context = {"clinic": clinic, "form": form, "nav": "admin"}
    return page(request, "admin_settings.html", context, status=form_status(form))
