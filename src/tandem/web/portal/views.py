"""Portal pages: sign in, enrol, today, the daily check-in, help now, settings.

After a check-in the person sees, in this order: the help screen when they said yes to
the safety question (their care team has been told, in the same transaction as the
answer); else their own coping steps after high craving or low mood (portal.md); else a
thank-you on today's page. Nothing about the check-in is lost if they leave the page: it
is saved before any of these is shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from tandem.services import (
    accounts,
    checkins,
    patient_plan,
    portal_accounts,
    portal_questionnaires,
    relapse_prevention,
    reminders,
)
from tandem.services.actors import client_ip
from tandem.services.calendar import patient_today
from tandem.services.errors import TooMany, ValidationFailed
from tandem.web.language import remember
from tandem.web.portal import authenticator
from tandem.web.portal.common import JUST_TOLD, carry_error, clinic_phone, page, patient_page
from tandem.web.portal.forms import CheckInForm, EnrolForm, PortalSignInForm, day_name
from tandem.web.security import PORTAL_SESSION, start_session_clock

FAILED = gettext_lazy("Sign-in did not work. Check your user name and password.")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """The portal's own sign-in: only patient accounts sign in here (staff use theirs)."""
    form = PortalSignInForm(request.POST or None)
    error = ""
    ip = client_ip(request)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"][:150]
        locked = accounts.login_locked(username, ip)
        if not locked:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is not None and portal_accounts.account_for(user) is not None:
                if accounts.has_confirmed_device(user):
                    return authenticator.start_code_step(request, user)
                return signed_in(request, user)
        accounts.record_login_failure(username, ip)
        locked = locked or accounts.login_locked(username, ip)
        error = _("Too many tries. Please wait 15 minutes.") if locked else str(FAILED)
    status = 400 if error or (form.is_bound and form.errors) else 200
    ended = request.GET.get("ended") == "1"
    return page(
        request, "portal/sign_in.html", {"form": form, "error": error, "ended": ended}, status
    )


def signed_in(request: HttpRequest, user: Any, device: Any = None) -> HttpResponse:
    """Sign a patient in (after the code, when they added an authenticator)."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    request.session[PORTAL_SESSION] = True
    start_session_clock(request)
    actor = portal_accounts.patient_actor(user, client_ip(request))
    account = portal_accounts.account_for(user)
    assert actor is not None  # checked by the caller
    assert account is not None
    accounts.record_login_success(actor)
    # The sign-in page speaks their language next time too (the language cookie).
    return remember(redirect("portal:today"), account.language)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:sign_in")


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Spend the clinic's code: choose a user name (first time) and a password."""
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = portal_accounts.enrol(
                data["code"],
                username=data["username"],
                password=data["password"],
                language=data["language"],
                ip=client_ip(request),
            )
        except TooMany as exc:
            form.add_error(None, _(exc.message))
        except ValidationFailed as exc:
            carry_error(form, exc)
        else:
            return signed_in(request, user)
    status = 400 if form.is_bound and form.errors else 200
    return page(request, "portal/enrol.html", {"form": form}, status)


@patient_page
def today(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    patient = account.patient
    done = checkins.today_checkin(patient)
    late = [d for d in checkins.open_days(patient) if d != patient_today(patient)]
    due = [
        q
        for q in portal_questionnaires.questionnaires(patient)
        if q.now.status == "due" and q.self_administrable
    ]
    context = {
        "done": done,
        "late_days": [(d.isoformat(), day_name(d, patient_today(patient))) for d in late],
        "thanks": request.GET.get("thanks") == "1",
        "due": due if portal_questionnaires.offered_in(account.language) else [],
    }
    return page(request, "portal/today.html", context)


@patient_page
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    actor = request.portal_actor  # type: ignore[attr-defined]
    patient = request.portal_account.patient  # type: ignore[attr-defined]
    today_ = patient_today(patient)
    open_days = checkins.open_days(patient)
    wanted = request.POST.get("on") or request.GET.get("day") or today_.isoformat()
    day = next((d for d in open_days if d.isoformat() == wanted), today_)
    form = CheckInForm(request.POST or None, day=day, today=today_)
    if request.method == "POST" and form.is_valid():
        raw = {k: v for k, v in form.cleaned_data.items() if v not in ("", None, [])}
        raw["on"] = day.isoformat()
        try:
            outcome = checkins.record_checkin(actor, patient.pk, raw)
        except ValidationFailed as exc:
            carry_error(form, exc)
        else:
            if outcome.help_first:
                request.session[JUST_TOLD] = True
                return redirect("portal:help")
            if outcome.coping:
                return redirect("portal:coping")
            return redirect(reverse("portal:today") + "?thanks=1")
    context = {
        "form": form,
        "day": day,
        "day_name": day_name(day, today_),
        "late": day != today_,
        "replacing": day not in open_days
        or (day == today_ and checkins.today_checkin(patient) is not None),
    }
    status = 400 if form.is_bound and form.errors else 200
    return page(request, "portal/check_in.html", context, status)


def _own_plan(patient: Any) -> Any:
    return relapse_prevention.latest(patient)


@patient_page
def help_now(request: HttpRequest) -> HttpResponse:
    """Help now: one tap from every portal page, and first after a "yes" to safety."""
    account = request.portal_account  # type: ignore[attr-defined]
    phone, is_open = clinic_phone(account)
    context = {
        "team_told": request.session.pop(JUST_TOLD, False),
        "clinic_phone": phone,
        "clinic_open": is_open,
        "plan": _own_plan(account.patient),
        "has_safety_plan": _has_safety_plan(account.patient),
    }
    return page(request, "portal/help.html", context)


def _has_safety_plan(patient: Any) -> bool:
    """Whether the signed plan holds a safety plan (portal.md: shown on the help screen)."""
    signed = patient_plan.signed_plan(patient)
    return bool(signed and signed.has("safety_plan"))


@patient_page
def coping(request: HttpRequest) -> HttpResponse:
    """Just-in-time coping (portal.md): the person's own steps and people to call."""
    account = request.portal_account  # type: ignore[attr-defined]
    return page(request, "portal/coping.html", {"plan": _own_plan(account.patient)})


@patient_page
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Language; the optional daily reminder (only after the patient opts in, issue
    10); and a key for an app that checks in for the patient (shown once)."""
    actor = request.portal_actor  # type: ignore[attr-defined]
    if request.method == "POST" and request.POST.get("action") in ("reminder_on", "reminder_off"):
        on = request.POST["action"] == "reminder_on"
        try:
            reminders.set_reminder(
                actor,
                email=request.POST.get("reminder_email", ""),
                time=request.POST.get("reminder_time", ""),
                on=on,
            )
        except ValidationFailed as exc:
            context = {"reminder_error": exc.message, "reminder_field": exc.field, **_auth(request)}
            return page(request, "portal/settings.html", context, 400)
        return redirect("portal:settings")
    if request.method == "POST" and request.POST.get("action") == "token":
        token = portal_accounts.create_patient_api_token(actor, label="portal settings")
        return page(request, "portal/settings.html", {"token": token, **_auth(request)})
    if request.method == "POST" and "language" in request.POST:
        try:
            account = portal_accounts.set_language(actor, request.POST["language"])
        except ValidationFailed as exc:
            context = {"error": exc.message, **_auth(request)}
            return page(request, "portal/settings.html", context, 400)
        return remember(redirect("portal:settings"), account.language)
    return page(request, "portal/settings.html", _auth(request))


def _auth(request: HttpRequest) -> dict[str, Any]:
    return {"has_authenticator": accounts.has_confirmed_device(request.user)}
