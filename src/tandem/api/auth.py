"""Bearer-token authentication for staff (tokens from ``tandem token create``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from tandem.services.accounts import user_for_token
from tandem.services.actors import Actor, client_ip


class StaffToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        return user_for_token(token)


def actor(request: HttpRequest) -> Actor:
    """The token's staff user, with the client address, for services and audit."""
    return Actor(user=request.auth, ip=client_ip(request), via="api")  # type: ignore[attr-defined]
