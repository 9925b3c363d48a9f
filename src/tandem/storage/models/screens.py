"""Drug screens recorded in the clinic (issue 11; monitoring.md s1, ruleset-v2.md s7).

One row per screen: the patient, the day the specimen was collected, the specimen, a
point-of-care or laboratory result, its status (``result``, ``missed`` or ``invalid``)
and the panel read analyte by analyte.

Why the panel is a JSON object on the row and not a child table: the panel is a small,
closed vocabulary (``domain/monitoring/panel.py`` ``ANALYTES``, nine names) that is
always written and read whole, exactly as the domain's ``Panel`` holds it (analyte ->
``negative``/``positive``, an analyte not tested absent). A child table would add nine
rows and a join per screen to every chart, "today's screens" and monitoring read, and
nothing queries one analyte across patients. ``services.screens`` is the one writer and
checks every key against ``ANALYTES`` and every value against ``ANALYTE_RESULTS``, so
no other key can be stored.

What the rules read at recording time is kept beside the panel, as provenance:
``cm_result`` (``screening.cm_reading``: stimulant-negative only when the patient's own
stimulant, ``own_stimulant``, was tested and every stimulant tested was negative) and
``overdose_opioids`` (``panel.unexpected_opioids``: the opioids that raise
``overdose_risk``).
"""

from __future__ import annotations

from django.db import models

from tandem.domain.monitoring.screening import SCREEN_KINDS, SCREEN_STATUSES, SPECIMENS
from tandem.storage.models.organizations import StaffMember
from tandem.storage.models.patients import Patient

CM_RESULTS = ("negative", "positive", "invalid", "missed")
SCREEN_SOURCES = ("clinic", "api", "import")
STIMULANTS = ("cocaine", "amphetamine_type", "other_stimulant")


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class DrugScreen(models.Model):
    """A point-of-care or laboratory drug screen (issue 11)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="drug_screens")
    collected_on = models.DateField()
    specimen = models.CharField(max_length=12, choices=_choices(SPECIMENS))
    kind = models.CharField(max_length=16, choices=_choices(SCREEN_KINDS))
    status = models.CharField(max_length=10, choices=_choices(SCREEN_STATUSES))
    # analyte -> "negative" | "positive"; an analyte not tested is absent (Panel.results).
    analytes = models.JSONField(default=dict)
    benzoylecgonine_ng_ml = models.PositiveIntegerField(null=True, blank=True)
    cm_result = models.CharField(max_length=10, choices=_choices(CM_RESULTS))
    own_stimulant = models.CharField(max_length=20, choices=_choices(STIMULANTS))
    overdose_opioids = models.JSONField(default=list)
    source = models.CharField(max_length=10, choices=_choices(SCREEN_SOURCES))
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = (models.Index(fields=["patient", "collected_on"]),)

    def __str__(self) -> str:
        return f"drug screen {self.pk}"

    @property
    def positives(self) -> list[str]:
        """The analytes positive, in the panel's order (for pages)."""
        return [a for a, r in self.analytes.items() if r == "positive"]
