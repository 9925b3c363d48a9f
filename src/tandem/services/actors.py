"""Who is acting, from where: what every service needs for access checks and audit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from tandem.services.errors import NotFound
from tandem.storage.models import StaffMember


@dataclass(frozen=True)
class Actor:
    """A signed-in user (maybe staff), their address and the channel (web, api, cli)."""

    user: Any
    ip: str = ""
    via: str = "web"

    @property
    def name(self) -> str:
        if self.user is None or not getattr(self.user, "is_authenticated", False):
            return "anonymous"
        return str(self.user.get_username())

    @property
    def staff(self) -> StaffMember | None:
        """The user's staff record, or None (cached on the user object)."""
        user = self.user
        if user is None or not getattr(user, "is_authenticated", False):
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


def as_actor(who: Any, via: str = "web") -> Actor:
    """An Actor from an Actor, an HttpRequest (user + client address) or a User."""
    if isinstance(who, Actor):
        return who
    if hasattr(who, "META") and hasattr(who, "user"):
        return Actor(user=who.user, ip=client_ip(who), via=via)
    return Actor(user=who, via=via)
