"""42 CFR Part 2 consents and the disclosures made under them (issue 13).

The terms are structured fields (``tandem.domain.consent``), so a disclosure can be
matched against them. A revoked consent keeps its row: revocation ends it from that
moment. Every disclosure, under a consent or in a medical emergency, is a row: the
accounting of disclosures (42 CFR 2.25) reads them.
"""

from __future__ import annotations

from django.db import models

from tandem.storage.models.organizations import StaffMember
from tandem.storage.models.patients import Patient


class Consent(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    # Who may disclose: the program (its clinic's name, as the form said it).
    discloser = models.CharField(max_length=200)
    recipient_kind = models.CharField(max_length=12)  # person, organization, tpo
    recipient_name = models.CharField(max_length=200, blank=True)
    purposes = models.JSONField(default=list)
    purpose_other = models.CharField(max_length=500, blank=True)
    all_records = models.BooleanField(default=False)
    kinds = models.JSONField(default=list)
    period = models.CharField(max_length=20)  # until_date, end_of_treatment, none
    ends_on = models.DateField(null=True, blank=True)
    # How the patient may revoke (the form's words): in writing, to whom.
    revocation_how = models.CharField(max_length=500)
    signature = models.CharField(max_length=10)  # typed, scanned
    signed_name = models.CharField(max_length=200, blank=True)
    scan_reference = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revocation_reference = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"consent {self.pk}"


class Disclosure(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="disclosures")
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="disclosures", null=True, blank=True
    )
    emergency = models.BooleanField(default=False)
    emergency_reason = models.CharField(max_length=1000, blank=True)
    recipient_kind = models.CharField(max_length=12)
    recipient_name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=30)
    kinds = models.JSONField(default=list)
    description = models.CharField(max_length=500)  # what was disclosed, briefly
    notice = models.TextField()  # the notice that went with it (2.32)
    disclosed_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField()

    class Meta:
        indexes = (models.Index(fields=["patient", "disclosed_at"]),)

    def __str__(self) -> str:
        return f"disclosure {self.pk}"
