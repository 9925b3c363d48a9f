"""Inviting a patient to the patient portal from the chart (issue 10): a one-use code
shown once, on a page that can be printed and handed over."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from tandem.services import portal_accounts
from tandem.services.errors import ValidationFailed
from tandem.web.clinic import errors
from tandem.web.clinic.views.common import actor, page


@login_required
@require_POST
def invite(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Issue a new sign-in code and show it once. POST only, and the answer is never
    cached: the code never goes in a URL, a redirect or a log."""
    try:
        account, code, expires = portal_accounts.invite(actor(request), patient_id)
    except ValidationFailed as error:
        return errors.bad_request(request, error.message)
    context = {
        "patient": account.patient,
        "code": code,
        "expires": expires,
        "hours": portal_accounts.CODE_HOURS,
        "enrol_url": f"{settings.CONFIG.base_url}/me/enrol",
        "first_time": account.user_id is None,
    }
    return page(request, "portal_invite.html", context)
