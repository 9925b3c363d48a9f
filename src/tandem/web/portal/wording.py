"""Words the portal uses for the care team and the plan (portal.md "My plan")."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tandem.rulesets import patient_text
from tandem.services.patient_plan import PlanItem

# A care-team member's role as a patient would say it.
ROLE_WORDS = {
    "intake": _("your intake clinician"),
    "therapist": _("your therapist"),
    "prescriber": _("your prescriber (for medicines)"),
    "peer_specialist": _("your peer specialist"),
    "director": _("your program director"),
    "admin": _("your clinic"),
}


@dataclass(frozen=True)
class PlanLine:
    """One intervention as the patient reads it; ``*_lang`` is the sentence's language
    (English where no translation exists yet, so the page can mark it)."""

    text: str
    text_lang: str
    who: str
    role: str
    how_often: str
    how_often_lang: str


def plan_line(item: PlanItem, language: str) -> PlanLine:
    found = patient_text("interventions", item.intervention_id, language)
    text, text_lang = found or (item.intervention_id.replace("_", " ").capitalize() + ".", "en")
    often = patient_text("frequencies", item.frequency, language)
    how_often, often_lang = often or (item.frequency, "en")
    staff = item.responsible
    who = (staff.display_name or "") if staff else ""
    role = str(ROLE_WORDS.get(staff.role, "")) if staff else ""
    return PlanLine(text, text_lang, who, role, how_often, often_lang)


# The plan's questionnaires by a name a patient knows them by (the catalogue's full name
# stays on the form's licence note).
QUESTIONNAIRE_NAMES = {
    "phq9": _("Mood questionnaire (PHQ-9)"),
    "phq2": _("Short mood questionnaire (PHQ-2)"),
    "gad7": _("Worry questionnaire (GAD-7)"),
    "pcl5": _("Stress after hard experiences (PCL-5)"),
    "auditc": _("Alcohol questions (AUDIT-C)"),
}
