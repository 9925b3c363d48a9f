"""Bearer-token authentication: staff tokens (``tandem token create``) and patient
tokens (``services.portal_accounts.create_patient_api_token``).

Each token is turned into an ``Actor`` here, once, and the operations pass it on:

- ``StaffToken`` guards every staff endpoint (the API's default). A patient token gets
  404 there, audited as ``api.staff_only`` "denied": to a patient, everything that is
  not their own ``/me/`` is missing, as in the services' access rules.
- ``PatientToken`` guards ``/me/``. A staff token gets 403 ``forbidden``: the path names
  no record, so there is nothing to hide, and the client learns it used the wrong token.
- No token, an unknown, expired or revoked one: 401 ``unauthenticated``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from tandem.services.accounts import actor_for_token
from tandem.services.actors import Actor, client_ip
from tandem.services.audit import record_event
from tandem.services.errors import Forbidden, NotFound


class StaffToken(HttpBearer):
    """A staff member's token (``tandem token create USERNAME``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        who = actor_for_token(token, client_ip(request))
        if who is not None and who.kind != "staff":
            record_event(
                who,
                "api.staff_only",
                patient_id=_path_patient_id(request),
                record_type="api",
                outcome="denied",
            )
            raise NotFound()
        return who


class PatientToken(HttpBearer):
    """A patient's token for their own portal account (``/api/v1/me/`` only)."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        who = actor_for_token(token, client_ip(request))
        if who is not None and who.kind != "patient":
            raise Forbidden("/me/ is for a patient's own token; staff use /patients/{id}/")
        return who


def _path_patient_id(request: HttpRequest) -> int | None:
    """The patient id a refused request named in its path, for the audit event."""
    match = request.resolver_match
    value: Any = match.kwargs.get("patient_id") if match is not None else None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def actor(request: HttpRequest) -> Actor:
    """The actor the request's token speaks for (built by the token's authentication)."""
    who = request.auth  # type: ignore[attr-defined]  # set by ninja after authentication
    if not isinstance(who, Actor):
        raise TypeError("an API operation ran without an authenticated actor")
    return who
