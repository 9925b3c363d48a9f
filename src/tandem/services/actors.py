"""Who is acting, from where: what every service needs for access checks and audit.

An ``Actor`` is built once at the edge (``Actor.from_request`` for a signed-in session,
``tandem.api.auth`` for an API token, ``Actor(user, via="cli")`` for the command line)
and passed to services, which never guess what they were given (issue 9 item 4). Its
``kind`` is ``staff`` (a role in one clinic) or ``patient`` (reaching only their own
records: ``patient_id``; the patient portal signs them in). For a patient actor every
record but their own is missing (404), and no staff action is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings

from tandem.services.errors import NotFound
from tandem.storage.models import StaffMember


@dataclass(frozen=True)
class Actor:
    """A signed-in user, their address and the channel (web, api, cli); staff or patient."""

    user: Any
    ip: str = ""
    via: str = "web"
    kind: Literal["staff", "patient"] = "staff"
    patient_id: int | None = None  # the patient's own record, for kind "patient"

    @classmethod
    def from_request(cls, request: Any, via: str = "web") -> Actor:
        """The actor of a signed-in web request (user and client address)."""
        return cls(user=request.user, ip=client_ip(request), via=via)

    @classmethod
    def patient(cls, user: Any, patient_id: int, ip: str = "", via: str = "web") -> Actor:
        """A patient acting for themselves (the portal's sign-in builds it)."""
        return cls(user=user, ip=ip, via=via, kind="patient", patient_id=patient_id)

    @property
    def name(self) -> str:
        if self.user is None or not getattr(self.user, "is_authenticated", False):
            return "anonymous"
        return str(self.user.get_username())

    @property
    def staff(self) -> StaffMember | None:
        """The user's staff record, or None (cached on the user object); None for a patient."""
        user = self.user
        if self.kind != "staff" or user is None or not getattr(user, "is_authenticated", False):
            return None
        if not hasattr(user, "_tandem_staff"):
            user._tandem_staff = (
                StaffMember.objects.select_related("organization").filter(user=user).first()
            )
        staff: StaffMember | None = user._tandem_staff
        return staff if staff is not None and user.is_active else None

    def require_staff(self) -> StaffMember:
        staff = self.staff
        if staff is None:
            raise NotFound()
        return staff


def client_ip(request: Any) -> str:
    """The client's address, "from where" in the audit log.

    With ``TANDEM_TRUSTED_PROXY_COUNT`` = N > 0 (N reverse proxies that each append the
    address they saw to X-Forwarded-For), the client is the Nth entry from the right: the
    entries further left were written by the client and cannot be trusted. With 0 (the
    default, no proxy) or a header too short for N, REMOTE_ADDR is used.
    """
    meta = request.META
    proxies = int(getattr(settings, "TANDEM_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        hops = [h.strip() for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies][:45]
    return str(meta.get("REMOTE_ADDR", ""))[:45]


def as_actor(actor: Actor) -> Actor:
    """The actor a service was given; anything else is a programming error (the edge
    builds the Actor: ``Actor.from_request``, the API's token auth, the CLI)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"services take an Actor built at the edge, not {type(actor).__name__}")
    return actor
