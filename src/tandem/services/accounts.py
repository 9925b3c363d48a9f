"""Clinics, staff accounts, sign-in throttling and API tokens.

Throttling (SECURITY.md "Access and identity"): after 5 failed sign-ins for one account
name, that name is locked for 15 minutes (the lock length is the program's own choice).
Failures are counted under a keyed hash of the lower-cased name, so unknown names are
throttled exactly like real ones and the answer never reveals which names exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from tandem.services.actors import Actor, as_actor
from tandem.services.audit import record_event
from tandem.services.clock import get_clock
from tandem.services.errors import ValidationFailed
from tandem.storage.models import LEVELS, ROLES, ApiToken, LoginThrottle, Organization, StaffMember

MAX_FAILURES = 5  # SECURITY.md: throttled after 5 failures per account
LOCK_MINUTES = 15  # the program's own choice
TOKEN_PREFIX = "tdm_"  # noqa: S105  (a public prefix, not a secret)


def ensure_organization(*, slug: str, name: str, levels_offered: list[str]) -> Organization:
    """Create the clinic, or update its name and levels (idempotent; used by the demo)."""
    bad = [level for level in levels_offered if level not in LEVELS]
    if bad:
        raise ValidationFailed(f"levels_offered: expected any of {', '.join(LEVELS)}", "levels")
    with transaction.atomic():
        org, _ = Organization.objects.update_or_create(
            slug=slug, defaults={"name": name, "levels_offered": list(levels_offered)}
        )
        record_event(None, "organization.save", record_type="organization", record_id=org.pk)
    return org


def ensure_staff(
    *,
    organization: Organization,
    username: str,
    role: str,
    password: str | None,
    display_name: str = "",
) -> StaffMember:
    """Create a staff account (or reset its role and password); idempotent.

    ``password=None`` leaves the account without a usable password (sign-in disabled).
    """
    if role not in ROLES:
        raise ValidationFailed(f"role: expected one of {', '.join(ROLES)}", "role")
    user_model = get_user_model()
    with transaction.atomic():
        user, created = user_model.objects.get_or_create(username=username)
        if password is None:
            if created or user.has_usable_password():
                user.set_unusable_password()
                user.save()
        elif created or not user.check_password(password):
            user.set_password(password)
            user.save()
        staff, _ = StaffMember.objects.update_or_create(
            user=user,
            defaults={"organization": organization, "role": role, "display_name": display_name},
        )
        record_event(None, "staff.save", record_type="staff", record_id=staff.pk)
    return staff


def _account_key(username: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, username.strip().lower().encode(), hashlib.sha256).hexdigest()


def login_locked(username: str) -> bool:
    """Whether sign-in for this name is locked (same answer for unknown names)."""
    row = LoginThrottle.objects.filter(account_key=_account_key(username)).first()
    return bool(row and row.locked_until and row.locked_until > get_clock().now())


def record_login_failure(username: str, ip: str = "") -> None:
    now = get_clock().now()
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(
            account_key=_account_key(username)
        )
        if row.locked_until and row.locked_until <= now:
            row.failures = 0
            row.locked_until = None
        row.failures = F("failures") + 1
        row.last_failure_at = now
        row.save()
        row.refresh_from_db()
        if row.failures >= MAX_FAILURES and row.locked_until is None:
            row.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            row.save(update_fields=["locked_until"])
        record_event(Actor(None, ip), "login", record_type="account", outcome="denied")


def record_login_success(who: Any) -> None:
    actor = as_actor(who)
    with transaction.atomic():
        LoginThrottle.objects.filter(account_key=_account_key(actor.name)).delete()
        record_event(actor, "login", record_type="account")


def create_api_token(who: Any, label: str = "") -> str:
    """A new API token for the actor's staff account; the raw value is shown once."""
    actor = as_actor(who, via="cli")
    staff = actor.require_staff()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            staff=staff,
            digest=hashlib.sha256(raw.encode()).hexdigest(),
            label=label[:100],
            created_at=get_clock().now(),
        )
        record_event(actor, "token.create", record_type="token", record_id=token.pk)
    return raw


def create_api_token_for(username: str, label: str = "") -> str:
    """Token for a named staff account (the CLI and the demo: operator-run commands)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not StaffMember.objects.filter(user=user).exists():
        raise ValidationFailed("username: an active staff account", "username")
    return create_api_token(Actor(user=user, via="cli"), label)


def user_for_token(raw: str) -> Any | None:
    """The active staff user holding this unrevoked token, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    digest = hashlib.sha256(raw.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("staff__user", "staff__organization")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.staff.user.is_active:
        return None
    user = token.staff.user
    user.__dict__["_tandem_staff"] = token.staff
    return user


def record_logout(who: Any) -> None:
    record_event(as_actor(who), "logout", record_type="account")


def totp_device(user: Any) -> Any:
    """The user's confirmed TOTP device, or an unconfirmed one to enrol (django-otp)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "authenticator"}
        )
    return device


def confirm_totp_device(who: Any, device: Any) -> None:
    """Mark an enrolled device confirmed once its first code was verified (audited)."""
    actor = as_actor(who)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(actor, "mfa.enrol", record_type="account")
