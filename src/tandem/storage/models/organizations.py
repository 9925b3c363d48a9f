"""Clinics (organizations), the levels of care they offer, and their staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.domain import vocabulary

# Levels a program can offer (ruleset-v1.md s1, `program.levels_offered`).
LEVELS = ("outpatient", "iop", "php", "residential")

# Staff roles (issue 4). Clinical roles see only their care-team patients; directors and
# admins see every patient of their own organization (docs/adr/0002-access.md).
ROLES = vocabulary.ROLES  # defined once, in the domain (issue 9 item 3)
CLINICAL_ROLES = ("intake", "therapist", "prescriber", "peer_specialist")
ORGANIZATION_WIDE_ROLES = ("director", "admin")


def default_time_zone() -> str:
    """A new clinic's time zone: the ``TANDEM_TIME_ZONE`` setting (default UTC)."""
    return str(getattr(settings, "TANDEM_TIME_ZONE", "UTC"))


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    levels_offered = models.JSONField(default=list)
    # The clinic's IANA time zone: its "today", and its patients' (services/calendar.py).
    time_zone = models.CharField(max_length=64, default=default_time_zone)
    # The clinic's settings page (issue 12): how people reach it, and how long an urgent
    # alert may wait before it is escalated (the clinic's own choice).
    phone = models.CharField(max_length=40, blank=True)
    escalation_minutes = models.PositiveIntegerField(default=60)

    def __str__(self) -> str:
        return self.slug


class StaffMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=[(r, r.replace("_", " ")) for r in ROLES])
    display_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"staff {self.pk} ({self.role})"

    @property
    def sees_whole_organization(self) -> bool:
        return self.role in ORGANIZATION_WIDE_ROLES
