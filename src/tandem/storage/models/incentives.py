"""Contingency management in the record (issue 11; monitoring.md s7, ruleset-v2.md s7).

- ``CmSchedule``: one per clinic, its kind (``escalating`` or ``prize``) and the
  options of that kind, stored as a JSON object whose keys are the domain schedule's
  fields (money in integer cents). ``services.incentives`` is the one writer: it builds
  the domain's ``EscalatingSchedule``/``PrizeSchedule`` from the object before saving, so
  a stored schedule is always one the engine accepts. ``seed`` is drawn on the server
  when the clinic configures prize draws and recorded here; every draw is replayed from it.
- ``LedgerEntry``: one row per screen, as the domain's ledger has one entry per screen,
  with the screen it came from and the rule (the schedule in words) that priced it.
  Money is integer cents; never a float.
- ``Redemption``: what was given (gift card, voucher: never cash), how much, by whom.
"""

from __future__ import annotations

from django.db import models

from tandem.storage.models.organizations import Organization, StaffMember
from tandem.storage.models.patients import Patient
from tandem.storage.models.screens import CM_RESULTS, DrugScreen

CM_KINDS = ("escalating", "prize")


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class CmSchedule(models.Model):
    """A clinic's contingency management schedule (monitoring.md s7)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="cm_schedule"
    )
    kind = models.CharField(max_length=12, choices=_choices(CM_KINDS))
    # The options of ``kind`` by the domain schedule's field names (cents, days, counts;
    # ``eligible_per_week`` as text; ``bowl`` as [name, value_cents, count] lists).
    options = models.JSONField(default=dict)
    seed = models.BigIntegerField(null=True, blank=True)  # prize draws only
    updated_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"cm schedule {self.pk} ({self.kind})"


class LedgerEntry(models.Model):
    """One screen's line of a patient's incentive ledger (monitoring.md s7)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cm_ledger")
    screen = models.ForeignKey(
        DrugScreen, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField()  # the entry's place in the ledger
    day = models.DateField()
    result = models.CharField(max_length=10, choices=_choices(CM_RESULTS))
    day_result = models.CharField(max_length=10, choices=_choices(CM_RESULTS))
    week = models.PositiveIntegerField()
    in_window = models.BooleanField(default=True)
    earned_cents = models.PositiveIntegerField()
    draws = models.PositiveIntegerField(default=0)
    prizes = models.JSONField(default=list)  # [{"name", "value_cents", "awarded"}]
    note = models.CharField(max_length=40, blank=True)  # same_day, not_eligible_this_week
    rule = models.CharField(max_length=300)  # the schedule that priced it, in words
    draw_seed = models.CharField(max_length=80, blank=True)  # "" on a row without draws
    created_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["patient", "position"], name="cm_ledger_position"),
        )

    def __str__(self) -> str:
        return f"ledger entry {self.pk}"


class Redemption(models.Model):
    """Credit given to a patient: how much, what (never cash), by whom, when."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cm_redemptions")
    cents = models.PositiveIntegerField()
    what = models.CharField(max_length=200)
    by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"redemption {self.pk}"
