"""Patient portal accounts (issue 10): invite, enrol with a one-use code, sign in.

- A clinician who can see the patient invites them from the chart (or the operator runs
  ``tandem patient invite``): Tandem shows a one-use code valid 72 hours; only a keyed
  hash is stored; a new code ends the earlier unused ones. No e-mail is needed.
- At ``/me/enrol`` the patient types the code, picks a user name (first time only) and a
  password, and chooses English or Spanish. A forgotten password is a new code.
- Staff and patients are separate: a patient account's user is never staff (the staff
  sign-in refuses it; ``register_staff`` takes new user names only) and staff cannot act
  as a patient (a patient actor is built only from a patient account).
- Wrong codes count toward the client address's sign-in throttle
  (``services.accounts``), so codes cannot be guessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any, Final

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tandem.domain.i18n import N_
from tandem.services import accounts
from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import record_event
from tandem.services.clock import get_clock
from tandem.services.errors import NotFound, TooMany, ValidationFailed
from tandem.services.permissions import require
from tandem.storage.models import PatientAccount, PatientEnrolmentCode
from tandem.storage.models.portal import PORTAL_LANGUAGES

CODE_HOURS: Final = 72  # issue 10: a one-use enrolment code valid 72 hours
# Codes are typed on a phone: 12 characters without look-alikes (0/O, 1/I/L), in 3
# groups of 4: 30 bits per group, 2^60 in all (the program's choice).
CODE_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS: Final = 3
USERNAME: Final = re.compile(r"^[A-Za-z0-9._-]{3,40}$")
LANGUAGES: Final = tuple(code for code, _ in PORTAL_LANGUAGES)


def _digest(raw: str) -> str:
    normal = "".join(ch for ch in str(raw).upper() if ch.isalnum())
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"portal-enrolment:" + normal.encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(CODE_GROUPS))
    return "-".join(groups)


def invite(actor: Actor | None, patient_id: Any) -> tuple[PatientAccount, str, dt.datetime]:
    """A new enrolment code for the patient's portal account (created when missing).

    ``actor``: a clinician who can see the patient, or None for the operator's command
    line. Returns the account, the raw code (shown once) and when it expires."""
    if actor is None:
        from tandem.storage.models import Patient

        actor = Actor(None, via="cli")
        patient = Patient.objects.filter(pk=patient_id, status="active").first()
        if patient is None:
            raise ValidationFailed("patient: the number of an active patient", "patient")
        issuer = "operator"
    else:
        actor = as_actor(actor)
        patient = access_patient(actor, patient_id, action="patient.portal.invite")
        require(actor, "patient.portal.invite", patient.pk)
        if patient.status != "active":
            raise ValidationFailed("patient: only active patients can be invited", "patient")
        issuer = actor.name
    raw = _new_code()
    now = get_clock().now()
    expires = now + dt.timedelta(hours=CODE_HOURS)
    with transaction.atomic():
        account, _ = PatientAccount.objects.get_or_create(
            patient=patient, defaults={"created_at": now}
        )
        account.codes.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        PatientEnrolmentCode.objects.create(
            account=account,
            digest=_digest(raw),
            issued_by=issuer,
            created_at=now,
            expires_at=expires,
        )
        record_event(
            actor,
            "patient.portal.invite",
            patient_id=patient.pk,
            record_type="portal_account",
            record_id=account.pk,
        )
    return account, raw, expires


def code_account(raw: str, ip: str = "") -> PatientAccount | None:
    """The account a valid, unused code belongs to, or None (a failure, throttled)."""
    if accounts.login_locked("portal-code", ip):
        raise TooMany(N_("Too many tries. Wait 15 minutes, or ask your clinic for a new code."))
    now = get_clock().now()
    row = (
        PatientEnrolmentCode.objects.filter(
            digest=_digest(raw or ""), used_at__isnull=True, expires_at__gt=now
        )
        .select_related("account", "account__user", "account__patient")
        .first()
    )
    if row is None or row.account.patient.status != "active":
        accounts.record_login_failure("portal-code", ip)
        return None
    return row.account


def _clean_username(username: Any) -> str:
    name = str(username or "").strip()
    if not USERNAME.match(name):
        raise ValidationFailed(
            N_("username: 3 to 40 letters, digits, dots, dashes or underscores"), "username"
        )
    if get_user_model().objects.filter(username__iexact=name).exists():
        raise ValidationFailed(
            N_("username: this name is taken; please choose another"), "username"
        )
    return name


def _clean_password(password: Any, user: Any) -> str:
    text = str(password or "")
    try:
        validate_password(text, user)
    except ValidationError as exc:
        raise ValidationFailed("password: " + " ".join(exc.messages), "password") from None
    return text


def clean_language(language: Any) -> str:
    value = str(language or "en")
    if value not in LANGUAGES:
        raise ValidationFailed("language: en (English) or es (Spanish)", "language")
    return value


def enrol(
    raw_code: str, *, password: str, username: str = "", language: str = "en", ip: str = ""
) -> Any:
    """Spend a code: the first time, create the user (``username``, ``password``); later
    (a forgotten password), set the new password. Returns the user; nothing is saved
    when anything is refused."""
    account = code_account(raw_code, ip)
    if account is None:
        raise ValidationFailed(
            N_(
                "code: this code is not valid. Codes work once, for 72 hours; ask your clinic "
                "for a new one."
            ),
            "code",
        )
    lang = clean_language(language)
    user_model = get_user_model()
    now = get_clock().now()
    try:
        with transaction.atomic():
            spent = PatientEnrolmentCode.objects.filter(
                digest=_digest(raw_code), used_at__isnull=True, expires_at__gt=now
            ).update(used_at=now)
            if not spent:  # spent by a concurrent request a moment ago
                raise ValidationFailed(N_("code: this code has just been used"), "code")
            user = account.user
            if user is None:
                name = _clean_username(username)
                user = user_model(username=name)
                user.set_password(_clean_password(password, user))
                user.save()
                account.user = user
                account.enrolled_at = now
            else:
                user.set_password(_clean_password(password, user))
                user.save(update_fields=["password"])
                # A new code from the clinic also clears a lost authenticator: the clinic
                # knew the person when it issued the code; they may add one again.
                from django_otp.plugins.otp_totp.models import TOTPDevice

                TOTPDevice.objects.filter(user=user).delete()
            account.language = lang
            account.save()
            record_event(
                Actor(user, ip),
                "patient.portal.enrol",
                patient_id=account.patient_id,
                record_type="portal_account",
                record_id=account.pk,
            )
    except IntegrityError:
        raise ValidationFailed(
            N_("username: this name is taken; please choose another"), "username"
        ) from None
    return user


def account_for(user: Any) -> PatientAccount | None:
    """The patient account of a signed-in user (None for staff and everyone else)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_tandem_portal"):
        user._tandem_portal = (
            PatientAccount.objects.select_related("patient", "patient__organization")
            .filter(user=user, patient__status="active")
            .first()
        )
    account: PatientAccount | None = user._tandem_portal
    return account


def patient_actor(user: Any, ip: str = "", via: str = "web") -> Actor | None:
    """The patient actor of a portal user, or None when the user has no portal account."""
    account = account_for(user)
    if account is None:
        return None
    return Actor.patient(user, account.patient_id, ip=ip, via=via)


def set_language(actor: Actor, language: Any) -> PatientAccount:
    """The patient's portal language (English or Spanish)."""
    actor = as_actor(actor)
    account = account_for(actor.user)
    if actor.kind != "patient" or account is None:
        raise ValidationFailed("language: only a patient chooses their portal language")
    account.language = clean_language(language)
    account.save(update_fields=["language"])
    record_event(
        actor,
        "patient.portal.language",
        patient_id=account.patient_id,
        record_type="portal_account",
        record_id=account.pk,
    )
    return account


def portal_status(patient: Any) -> str:
    """Whether the patient has a portal account, for the chart (``domain.labels``
    "portal_status"): none, invited (an unused code still valid), code_expired, enrolled.
    Never the user name. The caller has checked access to the patient."""
    account = PatientAccount.objects.filter(patient=patient).first()
    if account is None:
        return "none"
    if account.user_id is not None:
        return "enrolled"
    now = get_clock().now()
    valid = account.codes.filter(used_at__isnull=True, expires_at__gt=now).exists()
    return "invited" if valid else "code_expired"


def create_patient_api_token(actor: Actor, label: str = "", days: int = accounts.TOKEN_DAYS) -> str:
    """A new API token for the patient's own portal account (1 to 365 days, default 90);
    the raw value is shown once. It reaches only ``/api/v1/me/`` (the patient's own
    check-ins and progress); staff endpoints answer it 404. Only a patient actor, acting
    for their own enrolled, active account, may make one."""
    actor = as_actor(actor)
    account = account_for(actor.user) if actor.kind == "patient" else None
    if account is None or account.patient_id != actor.patient_id:
        raise NotFound()
    return accounts.issue_token(actor, label, days, patient_account=account)
