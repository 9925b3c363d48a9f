"""Clinician forms: the intake case (ruleset-v1.md s1), instruments, placement and plan.

Forms check shape only (a date is a date, a choice is in its list); every clinical rule
is the domain's, reached through the services, whose errors name the JSON path or item.
Choice lists come from ``tandem.domain`` so the form and the case schema cannot differ.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

from tandem.domain.formulation import case as case_model
from tandem.domain.instruments.model import Instrument
from tandem.storage.models import StaffMember
from tandem.storage.models.patients import SEXES

# ruleset-v1.md s1: starts, ends and onsets may be YYYY, YYYY-MM or YYYY-MM-DD.
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
PARTIAL_DATE_HELP = "YYYY, YYYY-MM or YYYY-MM-DD"


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


def _yes_no(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


def _radio(label: str, values: tuple[str, ...], **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=_choices(values), widget=forms.RadioSelect, **kwargs
    )


class PatientForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=200)
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = _radio("Sex", SEXES)


# facts.md s3.1: the 11 criteria of stimulant use disorder (paraphrased there).
DSM_CRITERIA = [
    (1, "uses more or longer than intended"),
    (2, "persistent wish or failed efforts to cut down"),
    (3, "much time obtaining, using, recovering"),
    (4, "craving"),
    (5, "failure to meet major role obligations"),
    (6, "continued use despite social/interpersonal problems"),
    (7, "important activities given up or reduced"),
    (8, "recurrent use in physically hazardous situations"),
    (9, "continued use despite known physical/psychological problem"),
    (10, "tolerance"),
    (11, "withdrawal (characteristic syndrome, or use to relieve/avoid it)"),
]


class StimulantForm(forms.Form):
    """Assessment date and the stimulant facts of the case (ruleset-v1.md s1)."""

    assessed_on = forms.DateField(
        label="Assessed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    substance = _radio("Main stimulant", case_model.SUBSTANCES)
    route = _radio("Usual route", case_model.ROUTES)
    dsm_criteria_past_12_months = forms.TypedMultipleChoiceField(
        label="DSM-5-TR criteria met in the past 12 months (facts.md s3.1)",
        choices=[(str(n), f"{n}. {text}") for n, text in DSM_CRITERIA],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prescribed_under_supervision = _yes_no(
        "Taken only as prescribed, under medical supervision (tolerance and withdrawal "
        "then do not count)"
    )
    uses_alone = _yes_no("Uses alone")
    opioid_co_use = _yes_no("Also uses opioids")
    overdose_past_12_months = _yes_no("Overdose in the past 12 months")

    def section(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ("substance", "route", "prescribed_under_supervision", "uses_alone",
                "opioid_co_use", "overdose_past_12_months")  # fmt: skip
        stimulant = {key: data[key] for key in keys}
        stimulant["dsm_criteria_past_12_months"] = sorted(data["dsm_criteria_past_12_months"])
        return stimulant


class PartialDateField(forms.CharField):
    def __init__(self, *, label: str, required: bool = True) -> None:
        super().__init__(
            label=label, required=required, max_length=10, help_text=PARTIAL_DATE_HELP,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "YYYY-MM"}),
        )  # fmt: skip

    def clean(self, value: Any) -> Any:
        text = str(super().clean(value) or "").strip()
        if text and not PARTIAL_DATE.match(text):
            raise forms.ValidationError(f"write the date as {PARTIAL_DATE_HELP}, e.g. 2021-03")
        return text or None


class UsePeriodForm(forms.Form):
    start = PartialDateField(label="Regular use began")
    end = PartialDateField(label="Ended (leave empty if ongoing)", required=False)


class EpisodeForm(forms.Form):
    onset = PartialDateField(label="Depressive episode began")
    end = PartialDateField(label="Ended (leave empty if ongoing)", required=False)


UsePeriodFormSet = forms.formset_factory(UsePeriodForm, extra=1, max_num=30, can_delete=True)
EpisodeFormSet = forms.formset_factory(EpisodeForm, extra=1, max_num=30, can_delete=True)


class RecentUseForm(forms.Form):
    last_use = forms.DateField(
        label="Last day of any use",
        required=False,
        help_text="Leave empty if unknown.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    days_used_past_30 = forms.IntegerField(
        label="Days of use in the past 30 days (including the assessment day)",
        min_value=0,
        max_value=30,
        initial=0,
    )


def spans(formset: forms.BaseFormSet[Any], first: str) -> list[dict[str, str | None]]:
    """The filled, undeleted rows of a timeline formset, in the order given."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not data.get(first):
            continue
        rows.append({first: data[first], "end": data.get("end")})
    return rows


class ClinicalForm(forms.Form):
    """The clinical facts of the case (ruleset-v1.md s1, "clinical" and "program")."""

    psychosis = _yes_no("Psychotic symptoms now")
    medically_unstable = _yes_no("Medically unstable")
    emotion_dysregulation = _yes_no("Marked emotion dysregulation")
    functional_impairment = _radio("Functional impairment", case_model.IMPAIRMENTS)
    recovery_environment = _radio("Recovery environment", case_model.ENVIRONMENTS)
    mdd_severity = forms.ChoiceField(
        label="Severity of the current depressive episode (for the ICD-10-CM code)",
        choices=[("", "not rated"), *_choices(case_model.MDD_SEVERITIES)],
        required=False,
    )
    complementary_offered = forms.MultipleChoiceField(
        label="Complementary therapies this program offers",
        choices=_choices(case_model.COMPLEMENTARY),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class PriorTreatmentForm(forms.Form):
    level = forms.ChoiceField(
        label="Earlier level of care", choices=[("", "—"), *_choices(case_model.LEVELS)],
        required=False,
    )  # fmt: skip
    response = forms.ChoiceField(
        label="Response", choices=[("", "—"), *_choices(case_model.RESPONSES)], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("level")) != bool(data.get("response")):
            missing = "response" if data.get("level") else "level"
            self.add_error(missing, "give both the level and the response, or neither")
        return data


PriorTreatmentFormSet = forms.formset_factory(PriorTreatmentForm, extra=1, max_num=20)


class InstrumentForm(forms.Form):
    """One instrument's items from the registry; wording only where the licence allows."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            text = item.text or "(wording supplied by your clinic: licensed instrument)"
            may_skip = item.optional or item.skip is not None
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=f"Item {item.number}. {text}",
                choices=[(str(o.value), f"{o.value} — {o.label}") for o in item.options],
                coerce=int,
                empty_value=None,
                required=not may_skip,
                widget=forms.RadioSelect,
                help_text="Leave empty when the form skipped it." if item.skip else "",
            )

    def answers(self) -> list[int | str]:
        """Answers in item order; a skipped item is "-", a trailing optional one left out."""
        answers: list[int | str] = []
        for item in self.instrument.items:
            value = self.cleaned_data.get(f"item_{item.number}")
            if value is None and item.optional:
                continue
            answers.append("-" if value is None else value)
        return answers


class PlacementForm(forms.Form):
    level = forms.ChoiceField(label="Level of care decided", widget=forms.RadioSelect)
    override_reason = forms.CharField(
        label="Reason for a level different from the recommendation",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the level differs from the recommendation.",
    )

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels  # type: ignore[attr-defined]  # ChoiceField


class PlanForm(forms.Form):
    review_on = forms.DateField(
        label="Plan review date", widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class InterventionForm(forms.Form):
    """One intervention of the plan: who, how often, measured how, aiming at what."""

    responsible = forms.TypedChoiceField(
        label="Responsible",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Needed before the plan can be signed.",
    )
    frequency = forms.CharField(label="Frequency", max_length=200, required=False)
    measure = forms.CharField(label="Measure", max_length=200, required=False)
    target = forms.CharField(label="Target", max_length=200, required=False)

    def __init__(self, *args: Any, staff: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            ("", "— choose —"),
            *((str(s.pk), f"{s.display_name or s.user.get_username()} ({s.role})") for s in staff),
        ]

    def as_item(self, stored: Any) -> dict[str, Any]:
        """The edited fields over the stored intervention (which and why never change here)."""
        data = self.cleaned_data
        return {
            "intervention_id": stored.intervention_id,
            "category": stored.category,
            "targets": list(stored.targets),
            "reason": stored.reason,
            "responsible": data["responsible"],
            "frequency": data["frequency"],
            "measure": data["measure"],
            "target": data["target"],
        }


InterventionFormSet = forms.formset_factory(InterventionForm, extra=0, max_num=40)
