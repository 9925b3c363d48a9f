"""What every portal page shares: the signed-in patient, their language, help now.

A portal page is reached only by a patient signed in through the portal
(``patient_page``); staff and everyone else are sent to the portal's sign-in, and a
patient never reaches a staff page (the clinic's pages need a staff record). The page
speaks the patient's chosen language (``PatientAccount.language``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext

from tandem.services import alerts, portal_accounts
from tandem.services.actors import Actor, client_ip
from tandem.storage.models import PatientAccount
from tandem.web.security import PORTAL_SESSION

JUST_TOLD = "tandem.portal.team_told"  # the care team was just alerted (help screen)


def portal_actor(request: HttpRequest) -> Actor | None:
    if not request.session.get(PORTAL_SESSION):
        return None
    return portal_accounts.patient_actor(request.user, client_ip(request))


def patient_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only for a patient signed in to the portal; the page speaks their language."""

    @functools.wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = portal_actor(request)
        account = portal_accounts.account_for(request.user) if actor else None
        if actor is None or account is None:
            return redirect("portal:sign_in")
        request.portal_actor = actor  # type: ignore[attr-defined]
        request.portal_account = account  # type: ignore[attr-defined]
        with translation.override(account.language):
            request.LANGUAGE_CODE = account.language
            return view(request, *args, **kwargs)

    return page


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a portal page with what every portal page shows."""
    account: PatientAccount | None = getattr(request, "portal_account", None)
    base = {"account": account, "portal_nav": account is not None}
    return render(request, template, {**base, **context}, status=status)


def clinic_phone(account: PatientAccount) -> tuple[str, bool]:
    """The clinic's phone and whether it is open now (the help screen shows the phone
    during opening hours; outside them it says when it is closed)."""
    from tandem.services.clock import get_clock

    org = account.patient.organization
    return org.phone, alerts.clinic_is_open(org, get_clock().now())


def carry_error(form: Any, exc: Any) -> None:
    """Put a service's refusal (``ValidationFailed``) on the field it names, or on the
    whole form, in the page's language when the service marked the message with ``N_``
    (docs/clinical/spanish.md); an unmarked message stays as written."""
    field = exc.field if exc.field in form.fields else None
    text = gettext(exc.message)
    message = text.split(": ", 1)[-1] if field else text
    form.add_error(field, message)
