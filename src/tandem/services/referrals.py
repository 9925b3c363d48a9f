"""Referrals from the public self-check (self-check.md): kept only with consent.

The person's consent text and time are stored with what they chose to share. Reading
referrals is audited like patient data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction

from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, Forbidden, NotFound, TooMany, ValidationFailed
from tandem.services.patients import register_patient
from tandem.services.permissions import may, require
from tandem.services.typed_text import refuse_bad_name
from tandem.storage.models import (
    ContactAttempt,
    Organization,
    Patient,
    Referral,
    SelfCheckNonce,
    StaffMember,
)
from tandem.storage.models.referrals import PREFERRED_CONTACTS, REFERRAL_STATUSES

_PHONE = re.compile(r"^[0-9+()\-. ]{7,40}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


def _clean_contact(contact_name: str, phone: str, email: str, preferred_contact: str) -> None:
    if not (contact_name or "").strip() or len(contact_name) > 200:
        raise ValidationFailed("contact_name: give 1 to 200 characters", "contact_name")
    refuse_bad_name(contact_name.strip(), "contact_name")
    if phone and not _PHONE.match(phone):
        raise ValidationFailed("phone: digits, spaces and + ( ) - . only, 7 to 40", "phone")
    if email and not _EMAIL.match(email):
        raise ValidationFailed("email: an address like name@example.org", "email")
    if preferred_contact not in PREFERRED_CONTACTS:
        raise ValidationFailed(
            f"preferred_contact: expected one of {', '.join(PREFERRED_CONTACTS)}",
            "preferred_contact",
        )
    needed = "email" if preferred_contact == "email" else "phone"
    if not (email if needed == "email" else phone):
        raise ValidationFailed(f"{needed}: required for {preferred_contact} contact", needed)


def submit_referral(
    *,
    organization_id: int,
    contact_name: str,
    phone: str = "",
    email: str = "",
    preferred_contact: str,
    shared: dict[str, Any],
    consent_text: str,
    consented_at: dt.datetime,
    ip: str = "",
    urgent: bool = False,
) -> Referral:
    """Store a self-check referral with its consent record (no account needed).

    ``urgent``: the self-check's PHQ-9 item 9 was above 0; the clinic sees the referral
    marked urgent whatever was shared (the consent text the person saw says so)."""
    _clean_contact(contact_name, phone, email, preferred_contact)
    if not (consent_text or "").strip() or consented_at is None:
        raise ValidationFailed("consent: the person's consent is required", "consent")
    if not isinstance(shared, dict):
        raise ValidationFailed("shared: expected an object", "shared")
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        raise ValidationFailed("organization: unknown clinic", "organization")
    with transaction.atomic():
        referral = Referral.objects.create(
            organization=org,
            contact_name=contact_name.strip(),
            phone=phone.strip(),
            email=email.strip(),
            preferred_contact=preferred_contact,
            shared=shared,
            consent_text=consent_text,
            consented_at=consented_at,
            received_at=get_clock().now(),
            urgent=bool(urgent),
        )
        record_event(
            Actor(user=None, ip=ip, via="selfcheck"),
            "referral.submit",
            record_type="referral",
            record_id=referral.pk,
        )
    return referral


# Flood limits of the public contact hand-off (the program's own choices): each contact
# form carries a one-use nonce valid for an hour, and one client address may send at
# most 5 referrals an hour. Only hashes are kept: of the nonce, and of the address
# (keyed), never the address itself nor any answer.
NONCE_SALT = "tandem.selfcheck.contact-nonce/1"
NONCE_MAX_AGE_SECONDS = 60 * 60
CONTACTS_PER_HOUR = 5


def new_contact_nonce() -> str:
    """A signed one-use nonce for one contact form (nothing is stored until it is spent)."""
    return signing.dumps(secrets.token_urlsafe(24), salt=NONCE_SALT)


def _nonce_digest(nonce: str | None) -> str:
    try:
        raw = signing.loads(nonce or "", salt=NONCE_SALT, max_age=NONCE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise ValidationFailed(
            "nonce: the form is too old; please open it again", "nonce"
        ) from None
    return hashlib.sha256(str(raw).encode()).hexdigest()


def _client_key(ip: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"contact:" + (ip or "").encode(), hashlib.sha256).hexdigest()


def _spend(nonce: str | None, ip: str, now: dt.datetime) -> None:
    """Spend the form's nonce and count the address; refuse a replay or a flood."""
    digest = _nonce_digest(nonce)
    hour_ago = now - dt.timedelta(hours=1)
    ContactAttempt.objects.filter(at__lte=hour_ago).delete()  # older ones no longer count
    SelfCheckNonce.objects.filter(used_at__lte=now - dt.timedelta(hours=2)).delete()
    client_key = _client_key(ip)
    if ContactAttempt.objects.filter(client_key=client_key).count() >= CONTACTS_PER_HOUR:
        raise TooMany("too many requests to be contacted from here; try again in an hour")
    try:
        with transaction.atomic():
            SelfCheckNonce.objects.create(digest=digest, used_at=now)
    except IntegrityError:
        raise Conflict("this form was already sent", "nonce") from None
    ContactAttempt.objects.create(client_key=client_key, at=now)


def submit_selfcheck_referral(*, nonce: str | None, ip: str, **referral: Any) -> Referral:
    """The self-check's contact hand-off: ``submit_referral`` guarded by the form's one-use
    nonce and the per-address hourly limit; all or nothing (a refused referral spends
    neither the nonce nor the address's allowance)."""
    with transaction.atomic():
        _spend(nonce, ip, get_clock().now())
        return submit_referral(ip=ip, **referral)


def _open_first(referral: Referral) -> tuple[int, int, float]:
    """Urgent new referrals first, then other new ones, then the rest; newest first."""
    return (
        0 if referral.status == "new" and referral.urgent else 1,
        0 if referral.status == "new" else 1,
        -referral.received_at.timestamp(),
    )


def urgent_count(staff: StaffMember) -> int:
    """How many urgent referrals to the staff member's clinic nobody has contacted yet
    (a count for the navigation: no names, not audited as a read of a referral)."""
    return Referral.objects.filter(
        organization_id=staff.organization_id, urgent=True, status="new"
    ).count()


def list_referrals(actor: Actor) -> list[Referral]:
    """Referrals to the actor's clinic: urgent new ones first, then newest first (audited)."""
    actor = as_actor(actor)
    staff = require(actor, "referral.view")
    referrals = sorted(
        Referral.objects.filter(organization_id=staff.organization_id), key=_open_first
    )
    # Which referrals (names and contact details) were shown, in order, not a count.
    record_event(
        actor,
        "referral.list",
        record_type="referral",
        record_ids=[referral.pk for referral in referrals],
    )
    return referrals


def get_referral(actor: Actor, referral_id: Any) -> Referral:
    actor = as_actor(actor)
    staff = actor.require_staff()
    if not may(staff, "referral.view"):
        record_event(
            actor,
            "referral.view",
            record_type="referral",
            record_id=str(referral_id)[:40],
            outcome="denied",
        )
        raise Forbidden(
            f"Your role ({staff.role.replace('_', ' ')}) may not see self-check referrals."
        )
    referral = Referral.objects.filter(
        pk=referral_id if str(referral_id).isdigit() else -1,
        organization_id=staff.organization_id,
    ).first()
    if referral is None:
        record_event(
            actor,
            "referral.view",
            record_type="referral",
            record_id=str(referral_id)[:40],
            outcome="not_found",
        )
        raise NotFound()
    record_event(actor, "referral.view", record_type="referral", record_id=referral.pk)
    return referral


@audited_failures("referral.update")
def set_referral_status(actor: Actor, referral_id: Any, status: str) -> Referral:
    actor = as_actor(actor)
    referral = get_referral(actor, referral_id)
    require(actor, "referral.update")
    if status not in REFERRAL_STATUSES:
        raise ValidationFailed(f"status: expected one of {', '.join(REFERRAL_STATUSES)}", "status")
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(status=status)
        record_event(actor, "referral.update", record_type="referral", record_id=referral.pk)
    referral.status = status
    return referral


@audited_failures("referral.start_intake")
def start_intake(
    actor: Actor, referral_id: Any, *, date_of_birth: Any, sex: str, not_duplicate: bool = False
) -> Patient:
    """Turn a referral into a patient: register them under the name they gave, link the
    referral to the new patient and mark it contacted (one transaction)."""
    actor = as_actor(actor)
    referral = get_referral(actor, referral_id)
    require(actor, "referral.update")
    if referral.patient_id is not None:
        raise Conflict("the intake for this referral has already started", "referral")
    with transaction.atomic():
        patient = register_patient(
            actor, display_name=referral.contact_name, date_of_birth=date_of_birth, sex=sex,
            not_duplicate=not_duplicate,
        )  # fmt: skip
        won = Referral.objects.filter(pk=referral.pk, patient__isnull=True).update(
            patient=patient, status="contacted"
        )
        if won != 1:
            raise Conflict("the intake for this referral has already started", "referral")
        record_event(
            actor,
            "referral.start_intake",
            patient_id=patient.pk,
            record_type="referral",
            record_id=referral.pk,
        )
    return patient
