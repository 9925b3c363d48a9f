"""Rows that keep sign-in and the API safe: throttles, API tokens, idempotent requests."""

from __future__ import annotations

from django.db import models

from tandem.storage.models.organizations import StaffMember


class LoginThrottle(models.Model):
    """Failed sign-ins per account name (a keyed hash, so unknown names count the same)."""

    account_key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"throttle {self.pk}"


class ApiToken(models.Model):
    """A staff member's API token; only its SHA-256 digest is stored."""

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk}"


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
