"""The patient's optional authenticator (issue 10: "may add an authenticator, optional
for patients").

A patient adds one from Settings: a QR code (and the key as text) for any TOTP app, then
the first 6-digit code confirms it. From then on the portal's sign-in asks for a code
after the password, and a portal session without a verified code is ended
(``web.security``). Removing it needs a current code. Wrong codes count toward the
sign-in throttle, as for staff.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.services import accounts
from tandem.services.actors import client_ip
from tandem.services.clock import get_clock
from tandem.web.accounts.forms import CodeForm
from tandem.web.portal.common import page, patient_page

PENDING = "tandem.portal.pending_user"  # passed the password; the code is still due
PENDING_AT = "tandem.portal.pending_at"
PENDING_SECONDS = 300  # as for staff (web.accounts.views)


def _code_ok(request: HttpRequest, user: Any, device: Any, form: CodeForm) -> bool:
    ip = client_ip(request)
    if accounts.login_locked(user.get_username(), ip):
        return False
    if form.is_valid() and device.verify_token(form.cleaned_data["code"]):
        return True
    accounts.record_login_failure(user.get_username(), ip)
    return False


@patient_page
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    """Show the QR code of a new (unconfirmed) device; its first code confirms it."""
    user = request.user
    device = accounts.totp_device(user)
    if device.confirmed:
        return redirect("portal:settings")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if _code_ok(request, user, device, form):
            accounts.confirm_totp_device(request.portal_actor, device)  # type: ignore[attr-defined]
            otp_login(request, device)
            return redirect("portal:settings")
        error = _("That code did not work. Wait for the next one and try again.")
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    context = {
        "form": form,
        "error": error,
        "qr_svg": mark_safe(svg),  # noqa: S308  (segno's SVG of the device URI, no user input)
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }
    return page(request, "portal/authenticator.html", context, 400 if error else 200)


@patient_page
@require_http_methods(["POST"])
def remove(request: HttpRequest) -> HttpResponse:
    """Remove the authenticator; a current code proves it is the patient."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    form = CodeForm(request.POST)
    if device is None:
        return redirect("portal:settings")
    if not _code_ok(request, request.user, device, form):
        error = _("That code did not work, so the authenticator was kept.")
        context = {"auth_error": error, "has_authenticator": True}
        return page(request, "portal/settings.html", context, 400)
    accounts.remove_totp_devices(request.portal_actor)  # type: ignore[attr-defined]
    return redirect("portal:settings")


def start_code_step(request: HttpRequest, user: Any) -> HttpResponse:
    """After the password, for a patient with an authenticator: ask for the code."""
    request.session.cycle_key()
    request.session[PENDING] = user.pk
    request.session[PENDING_AT] = get_clock().now().timestamp()
    return redirect("portal:sign_in_code")


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    from tandem.web.portal.views import signed_in  # the portal's one way to sign in

    user_id = request.session.get(PENDING)
    started = float(request.session.get(PENDING_AT, 0))
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or get_clock().now().timestamp() - started > PENDING_SECONDS:
        return redirect("portal:sign_in")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("portal:sign_in")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if _code_ok(request, user, device, form):
            request.session.pop(PENDING, None)
            request.session.pop(PENDING_AT, None)
            return signed_in(request, user, device)
        error = _("That code did not work. Wait for the next one and try again.")
    context = {"form": form, "error": error}
    return page(request, "portal/sign_in_code.html", context, 400 if error else 200)
