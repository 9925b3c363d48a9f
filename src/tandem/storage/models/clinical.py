"""Intake records: instrument administrations, the case document, formulations, placements.

A formulation stores the engine's whole output with the rule-set version it came from;
it is never recomputed silently (a new formulation is a new row).
"""

from __future__ import annotations

from django.db import models

from tandem.storage.models.organizations import StaffMember
from tandem.storage.models.patients import EpisodeOfCare, Patient


class InstrumentAdministration(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="administrations")
    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.PROTECT, null=True)
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=80)
    answers = models.JSONField()
    result = models.JSONField()
    # The score's total, band and positive screen as columns (issue 9 item 6), so that
    # measures and reports query them without reading JSON; ``result`` keeps the whole.
    total = models.IntegerField(null=True)
    band = models.CharField(max_length=40, blank=True)
    positive = models.BooleanField(default=False)
    administered_on = models.DateField()
    # Staff who recorded it; empty when the patient answered it in the portal (``source``).
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, null=True)
    recorded_at = models.DateTimeField()
    source = models.CharField(
        max_length=10, choices=[("clinic", "clinic"), ("portal", "portal")], default="clinic"
    )

    class Meta:
        indexes = (
            models.Index(fields=["patient", "instrument_id", "administered_on"]),
            models.Index(fields=["instrument_id", "administered_on", "total"]),
        )

    def __str__(self) -> str:
        return f"administration {self.pk} ({self.instrument_id})"


class Intake(models.Model):
    """The tandem.case/1 document (ruleset-v1.md s1), filled step by step."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    episode = models.OneToOneField(EpisodeOfCare, on_delete=models.PROTECT, related_name="intake")
    case = models.JSONField(default=dict)
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"intake {self.pk} v{self.version}"


class FormulationRecord(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="formulations")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="formulations")
    case = models.JSONField()
    output = models.JSONField()
    ruleset_version = models.CharField(max_length=80)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT)

    class Meta:
        indexes = (models.Index(fields=["patient", "created_at"]),)

    def __str__(self) -> str:
        return f"formulation {self.pk}"

    @property
    def recommended_level(self) -> str:
        return str(self.output.get("placement", {}).get("level", ""))


class Placement(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="placements")
    formulation = models.ForeignKey(
        FormulationRecord, on_delete=models.PROTECT, related_name="placements"
    )
    recommended_level = models.CharField(max_length=24)
    decided_level = models.CharField(max_length=24)
    override_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT)
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"placement {self.pk}"

    @property
    def is_override(self) -> bool:
        return self.decided_level != self.recommended_level


class ReviewFlagAcknowledgement(models.Model):
    """The deciding clinician acknowledged one review flag of the formulation
    (ruleset-v2.md s4): one row and one audit event per flag, never one box for all."""

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    flag_id = models.CharField(max_length=40)
    flag_text = models.TextField()
    acknowledged_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT)
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["placement", "flag_id"], name="one_ack_per_flag"),
        )

    def __str__(self) -> str:
        return f"acknowledgement {self.pk} ({self.flag_id})"


class Reassessment(models.Model):
    """A reassessment started from a monitoring suggestion or a due depression review
    (issue 11): what prompted it and its evidence then, what monitoring put into the
    case, and the formulation it ended in (``services.reassessment``).

    Open while it has neither a formulation nor a cancellation; a patient has at most
    one open at a time.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reassessments")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="reassessments")
    reason = models.CharField(max_length=24)  # domain.monitoring.reassessment.REASONS
    evidence = models.JSONField(default=dict)  # the suggestion's evidence when accepted
    prefilled = models.JSONField(default=dict)  # what monitoring put into the case
    prior_formulation = models.ForeignKey(
        FormulationRecord, on_delete=models.PROTECT, null=True, related_name="+"
    )
    formulation = models.ForeignKey(
        FormulationRecord, on_delete=models.PROTECT, null=True, related_name="reassessments"
    )
    started_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        indexes = (models.Index(fields=["patient", "started_at"]),)

    def __str__(self) -> str:
        return f"reassessment {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.formulation_id is None and self.cancelled_at is None
