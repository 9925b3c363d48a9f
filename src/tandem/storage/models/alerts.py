"""Alerts that reach a person (issue 10): the store every alert of Tandem goes into.

An alert's identity is (patient, kind, day raised): the database refuses a second one,
so concurrent writers can never raise it twice. Its recipients are named staff members
with the reason they were chosen (their role on the care team, a fallback, on call, an
escalation); every transition is an ``AlertTransition`` row and an audit event.
"""

from __future__ import annotations

from django.db import models

from tandem.storage.models.organizations import Organization, StaffMember
from tandem.storage.models.patients import Patient

ALERT_STATES = ("open", "acknowledged", "resolved")
SEVERITIES = ("urgent", "high", "routine")
RECIPIENT_REASONS = ("care_team", "intake_fallback", "director_fallback", "on_call", "escalation")
TRANSITIONS = (
    "raised", "evidence_added", "score_raised", "notified", "reopened",
    "acknowledged", "resolved", "escalated",
)  # fmt: skip
WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)  # Monday is 0, as Python's date.weekday()


class Alert(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=40)
    raised_on = models.DateField()  # the clinic-local day of the signal
    severity = models.CharField(max_length=10, choices=[(s, s) for s in SEVERITIES])
    state = models.CharField(max_length=14, choices=[(s, s) for s in ALERT_STATES], default="open")
    score = models.PositiveSmallIntegerField(default=0)  # suicide signals (ruleset-v2 s7)
    evidence = models.JSONField(default=list)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["patient", "kind", "raised_on"], name="alert_once_per_day"
            ),
        )
        indexes = (models.Index(fields=["state", "severity"]),)

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.kind})"


class AlertRecipient(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="recipients")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="alerts")
    reason = models.CharField(max_length=20, choices=[(r, r) for r in RECIPIENT_REASONS])
    notified_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["alert", "staff"], name="alert_recipient_once"),
        )

    def __str__(self) -> str:
        return f"alert recipient {self.pk}"


class AlertTransition(models.Model):
    """What happened to an alert, by whom, when; a note for acknowledge and resolve."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="transitions")
    transition = models.CharField(max_length=20, choices=[(t, t) for t in TRANSITIONS])
    at = models.DateTimeField()
    by = models.CharField(max_length=150)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"alert transition {self.pk} ({self.transition})"


class OpeningHours(models.Model):
    """When the clinic is open on a weekday (clinic-local time); no row: closed."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=[(d, d) for d in WEEKDAYS])
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["organization", "weekday"], name="hours_once_a_day"),
        )

    def __str__(self) -> str:
        return f"opening hours {self.pk}"


class OnCall(models.Model):
    """The weekly on-call roster the director keeps: one clinician per weekday."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="on_call")
    weekday = models.PositiveSmallIntegerField(choices=[(d, d) for d in WEEKDAYS])
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["organization", "weekday"], name="on_call_once_a_day"),
        )

    def __str__(self) -> str:
        return f"on call {self.pk}"


class MonitoringRun(models.Model):
    """A clinic's daily monitoring run for one clinic-local day (issue 11).

    The row is the claim: the scheduler creates it before running the day, and the
    unique constraint means two schedulers (or a restart) never both run it. An operator
    re-running a day (``tandem monitor run --date``) updates it; the alert store's
    identity makes the re-run harmless.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="monitoring_runs"
    )
    day = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    patients = models.PositiveIntegerField(default=0)
    alerts_raised = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["organization", "day"], name="monitoring_run_once_a_day"
            ),
        )

    def __str__(self) -> str:
        return f"monitoring run {self.pk} ({self.day})"
