"""Patients and their episodes of care. ``__str__`` never shows a name (logs)."""

from __future__ import annotations

from django.db import models

from tandem.domain import vocabulary
from tandem.storage.models.organizations import LEVELS, Organization, StaffMember

SEXES = vocabulary.SEXES  # defined once, in the domain (issue 9 item 3)
PATIENT_STATUSES = ("active", "discharged")
# Why an episode of care ended (the program's own list; labels in tandem.domain.labels).
DISCHARGE_REASONS = (
    "completed", "stepped_down", "referred_elsewhere", "left_against_advice",
    "lost_to_contact", "administrative", "died", "other",
)  # fmt: skip


class Patient(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="patients"
    )
    display_name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=[(s, s) for s in SEXES])
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=[(s, s) for s in PATIENT_STATUSES], default="active"
    )
    care_team = models.ManyToManyField(StaffMember, related_name="patients", blank=True)
    # Issue 11: the opioids the patient is prescribed, as screen-panel analytes
    # (domain.monitoring.panel.PRESCRIBABLE_OPIOIDS): a positive for one of them raises no
    # overdose_risk (ruleset-v2.md s7). Set with services.patients.set_prescribed_opioids.
    prescribed_opioids = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = (models.Index(fields=["organization", "status"]),)

    def __str__(self) -> str:
        return f"patient {self.pk}"


class EpisodeOfCare(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    level = models.CharField(
        max_length=24, blank=True, choices=[(lv, lv) for lv in (*LEVELS, "emergency")]
    )
    discharge_reason = models.CharField(
        max_length=30, blank=True, choices=[(r, r) for r in DISCHARGE_REASONS]
    )
    discharge_note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"episode {self.pk}"
