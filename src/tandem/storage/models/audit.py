"""The append-only audit log (SECURITY.md "Audit and disclosure").

Each event carries a keyed hash (HMAC-SHA256 with ``settings.TANDEM_AUDIT_KEY``) over its
canonical form and the previous event's hash, so an edit, deletion, insertion or reorder
breaks the chain. The ORM refuses to update or delete events: the only write is an
insert made by ``tandem.services.audit``. ``AuditChainHead`` holds the last sequence
number and hash; appenders lock it, so the chain stays linear under concurrent writers
(row lock on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

OUTCOMES = ("ok", "denied", "not_found", "invalid", "conflict", "failed")


class AppendOnly(Exception):
    """Audit events are never updated or deleted."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnly("audit events are append-only: update and delete are refused")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        _refuse()

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse()

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        _refuse()

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        _refuse()

    def _raw_delete(self, using: Any) -> int:
        _refuse()


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    patient_id = models.BigIntegerField(null=True, blank=True)
    record_type = models.CharField(max_length=40, blank=True)
    record_id = models.CharField(max_length=150, blank=True)  # 150: an account name fits
    ip = models.CharField(max_length=45, blank=True)
    # Every patient a list read showed (caseload, patient list), comma-separated ids in
    # the order shown; empty for single-record events (covered by the hash when set).
    patient_ids = models.TextField(blank=True, default="")
    # Every record a list read of non-patient records showed (e.g. the referrals list),
    # comma-separated ids in the order shown (covered by the hash when set; issue 13).
    record_ids = models.TextField(blank=True, default="", db_default="")
    outcome = models.CharField(max_length=12, choices=[(o, o) for o in OUTCOMES])
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = (models.Index(fields=["patient_id", "seq"]),)

    def __str__(self) -> str:
        return f"audit event {self.seq}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class AuditChainHead(models.Model):
    """One row: the last event's sequence number and hash (the append lock), sealed by
    ``mac`` = HMAC(audit key, seq|hash) so that rewriting the head after deleting the
    newest events needs the key (docs/adr/0001-one-write-path-and-audit-chain.md)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"audit head {self.seq}"
