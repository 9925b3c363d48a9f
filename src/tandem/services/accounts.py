"""Clinics, staff accounts, sign-in throttling and API tokens.

Throttling (SECURITY.md "Access and identity"; issue 13, probe finding 3), two counters,
both checked before the password is hashed:

- per account name *and* client address: 5 failures lock that pair for 15 minutes. A
  stranger typing wrong passwords for a real account locks only themselves out; the
  account's owner, signing in from their own address, is not affected;
- per client address, whatever the names: 20 failures within 15 minutes lock that
  address for 15 minutes, so one client cannot spray names (each costs a PBKDF2 hash).

Counters are kept under keyed hashes (HMAC with the secret key) of the lower-cased name
and the address, never the name or address itself, so unknown names are throttled
exactly like real ones and the answer never reveals which names exist. A failed sign-in
is audited with the name tried only when it is an account's name (a password typed into
the name field must not land in the log). docs/security.md "Sign-in throttling".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q

from tandem.services.actors import Actor, as_actor
from tandem.services.audit import record_event
from tandem.services.calendar import check_time_zone
from tandem.services.clock import get_clock
from tandem.services.errors import Forbidden, NotFound, ValidationFailed
from tandem.services.typed_text import refuse_bad_name
from tandem.storage.models import (
    LEVELS,
    ROLES,
    ApiToken,
    EnrolmentCode,
    LoginThrottle,
    Organization,
    StaffMember,
)

MAX_FAILURES = 5  # SECURITY.md: throttled after 5 failures per account (and address)
LOCK_MINUTES = 15  # the program's own choice; also the window failures are counted in
CLIENT_MAX_FAILURES = 20  # per client address, any names (the program's own choice)
TOKEN_PREFIX = "tdm_"  # noqa: S105  (a public prefix, not a secret)
TOKEN_PREFIX_SHOWN = 12  # tdm_ + 8 characters: names a token, far too short to guess it
TOKEN_DAYS = 90  # default token lifetime (the program's choice)
MAX_TOKEN_DAYS = 365
ENROLMENT_HOURS = 72  # an enrolment code's lifetime (the program's choice)


def ensure_organization(
    *, slug: str, name: str, levels_offered: list[str], time_zone: str | None = None
) -> Organization:
    """Create the clinic, or update its name, levels and time zone (idempotent; the demo).

    ``time_zone``: an IANA name (``services.calendar``); None keeps the clinic's, or gives
    a new clinic the ``TANDEM_TIME_ZONE`` setting.
    """
    bad = [level for level in levels_offered if level not in LEVELS]
    if bad:
        raise ValidationFailed(f"levels_offered: expected any of {', '.join(LEVELS)}", "levels")
    defaults: dict[str, Any] = {"name": name, "levels_offered": list(levels_offered)}
    if time_zone is not None:
        try:
            defaults["time_zone"] = check_time_zone(time_zone)
        except ValueError as exc:
            raise ValidationFailed(f"time_zone: {exc}", "time_zone") from None
    with transaction.atomic():
        org, _ = Organization.objects.update_or_create(slug=slug, defaults=defaults)
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


def register_clinic(
    *, slug: str, name: str, levels_offered: list[str], time_zone: str | None = None
) -> Organization:
    """Create a new clinic (operator command); refuses a slug already in use."""
    if not slug or not slug.replace("-", "").isalnum() or slug != slug.lower():
        raise ValidationFailed("slug: expected lower-case letters, digits and hyphens", "slug")
    if not name.strip():
        raise ValidationFailed("name: expected the clinic's name", "name")
    refuse_bad_name(name, "name")
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationFailed(f"slug: a clinic {slug!r} already exists", "slug")
    return ensure_organization(
        slug=slug, name=name.strip(), levels_offered=levels_offered, time_zone=time_zone
    )


def register_staff(
    *, clinic_slug: str, username: str, role: str, password: str, display_name: str = ""
) -> StaffMember:
    """Create a staff account in a clinic (operator command); refuses an existing username.

    The password must pass Django's validators; the person then enrols an authenticator
    with a one-time code (``invite_staff``).
    """
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    organization = Organization.objects.filter(slug=clinic_slug).first()
    if organization is None:
        raise ValidationFailed(f"clinic: no clinic {clinic_slug!r}", "clinic")
    if not username or get_user_model().objects.filter(username=username).exists():
        raise ValidationFailed(f"username: {username!r} is empty or already taken", "username")
    refuse_bad_name(username, "username")
    refuse_bad_name(display_name, "display_name")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ValidationFailed(f"password: {' '.join(exc.messages)}", "password") from None
    return ensure_staff(
        organization=organization,
        username=username,
        role=role,
        password=password,
        display_name=display_name,
    )


def _throttle_key(kind: str, *parts: str) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"{kind}:" + "|".join(parts)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _pair_key(username: str, ip: str) -> str:
    return _throttle_key("login-pair", username.strip().lower(), ip or "")


def _client_key(ip: str) -> str:
    return _throttle_key("login-client", ip or "")


def login_locked(username: str, ip: str = "") -> bool:
    """Whether sign-in for this name from this address is refused now (the same answer
    for unknown names): the pair or the address has failed too often."""
    now = get_clock().now()
    keys = (_pair_key(username, ip), _client_key(ip))
    return LoginThrottle.objects.filter(account_key__in=keys, locked_until__gt=now).exists()


def _count_failure(key: str, limit: int, now: dt.datetime) -> None:
    """One more failure under ``key``; a lock once ``limit`` is reached. Failures older
    than the window, or from before a lock that has lifted, are forgotten."""
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(account_key=key)
    window = dt.timedelta(minutes=LOCK_MINUTES)
    lifted = row.locked_until is not None and row.locked_until <= now
    stale = row.locked_until is None and (
        row.last_failure_at is None or now - row.last_failure_at > window
    )
    if lifted or stale:
        row.locked_until = None
    # (F() counts concurrent failures exactly; a reset starts again from one.)
    row.failures = 1 if lifted or stale else F("failures") + 1
    row.last_failure_at = now
    row.save()
    row.refresh_from_db()
    if row.failures >= limit and row.locked_until is None:
        row.locked_until = now + window
        row.save(update_fields=["locked_until"])


def record_login_failure(username: str, ip: str = "") -> None:
    now = get_clock().now()
    name = username.strip()
    is_account = bool(name) and get_user_model().objects.filter(username=name).exists()
    with transaction.atomic():
        _count_failure(_pair_key(username, ip), MAX_FAILURES, now)
        _count_failure(_client_key(ip), CLIENT_MAX_FAILURES, now)
        # The account tried, only when the name is an account's (anything else may be a
        # password typed into the wrong field); never the password. The actor stays
        # "anonymous": nobody proved who they are.
        record_event(
            Actor(None, ip),
            "login",
            record_type="account",
            record_id=name[:150] if is_account else "",
            outcome="denied",
        )


def record_login_success(actor: Actor) -> None:
    actor = as_actor(actor)
    with transaction.atomic():
        LoginThrottle.objects.filter(account_key=_pair_key(actor.name, actor.ip)).delete()
        record_event(actor, "login", record_type="account")


def create_api_token(actor: Actor, label: str = "", days: int = TOKEN_DAYS) -> str:
    """A new API token for the actor's staff account, valid ``days`` days (1 to 365,
    default 90: the program's choice); the raw value is shown once."""
    actor = as_actor(actor)
    _check_days(days)
    return issue_token(actor, label, days, staff=actor.require_staff())


def _check_days(days: Any) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationFailed(f"days: a whole number from 1 to {MAX_TOKEN_DAYS}", "days")


def issue_token(actor: Actor, label: str, days: int, **owner: Any) -> str:
    """Store a new token for ``owner`` (``staff=`` or ``patient_account=``), audited; the
    raw value, shown once. The caller has checked the owner is the actor's own."""
    _check_days(days)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = get_clock().now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            **owner,
            digest=hashlib.sha256(raw.encode()).hexdigest(),
            prefix=raw[:TOKEN_PREFIX_SHOWN],
            label=label[:100],
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        record_event(
            actor,
            "token.create",
            patient_id=actor.patient_id,
            record_type="token",
            record_id=token.pk,
        )
    return raw


def create_api_token_for(username: str, label: str = "", days: int = TOKEN_DAYS) -> str:
    """Token for a named staff account (the CLI and the demo: operator-run commands)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not StaffMember.objects.filter(user=user).exists():
        raise ValidationFailed("username: an active staff account", "username")
    return create_api_token(Actor(user=user, via="cli"), label, days)


def _live_tokens(now: dt.datetime) -> Any:
    """Unrevoked, unexpired tokens (a token made before expiry existed lasts 90 days)."""
    legacy_since = now - dt.timedelta(days=TOKEN_DAYS)
    return ApiToken.objects.filter(revoked_at__isnull=True).filter(
        Q(expires_at__gt=now) | Q(expires_at__isnull=True, created_at__gt=legacy_since)
    )


def actor_for_token(raw: str, ip: str = "") -> Actor | None:
    """The actor a live (unrevoked, unexpired) token speaks for, or None: the active staff
    member holding it, or the patient whose enrolled portal account holds it (a
    discharged patient's token stops working, as their portal sign-in does)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    digest = hashlib.sha256(raw.encode()).hexdigest()
    now = get_clock().now()
    token = (
        _live_tokens(now)
        .select_related("staff__user", "staff__organization")
        .select_related("patient_account__user", "patient_account__patient")
        .filter(digest=digest)
        .first()
    )
    if token is None:
        return None
    account = token.patient_account
    user = token.staff.user if token.staff is not None else getattr(account, "user", None)
    if user is None or not user.is_active:
        return None
    if account is not None and account.patient.status != "active":
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        # At most one write a minute per token ("last used" to the minute is enough).
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if account is not None:
        return Actor.patient(user, account.patient_id, ip=ip, via="api")
    user.__dict__["_tandem_staff"] = token.staff
    return Actor(user=user, ip=ip, via="api")


def revoke_api_tokens(target: str) -> int:
    """Revoke tokens named by a token prefix (``tdm_`` and at least 4 more characters, as
    ``tandem token create`` printed it; a whole token also works) or by a username (all of
    that account's live tokens). Returns how many were revoked (audited, operator-run)."""
    target = (target or "").strip()
    now = get_clock().now()
    live = _live_tokens(now)
    if target.startswith(TOKEN_PREFIX):
        if len(target) < len(TOKEN_PREFIX) + 4:
            raise ValidationFailed("token: give at least tdm_ and 4 more characters", "token")
        digest = hashlib.sha256(target.encode()).hexdigest()
        shown = target[:TOKEN_PREFIX_SHOWN]
        tokens = live.filter(Q(digest=digest) | Q(prefix__startswith=shown))
    else:
        tokens = live.filter(
            Q(staff__user__username=target) | Q(patient_account__user__username=target)
        )
    with transaction.atomic():
        # of=("self",): the owner joins are outer joins (staff or patient), which
        # PostgreSQL cannot lock; the token rows are what must not change.
        ids = list(tokens.select_for_update(of=("self",)).values_list("pk", flat=True))
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=now)
        for pk in ids:
            record_event(Actor(None, via="cli"), "token.revoke", record_type="token", record_id=pk)
    return len(ids)


def record_logout(actor: Actor) -> None:
    record_event(as_actor(actor), "logout", record_type="account")


def has_confirmed_device(user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def _enrolment_digest(raw: str) -> str:
    normal = "".join(ch for ch in raw.upper() if ch.isalnum())
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"enrolment:" + normal.encode(), hashlib.sha256).hexdigest()


def staff_for_enrolment(actor: Actor, staff_id: Any) -> StaffMember:
    """The staff member an admin is about to issue an enrolment code for (audited as
    ``staff.view``). Anyone but an admin of the same clinic gets NotFound, like a
    missing account, so account ids of other clinics are not revealed."""
    actor = as_actor(actor)
    issuer = actor.staff
    wanted = str(staff_id) if str(staff_id).isdigit() and len(str(staff_id)) < 19 else None
    target = (
        StaffMember.objects.select_related("user").filter(pk=wanted).first()
        if wanted is not None and issuer is not None
        else None
    )
    if target is None or issuer is None:
        _refuse_staff_view(actor, staff_id, "not_found")
    if target.organization_id != issuer.organization_id:
        _refuse_staff_view(actor, staff_id, "denied")
    if issuer.role != "admin":
        _refuse_staff_view(actor, staff_id, "denied")
    record_event(actor, "staff.view", record_type="staff", record_id=target.pk)
    return target


def _refuse_staff_view(actor: Actor, staff_id: Any, outcome: str) -> NoReturn:
    record_id = str(staff_id)[:40]
    record_event(actor, "staff.view", record_type="staff", record_id=record_id, outcome=outcome)
    raise NotFound()


def issue_enrolment_code(actor: Actor | None, staff_id: Any) -> str:
    """A one-time code that lets staff member ``staff_id`` enrol their first TOTP device.

    Issued by an admin of the same clinic (``actor``), or by the operator (``actor`` None:
    ``tandem staff invite``). Valid 72 hours, once; only a keyed hash is stored; earlier
    unused codes of that account stop working. The raw code is returned, shown once.
    """
    by_operator = actor is None
    actor = Actor(None, via="cli") if actor is None else as_actor(actor)
    target = StaffMember.objects.select_related("user").filter(pk=staff_id).first()
    if not by_operator:
        issuer = actor.require_staff()
        if target is None or target.organization_id != issuer.organization_id:
            raise NotFound()
        if issuer.role != "admin":
            record_event(actor, "mfa.invite", record_type="staff", outcome="denied")
            raise Forbidden("only an admin of the clinic may issue enrolment codes")
    if target is None:
        raise NotFound()
    raw = "-".join(secrets.token_hex(10).upper()[i : i + 5] for i in range(0, 20, 5))
    now = get_clock().now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(staff=target, used_at__isnull=True).update(expires_at=now)
        EnrolmentCode.objects.create(
            staff=target,
            digest=_enrolment_digest(raw),
            issued_by="operator" if by_operator else actor.name,
            created_at=now,
            expires_at=now + dt.timedelta(hours=ENROLMENT_HOURS),
        )
        record_event(actor, "mfa.invite", record_type="staff", record_id=target.pk)
    return raw


def invite_staff(username: str) -> str:
    """``tandem staff invite USERNAME``: an enrolment code for an active staff account."""
    staff = StaffMember.objects.filter(user__username=username, user__is_active=True).first()
    if staff is None:
        raise ValidationFailed("username: an active staff account", "username")
    return issue_enrolment_code(None, staff.pk)


def redeem_enrolment_code(user: Any, raw: str, ip: str = "") -> bool:
    """Spend a valid enrolment code of this user's account (once); False if none matches.
    Any unconfirmed device is discarded, so enrolment starts from a fresh secret."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    now = get_clock().now()
    with transaction.atomic():
        spent = EnrolmentCode.objects.filter(
            staff__user=user,
            digest=_enrolment_digest(raw or ""),
            used_at__isnull=True,
            expires_at__gt=now,
        ).update(used_at=now)
        if spent:
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            record_event(Actor(user, ip), "mfa.enrolment_code", record_type="account")
    return bool(spent)


def totp_device(user: Any) -> Any:
    """The user's confirmed TOTP device, or an unconfirmed one to enrol (django-otp)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "authenticator"}
        )
    return device


def remove_totp_devices(actor: Actor) -> None:
    """Remove the actor's own authenticator (a patient's is optional; audited)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    actor = as_actor(actor)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor.user).delete()
        record_event(actor, "mfa.remove", record_type="account")


def confirm_totp_device(actor: Actor, device: Any) -> None:
    """Mark an enrolled device confirmed once its first code was verified (audited)."""
    actor = as_actor(actor)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(actor, "mfa.enrol", record_type="account")
