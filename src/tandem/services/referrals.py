"""Referrals from the public self-check (self-check.md): kept only with consent.

The person's consent text and time are stored with what they chose to share. Reading
referrals is audited like patient data.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction

from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.clock import get_clock
from tandem.services.errors import NotFound, ValidationFailed
from tandem.services.permissions import require
from tandem.storage.models import Organization, Referral
from tandem.storage.models.referrals import PREFERRED_CONTACTS, REFERRAL_STATUSES

_PHONE = re.compile(r"^[0-9+()\-. ]{7,40}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


def _clean_contact(contact_name: str, phone: str, email: str, preferred_contact: str) -> None:
    if not (contact_name or "").strip() or len(contact_name) > 200:
        raise ValidationFailed("contact_name: give 1 to 200 characters", "contact_name")
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
    organization: Organization | int,
    contact_name: str,
    phone: str = "",
    email: str = "",
    preferred_contact: str,
    shared: dict[str, Any],
    consent_text: str,
    consented_at: dt.datetime,
    ip: str = "",
) -> Referral:
    """Store a self-check referral with its consent record (no account needed)."""
    _clean_contact(contact_name, phone, email, preferred_contact)
    if not (consent_text or "").strip() or consented_at is None:
        raise ValidationFailed("consent: the person's consent is required", "consent")
    if not isinstance(shared, dict):
        raise ValidationFailed("shared: expected an object", "shared")
    org = Organization.objects.filter(pk=getattr(organization, "pk", organization)).first()
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
        )
        record_event(
            Actor(user=None, ip=ip, via="selfcheck"),
            "referral.submit",
            record_type="referral",
            record_id=referral.pk,
        )
    return referral


def list_referrals(who: Any) -> list[Referral]:
    """Referrals to the actor's clinic, newest first (audited)."""
    actor = as_actor(who)
    staff = require(actor, "referral.view")
    referrals = list(
        Referral.objects.filter(organization_id=staff.organization_id).order_by("-received_at")
    )
    record_event(actor, "referral.list", record_type="referral", record_id=len(referrals))
    return referrals


def get_referral(who: Any, referral_id: Any) -> Referral:
    actor = as_actor(who)
    staff = require(actor, "referral.view")
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
def set_referral_status(who: Any, referral_id: Any, status: str) -> Referral:
    actor = as_actor(who)
    referral = get_referral(actor, referral_id)
    require(actor, "referral.update")
    if status not in REFERRAL_STATUSES:
        raise ValidationFailed(f"status: expected one of {', '.join(REFERRAL_STATUSES)}", "status")
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(status=status)
        record_event(actor, "referral.update", record_type="referral", record_id=referral.pk)
    referral.status = status
    return referral
