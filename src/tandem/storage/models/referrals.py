"""Referrals sent from the public self-check, with the consent the person gave."""

from __future__ import annotations

from django.db import models

from tandem.storage.models.organizations import Organization
from tandem.storage.models.patients import Patient

PREFERRED_CONTACTS = ("phone", "email", "text")
REFERRAL_STATUSES = ("new", "contacted", "closed")


class Referral(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals"
    )
    contact_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=254, blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=[(c, c) for c in PREFERRED_CONTACTS]
    )
    shared = models.JSONField(default=dict)
    consent_text = models.TextField()
    consented_at = models.DateTimeField()
    received_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=[(s, s) for s in REFERRAL_STATUSES], default="new"
    )
    # PHQ-9 item 9 above 0 on the self-check: contact first. Kept whatever the person chose
    # to share (the consent they gave says so), so the clinic never misses it.
    urgent = models.BooleanField(default=False)
    # The patient registered from this referral ("start intake"), once there is one.
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"referral {self.pk}"
