"""The clinic's administration: staff (list, invite, role, deactivate), settings, and
the alert settings (opening hours, on-call roster, escalation time).

Admins change staff and settings; directors read them, and keep the alert settings
(with admins); other roles are told their role cannot (403).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tandem.services import clinic_admin, clinic_hours
from tandem.services.errors import NotFound, ValidationFailed
from tandem.web.clinic import errors
from tandem.web.clinic.forms import AlertSettingsForm, ClinicSettingsForm, InviteStaffForm
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
               "phone": clinic.phone}  # fmt: skip
    form = ClinicSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_admin.update_settings(actor(request), **form.cleaned_data)
        except ValidationFailed as error:
            errors.attach(error, {n: (form, n) for n in form.fields}, form)
        else:
            return redirect("clinic:admin_settings")
    alert_settings = clinic_hours.read_settings(actor(request))
    context = {"clinic": clinic, "form": form, "nav": "admin", "alert_settings": alert_settings}
    return page(request, "admin_settings.html", context, status=form_status(form))


@login_required
def alert_settings(request: HttpRequest) -> HttpResponse:
    """GET: opening hours, on-call roster, escalation time. POST: save them (directors
    and admins; services.clinic_hours checks everything before saving anything)."""
    who = actor(request)
    current = clinic_hours.read_settings(who)
    clinicians = clinic_hours.on_call_candidates(current.organization.pk)
    form = AlertSettingsForm(request.POST or None, clinicians=clinicians,
                             initial=_alert_initial(current))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            hours, on_call = _week_values(form.cleaned_data)
            clinic_hours.update_settings(
                who, hours=hours, on_call=on_call,
                escalation_minutes=form.cleaned_data["escalation_minutes"],
            )  # fmt: skip
        except ValidationFailed as error:
            errors.attach(error, {n: (form, n) for n in form.fields}, form)
        else:
            return redirect("clinic:admin_alert_settings")
    context = {"current": current, "form": form, "nav": "admin"}
    return page(request, "admin_alert_settings.html", context, status=form_status(form))


def _alert_initial(current: clinic_hours.AlertSettings) -> dict[str, object]:
    initial: dict[str, object] = {"escalation_minutes": current.escalation_minutes}
    for d, day in current.hours.items():
        initial[f"closed_{d}"] = day.closed
        initial[f"opens_{d}"] = day.opens
        initial[f"closes_{d}"] = day.closes
        person = current.on_call.get(d)
        initial[f"on_call_{d}"] = str(person.pk) if person is not None else ""
    return initial


def _week_values(
    data: dict[str, object],
) -> tuple[dict[int, clinic_hours.DayHours], dict[int, object]]:
    """The form's fields as the service's arguments (a day marked closed has no hours)."""
    hours = {
        d: clinic_hours.DayHours(d)
        if data.get(f"closed_{d}")
        else clinic_hours.DayHours(d, _time(data.get(f"opens_{d}")), _time(data.get(f"closes_{d}")))
        for d in range(7)
    }
    on_call = {d: data.get(f"on_call_{d}") or None for d in range(7)}
    return hours, on_call


def _time(value: object) -> dt.time | None:
    return value if isinstance(value, dt.time) else None
