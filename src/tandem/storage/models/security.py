"""Rows that keep sign-in and the API safe: throttles, API tokens, idempotent requests."""

from __future__ import annotations

from django.db import models

from tandem.storage.models.organizations import StaffMember
from tandem.storage.models.portal import PatientAccount


class LoginThrottle(models.Model):
    """Failed sign-ins per account name (a keyed hash, so unknown names count the same)."""

    account_key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"throttle {self.pk}"


class ApiToken(models.Model):
    """An API token of a staff member or of a patient's portal account (exactly one of
    the two, a database constraint); only its SHA-256 digest is stored. A patient token
    reaches the patient's own ``/api/v1/me/`` endpoints only (``tandem.api.auth``)."""

    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="api_tokens", null=True, blank=True
    )
    patient_account = models.ForeignKey(
        PatientAccount, on_delete=models.PROTECT, related_name="api_tokens", null=True, blank=True
    )
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    # The first characters of the raw token (public prefix included), to name it in
    # ``tandem token revoke``; too short to guess the rest.
    prefix = models.CharField(max_length=16, blank=True, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(staff__isnull=False, patient_account__isnull=True)
                    | models.Q(staff__isnull=True, patient_account__isnull=False)
                ),
                name="api_token_one_owner",
            ),
        )

    def __str__(self) -> str:
        return f"token {self.pk}"


class EnrolmentCode(models.Model):
    """A one-time code that lets a staff member enrol their first TOTP device.

    Issued by an admin of the clinic or by ``tandem staff invite``; only a keyed hash is
    stored; it expires and is used once (docs/security.md "First sign-in").
    """

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"enrolment code {self.pk}"


class SelfCheckNonce(models.Model):
    """A spent contact-form nonce of the public self-check (a hash only, no answers)."""

    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"nonce {self.pk}"


class ContactAttempt(models.Model):
    """One self-check contact submission, counted per client address (a keyed hash of
    the address, never the address) for the hourly limit."""

    client_key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"contact attempt {self.pk}"


class IdempotentRequest(models.Model):
    """The first result of a submission made with an Idempotency-Key header."""

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    record_type = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["staff", "key"], name="idempotency_key_once"),
        )

    def __str__(self) -> str:
        return f"idempotent request {self.pk}"
