"""Sign in (password, then TOTP), enrol a TOTP device, sign out.

Failures, for known and unknown names alike, get one message and count toward the
throttle (``tandem.services.accounts``). The password step never signs the user in
outside demo mode: only a valid, unused TOTP code does (SECURITY.md).
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.services import accounts
from tandem.services.actors import Actor, client_ip
from tandem.services.clock import get_clock
from tandem.web.accounts.forms import CodeForm, EnrolmentCodeForm, SignInForm
from tandem.web.security import start_session_clock

FAILED = "Sign-in failed. Check your user name and password."
# Only once the name is locked (services.accounts: after repeated failures, known and
# unknown names alike, so the message reveals nothing about an account).
LOCKED = "Too many failed sign-ins for this name. Try again in 15 minutes."
PENDING = "tandem.pending_user"
PENDING_AT = "tandem.pending_at"
PENDING_NEXT = "tandem.pending_next"
ENROLLING = "tandem.enrolling_user"  # set once an enrolment code was spent (this session)
PENDING_SECONDS = 300  # the password step is valid for 5 minutes (the program's choice)


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _ip(request: HttpRequest) -> str:
    return client_ip(request)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():  # an empty field is named, not counted
        username = str(request.POST.get("username", ""))[:150]
        # Both throttles are checked before the password is hashed (PBKDF2 is the cost).
        locked = accounts.login_locked(username, _ip(request))
        if not locked:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is not None and hasattr(user, "staff"):
                return _password_passed(request, user)
        accounts.record_login_failure(username, _ip(request))
        error = LOCKED if locked or accounts.login_locked(username, _ip(request)) else FAILED
    context = {"form": form, "error": error, "ended": request.GET.get("ended") == "1"}
    failed = bool(error) or (form.is_bound and bool(form.errors))
    return render(request, "accounts/login.html", context, status=400 if failed else 200)


def _password_passed(request: HttpRequest, user: Any) -> HttpResponse:
    next_url = _next_url(request, request.GET.get("next"))
    if settings.TANDEM_DEMO:
        return _complete_sign_in(request, user, device=None, next_url=next_url)
    request.session.cycle_key()
    request.session[PENDING] = user.pk
    request.session[PENDING_AT] = get_clock().now().timestamp()
    request.session[PENDING_NEXT] = next_url
    return redirect("accounts:mfa")


def _complete_sign_in(
    request: HttpRequest, user: Any, device: TOTPDevice | None, next_url: str
) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    start_session_clock(request)
    accounts.record_login_success(Actor.from_request(request))
    return HttpResponseRedirect(next_url)


def _pending_user(request: HttpRequest) -> Any | None:
    user_id = request.session.get(PENDING)
    started = request.session.get(PENDING_AT, 0)
    if user_id is None or get_clock().now().timestamp() - started > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if request.session.get(ENROLLING) != user.pk and not accounts.has_confirmed_device(user):
        # First enrolment needs a one-time code from an admin or the operator: the
        # password alone must never be enough to bind an authenticator to the account.
        return _enrolment_code(request, user)
    device = accounts.totp_device(user)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        locked = accounts.login_locked(user.get_username(), _ip(request))
        if not locked and form.is_valid() and device.verify_token(form.cleaned_data["code"]):
            if not device.confirmed:
                accounts.confirm_totp_device(Actor(user, _ip(request)), device)
            next_url = request.session.get(PENDING_NEXT) or reverse(settings.LOGIN_REDIRECT_URL)
            request.session.pop(ENROLLING, None)
            return _complete_sign_in(request, user, device, next_url)
        accounts.record_login_failure(user.get_username(), _ip(request))
        error = "That code did not work. Codes can be used once; wait for the next one."
    context = {"form": form, "error": error, "enrol": not device.confirmed}
    if not device.confirmed:
        # SVG markup made by segno from the device's otpauth URI: no script, CSP-safe.
        svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["qr_svg"] = mark_safe(svg)  # noqa: S308  (generated SVG, no user input)
        # The same secret as text, for people who cannot scan (base32, as apps expect).
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/mfa.html", context, status=400 if error else 200)


def _enrolment_code(request: HttpRequest, user: Any) -> HttpResponse:
    form = EnrolmentCodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        locked = accounts.login_locked(user.get_username(), _ip(request))
        raw = form.cleaned_data["enrolment_code"] if form.is_valid() else ""
        if not locked and raw and accounts.redeem_enrolment_code(user, raw, _ip(request)):
            request.session[ENROLLING] = user.pk
            return redirect("accounts:mfa")
        accounts.record_login_failure(user.get_username(), _ip(request))
        error = "That enrolment code did not work. Codes work once, for 72 hours."
    context = {"form": form, "error": error}
    return render(request, "accounts/enrolment_code.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def enrolment_code_for_staff(request: HttpRequest, staff_id: int) -> HttpResponse:
    """An admin issues a one-time enrolment code for a staff member of their clinic (GET
    asks, POST issues and shows the code once; never cached, as every /accounts/ page)."""
    target = accounts.staff_for_enrolment(Actor.from_request(request), staff_id)
    code = ""
    if request.method == "POST":
        code = accounts.issue_enrolment_code(Actor.from_request(request), target.pk)
    context = {"target": target, "code": code}
    return render(request, "accounts/issue_enrolment_code.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        accounts.record_logout(Actor.from_request(request))
    logout(request)
    return redirect("accounts:login")
