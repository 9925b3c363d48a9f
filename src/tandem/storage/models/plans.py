"""Integrated care plans (ruleset-v1.md s9) with versions for optimistic concurrency."""

from __future__ import annotations

from django.db import models

from tandem.storage.models.clinical import FormulationRecord
from tandem.storage.models.organizations import StaffMember
from tandem.storage.models.patients import Patient

PLAN_STATUSES = ("draft", "signed")
AGREEMENTS = ("typed_name", "verbal")


class CarePlan(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    formulation = models.ForeignKey(
        FormulationRecord, on_delete=models.PROTECT, related_name="plans"
    )
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=10, choices=[(s, s) for s in PLAN_STATUSES], default="draft"
    )
    measures = models.JSONField(default=list)
    review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # The patient's agreement to this version: when it was reviewed with them, and how
    # they agreed (their typed name, or a verbal agreement the clinician records).
    agreed_on = models.DateField(null=True, blank=True)
    agreement = models.CharField(max_length=10, blank=True, choices=[(a, a) for a in AGREEMENTS])
    agreement_name = models.CharField(max_length=200, blank=True)
    agreement_recorded_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=["patient", "created_at"]),)

    def __str__(self) -> str:
        return f"plan {self.pk} v{self.version}"


class PlanIntervention(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="interventions")
    position = models.PositiveIntegerField(default=0)
    intervention_id = models.CharField(max_length=60)
    category = models.CharField(max_length=30)
    targets = models.JSONField(default=list)
    responsible = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    frequency = models.CharField(max_length=200, blank=True)
    measure = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = (
            "position",
            "pk",
        )

    def __str__(self) -> str:
        return f"intervention {self.intervention_id}"


class CarePlanVersion(models.Model):
    """A frozen copy of each saved version of a plan (history; never edited)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    saved_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["plan", "version"], name="plan_version_once"),
        )

    def __str__(self) -> str:
        return f"plan {self.plan_id} version {self.version}"
