"""IOP/PHP group sessions and their attendance (issue 11; docs/clinical/groups.md).

A session belongs to a clinic and runs at one level of care; its roster is computed from
the patients' current levels (``services.groups.roster``), and what is kept is each
patient's attendance, one row per session and patient.
"""

from __future__ import annotations

from django.db import models

from tandem.domain.monitoring.groups import ATTENDANCE_STATUSES, GROUP_LEVELS
from tandem.storage.models.organizations import Organization, StaffMember
from tandem.storage.models.patients import Patient


class GroupSession(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="group_sessions"
    )
    name = models.CharField(max_length=120)
    starts_at = models.DateTimeField()  # aware (UTC); shown in the clinic's time zone
    level = models.CharField(max_length=12, choices=[(lv, lv) for lv in GROUP_LEVELS])
    facilitator = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="facilitated_groups"
    )
    created_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        indexes = (models.Index(fields=["organization", "starts_at"]),)

    def __str__(self) -> str:
        return f"group session {self.pk}"


class Attendance(models.Model):
    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="attendance")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=10, choices=[(s, s) for s in ATTENDANCE_STATUSES])
    on = models.DateField()  # the session's clinic-local day (the alert rule's day)
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["session", "patient"], name="attendance_once"),
        )
        indexes = (models.Index(fields=["patient", "on"]),)

    def __str__(self) -> str:
        return f"attendance {self.pk} ({self.status})"
