"""The patient portal's records: accounts, daily check-ins, the relapse-prevention plan.

A patient account belongs to one patient and is separate from every staff account (a
user is staff or patient, never both: ``services/portal_accounts.py``). A check-in is
one per patient and clinic-local day (``CheckIn``); every submission that made it is
kept as it was sent (``CheckInSubmission``), so a second check-in the same day never
hides the first one's answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.storage.models.patients import Patient

PORTAL_LANGUAGES = (("en", "English"), ("es", "Español"))
CHECKIN_SOURCES = ("portal", "clinic", "api")


class PatientAccount(models.Model):
    """A patient's sign-in to the portal; the user exists once the patient has enrolled."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="portal")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_account",
    )
    language = models.CharField(max_length=5, choices=PORTAL_LANGUAGES, default="en")
    created_at = models.DateTimeField()
    enrolled_at = models.DateTimeField(null=True, blank=True)
    # The optional daily reminder (issue 10): only after the patient opted in (recorded).
    reminder_email = models.EmailField(blank=True)
    reminder_time = models.TimeField(null=True, blank=True)  # the clinic's local time
    reminder_opted_in_at = models.DateTimeField(null=True, blank=True)
    reminder_last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"portal account {self.pk}"

    @property
    def reminders_on(self) -> bool:
        return bool(self.reminder_opted_in_at and self.reminder_email and self.reminder_time)


class PatientEnrolmentCode(models.Model):
    """A one-use code (72 hours) that lets a patient set their portal password; only a
    keyed hash is stored. Issuing a new code ends the earlier unused ones."""

    account = models.ForeignKey(PatientAccount, on_delete=models.PROTECT, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"patient enrolment code {self.pk}"


class CheckIn(models.Model):
    """A patient's daily check-in (portal.md), one per clinic-local day.

    A second submission the same day replaces mood, sleep, craving and energy; ``used``
    and ``safety`` stay yes once either submission said yes, and the use days are the
    union of both (issue 10).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checkins")
    on = models.DateField()
    mood = models.PositiveSmallIntegerField()
    sleep_hours = models.DecimalField(max_digits=3, decimal_places=1)
    craving = models.PositiveSmallIntegerField()
    energy = models.PositiveSmallIntegerField(null=True, blank=True)
    used = models.BooleanField()
    use_days = models.JSONField(default=list)  # ISO dates: the check-in's day or the 2 before
    safety = models.BooleanField()
    late = models.BooleanField(default=False)  # filled in on a later day (at most 2 days)
    source = models.CharField(max_length=10, choices=[(s, s) for s in CHECKIN_SOURCES])
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["patient", "on"], name="checkin_once_a_day"),
        )

    def __str__(self) -> str:
        return f"check-in {self.pk}"


class CheckInSubmission(models.Model):
    """One submission exactly as it was sent (append-only): the check-in's history."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="submissions")
    submitted_at = models.DateTimeField()
    submitted_by = models.CharField(max_length=150)
    answers = models.JSONField()

    def __str__(self) -> str:
        return f"check-in submission {self.pk}"


class RelapsePreventionPlan(models.Model):
    """One version of the plan the patient and clinician keep together (portal.md "My
    plan"); the newest version is the plan, and every change is a new row."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="relapse_prevention_plans"
    )
    version = models.PositiveIntegerField()
    triggers = models.TextField(blank=True)
    warning_signs = models.TextField(blank=True)
    coping_steps = models.TextField(blank=True)
    people_to_call = models.TextField(blank=True)
    reasons_for_change = models.TextField(blank=True)
    written_by = models.CharField(max_length=150)
    written_by_patient = models.BooleanField(default=False)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["patient", "version"], name="relapse_prevention_version_once"
            ),
        )

    def __str__(self) -> str:
        return f"relapse-prevention plan {self.pk} v{self.version}"
