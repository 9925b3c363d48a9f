"""Clinician forms: the intake case (ruleset-v1.md s1), instruments, placement and plan.

Forms check shape only (a date is a date, a choice is in its list); every clinical rule
is the domain's, reached through the services, whose errors name the JSON path or item.
Choice lists come from ``tandem.domain`` so the form and the case schema cannot differ.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms

from tandem.domain import labels
from tandem.domain.formulation import case as case_model
from tandem.domain.instruments.model import Instrument
from tandem.domain.monitoring.panel import ANALYTES
from tandem.domain.monitoring.screening import SCREEN_KINDS, SCREEN_STATUSES, SPECIMENS
from tandem.storage.models import StaffMember
from tandem.storage.models.organizations import LEVELS, ROLES
from tandem.storage.models.patients import DISCHARGE_REASONS, SEXES

# ruleset-v1.md s1: starts, ends and onsets may be YYYY, YYYY-MM or YYYY-MM-DD.
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
PARTIAL_DATE_HELP = "YYYY, YYYY-MM or YYYY-MM-DD"


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


def _yes_no(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


# tandem.case/2 (ruleset-v2.md s1): a yes/no question may be unanswered, and "not asked"
# or "not assessed" is stored as null, never read as "no".
UNKNOWN = ""


def _tri(label: str, unknown: str = "not asked") -> forms.TypedChoiceField:
    """Yes / no / not asked: True, False or None."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "yes"), ("no", "no"), (UNKNOWN, unknown)],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def tri_initial(value: Any) -> str:
    """A stored True/False/None as the radio's value."""
    return {True: "yes", False: "no"}.get(value, UNKNOWN)


def _radio(label: str, values: tuple[str, ...], **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=_choices(values), widget=forms.RadioSelect, **kwargs
    )


class PatientForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=200)
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=[(s, labels.label("sex", s)) for s in SEXES],
        widget=forms.RadioSelect,
    )
    not_duplicate = forms.BooleanField(
        label="This is a different person with the same name and date of birth",
        required=False,
    )

    def offers_not_duplicate(self) -> bool:
        """The "different person" box shows only once a likely duplicate was found."""
        return bool(self["not_duplicate"].errors) or bool(self.data.get("not_duplicate"))


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
    criteria_assessed = forms.ChoiceField(
        label="DSM-5-TR criteria",
        choices=[
            ("no", "not assessed yet"),
            ("yes", "assessed: tick every criterion met (none ticked means none met)"),
        ],
        widget=forms.RadioSelect,
        initial="no",
        required=False,  # unanswered: not assessed
    )
    dsm_criteria_past_12_months = forms.TypedMultipleChoiceField(
        label="Criteria met in the past 12 months",
        choices=[(str(n), f"{n}. {text}") for n, text in DSM_CRITERIA],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prescribed_under_supervision = _yes_no(
        "Taken only as prescribed, under medical supervision (tolerance and withdrawal "
        "then do not count)"
    )
    remission = forms.ChoiceField(
        label="Remission (DSM-5-TR)",
        choices=[
            ("", "not in remission"),
            ("early", "early remission: no criterion but craving for 3 to 12 months"),
            ("sustained", "sustained remission: no criterion but craving for 12 months or more"),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    remission_severity = forms.ChoiceField(
        label="Severity of the disorder when it was active (sets the remission code)",
        choices=[("", "—"), *_choices(("mild", "moderate", "severe"))],
        required=False,
    )
    uses_alone = _tri("Uses alone")
    opioid_co_use = _tri("Also uses opioids")
    overdose_past_12_months = _tri("Overdose in the past 12 months")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        assessed = data.get("criteria_assessed") == "yes"
        if not assessed and data.get("dsm_criteria_past_12_months"):
            self.add_error(
                "criteria_assessed",
                "criteria are ticked: choose 'assessed', or untick them if not assessed yet",
            )
        if data.get("remission") and not data.get("remission_severity"):
            self.add_error("remission_severity", "give the severity for a remission code")
        if not data.get("remission") and data.get("remission_severity"):
            self.add_error(
                "remission", "choose early or sustained remission, or clear the severity"
            )
        return data

    def section(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ("substance", "route", "prescribed_under_supervision", "uses_alone",
                "opioid_co_use", "overdose_past_12_months")  # fmt: skip
        stimulant = {key: data[key] for key in keys}
        stimulant["dsm_criteria_past_12_months"] = (
            sorted(data["dsm_criteria_past_12_months"])
            if data["criteria_assessed"] == "yes"
            else None
        )
        stimulant["remission"] = (
            {"specifier": data["remission"], "severity": data["remission_severity"]}
            if data["remission"]
            else None
        )
        return stimulant

    @staticmethod
    def initial_from(stimulant: dict[str, Any]) -> dict[str, Any]:
        """A stored stimulant section as this form's initial values."""
        initial = dict(stimulant)
        criteria = stimulant.get("dsm_criteria_past_12_months")
        initial["criteria_assessed"] = "no" if criteria is None else "yes"
        for name in ("uses_alone", "opioid_co_use", "overdose_past_12_months"):
            initial[name] = tri_initial(stimulant.get(name))
        remission = stimulant.get("remission") or {}
        initial["remission"] = remission.get("specifier", "")
        initial["remission_severity"] = remission.get("severity", "")
        return initial


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


class _SpanForm(forms.Form):
    """A timeline row: its dates possible on their own, checked on this step (not later,
    on another step, as a JSON path). ``today`` is the assessment date (or today)."""

    first = "start"
    what = "use period"

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or dt.date.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = _partial(data.get(self.first)), _partial(data.get("end"))
        when = self.today.isoformat()
        if start is not None and start.earliest > self.today:
            self.add_error(self.first, f"this is after the assessment date ({when})")
        if end is not None and end.earliest > self.today:
            self.add_error("end", f"this is after the assessment date ({when}); leave it "
                           "empty if it is still going on")  # fmt: skip
        elif start is not None and end is not None and end.latest < start.earliest:
            self.add_error("end", f"the {self.what} cannot end before it began ({start.text})")
        return data


def _partial(text: object) -> Any:
    """A partial date's range (domain.formulation.dates), or None if empty or malformed
    (a malformed one already has its field error)."""
    from tandem.domain.errors import InvalidInput
    from tandem.domain.formulation.dates import parse_partial_date

    if not text:
        return None
    try:
        return parse_partial_date(str(text), "date")
    except InvalidInput:
        return None


class _SpanFormSet(forms.BaseFormSet):  # type: ignore[type-arg]  # Django's formset is untyped here
    """At most one row may be ongoing, and it must be the last (the most recent)."""

    def clean(self) -> None:
        super().clean()
        rows = [f for f in self.forms if f.is_valid() and f.cleaned_data.get(f.first)
                and not f.cleaned_data.get("DELETE")]  # fmt: skip
        for form in rows[:-1]:
            if not form.cleaned_data.get("end"):
                form.add_error(
                    "end",
                    f"only the most recent {form.what} can be ongoing: give this one an end "
                    "date (rows go oldest first)",
                )


class UsePeriodForm(_SpanForm):
    start = PartialDateField(label="Use began")
    end = PartialDateField(label="Ended (leave empty if ongoing)", required=False)
    pattern = forms.ChoiceField(
        label="Pattern",
        choices=[
            ("regular", "regular: at least weekly"),
            ("binge", "binges: episodes at least monthly"),
        ],
        initial="regular",
        required=False,
        widget=forms.RadioSelect,
    )


class EpisodeForm(_SpanForm):
    first = "onset"
    what = "depressive episode"
    onset = PartialDateField(label="Depressive episode began")
    end = PartialDateField(label="Ended (leave empty if ongoing)", required=False)


UsePeriodFormSet = forms.formset_factory(
    UsePeriodForm, formset=_SpanFormSet, extra=1, max_num=30, can_delete=True
)
EpisodeFormSet = forms.formset_factory(
    EpisodeForm, formset=_SpanFormSet, extra=1, max_num=30, can_delete=True
)


class RecentUseForm(forms.Form):
    """Last use and days used; "unknown" is an answer of its own (ruleset-v2.md s1)."""

    last_use = forms.DateField(
        label="Last day of any use",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    last_use_unknown = forms.BooleanField(label="Last day of use unknown", required=False)
    days_used_past_30 = forms.IntegerField(
        label="Days of use in the past 30 days (including the assessment day)",
        min_value=0,
        max_value=30,
        required=False,
    )
    days_used_unknown = forms.BooleanField(label="Number of days unknown", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pairs = (
            ("last_use", "last_use_unknown", "the last day of use"),
            ("days_used_past_30", "days_used_unknown", "the number of days (0 if none)"),
        )
        for value, unknown, what in pairs:
            given = data.get(value) is not None
            if given and data.get(unknown):
                self.add_error(unknown, f"give {what} or tick unknown, not both")
            elif not given and not data.get(unknown) and value not in self.errors:
                self.add_error(value, f"give {what}, or tick unknown")
        return data

    @staticmethod
    def initial_from(stimulant: dict[str, Any]) -> dict[str, Any]:
        """A stored section as initial values: a stored null is "unknown" ticked."""
        initial = dict(stimulant)
        initial["last_use_unknown"] = "last_use" in stimulant and stimulant["last_use"] is None
        days = stimulant.get("days_used_past_30")
        initial["days_used_unknown"] = "days_used_past_30" in stimulant and days is None
        return initial


def spans(formset: forms.BaseFormSet[Any], first: str) -> list[dict[str, str | None]]:
    """The filled, undeleted rows of a timeline formset, in the order given (a use
    period also keeps its pattern, regular unless binge was chosen)."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not data.get(first):
            continue
        row: dict[str, str | None] = {first: data[first], "end": data.get("end")}
        if "pattern" in data:
            row["pattern"] = data.get("pattern") or "regular"
        rows.append(row)
    return rows


class ClinicalForm(forms.Form):
    """The clinical facts of the case (ruleset-v1.md s1, "clinical" and "program")."""

    psychosis = _tri("Psychotic symptoms now", "not assessed")
    medically_unstable = _tri("Medically unstable", "not assessed")
    homicidal_ideation = _radio(
        "Thoughts of harming others",
        case_model.HOMICIDAL,
        initial="none",
    )
    mania_history = _tri("A past manic or hypomanic episode", "not assessed")
    pregnant = _tri("Pregnant", "not asked")
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
            text = item.text or labels.item_topic(instrument.id, item.number)
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

    def clean(self) -> dict[str, Any]:
        """The form's skip logic, said on the item in words (not "1 is not one of -, 0")."""
        data = super().clean() or {}
        for item in self.instrument.items:
            name = f"item_{item.number}"
            if item.skip is None or name in self.errors:
                continue
            gate = data.get(f"item_{item.skip.gate}")
            if gate is None:
                continue
            skipped = gate in item.skip.values
            value = data.get(name)
            if skipped and value not in (None, 0):
                self.add_error(name, f"leave this empty: it is asked only when item "
                               f"{item.skip.gate} is yes")  # fmt: skip
            elif not skipped and value is None:
                self.add_error(name, f"answer this item: item {item.skip.gate} was yes")
        return data

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

    acknowledged_flags = forms.MultipleChoiceField(
        label="Review flags: I have read and considered each one",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each flag is acknowledged on its own and recorded with your decision.",
    )

    def __init__(
        self,
        *args: Any,
        levels: list[tuple[str, str]],
        flags: list[dict[str, str]] | None = None,
        recommended: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recommended = recommended
        self.fields["level"].choices = levels  # type: ignore[attr-defined]  # ChoiceField
        choices = [(flag["id"], flag["text"]) for flag in flags or []]
        self.fields["acknowledged_flags"].choices = choices  # type: ignore[attr-defined]
        if not choices:
            del self.fields["acknowledged_flags"]

    def clean(self) -> dict[str, Any]:
        """The override reason and every review flag, said together (the service checks
        them too), in the clinic's words."""
        data = super().clean() or {}
        level, reason = data.get("level"), (data.get("override_reason") or "").strip()
        if self.recommended and level and level != self.recommended and not reason:
            self.add_error(
                "override_reason",
                f"required when the level ({labels.label('level', level)}) differs from the "
                f"recommendation ({labels.label('level', self.recommended)})",
            )
        field = self.fields.get("acknowledged_flags")
        if field is not None:
            given = set(data.get("acknowledged_flags") or ())
            choices = getattr(field, "choices", [])
            missing = [labels.label("review_flag", key) for key, _ in choices if key not in given]
            if missing:
                self.add_error(
                    "acknowledged_flags",
                    "acknowledge each review flag before deciding: " + " / ".join(missing),
                )
        return data


class PlanForm(forms.Form):
    review_on = forms.DateField(
        label="Plan review date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the team reviews this plan with the patient: at most 90 days ahead.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class InterventionForm(forms.Form):
    """One intervention of the plan: who, how often, measured how, aiming at what."""

    responsible = forms.TypedChoiceField(
        label="Responsible",
        coerce=int,
        empty_value=None,
        required=False,
    )
    frequency = forms.CharField(label="Frequency", max_length=200, required=False)
    measure = forms.CharField(label="Measure", max_length=200, required=False)
    target = forms.CharField(label="Target", max_length=200, required=False)

    def __init__(self, *args: Any, staff: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            ("", "— choose —"),
            *((str(s.pk), f"{s.display_name or s.user.get_username()} "
               f"({labels.label('role', s.role).lower()})") for s in staff),
        ]  # fmt: skip
        # Not "(optional)": signing needs it (the field template says so).
        self.fields["responsible"].needed_to_sign = True  # type: ignore[attr-defined]  # a flag the field template reads

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


def selfcheck_answer_rows(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """A referral's shared self-check answers as (question, answer) in the person's words."""
    from tandem.web.selfcheck import forms as selfcheck_forms

    rows: list[tuple[str, str]] = []
    for name, field in selfcheck_forms.AboutYouForm.base_fields.items():
        if name in answers:
            choices = dict(getattr(field, "choices", []))
            rows.append((str(field.label), str(choices.get(answers[name], answers[name]))))
    phq9 = answers.get("phq9")
    if isinstance(phq9, list):
        rows.append(("PHQ-9 answers, items 1 to 9 (0 not at all - 3 nearly every day)",
                     ", ".join(str(v) for v in phq9)))  # fmt: skip
    for value, text in selfcheck_forms.OVERDOSE_RISKS:
        if value in answers:
            rows.append((str(text), "yes" if answers[value] else "no"))
    return rows


class DischargeForm(forms.Form):
    """Close the episode of care: why, and the day it ended."""

    reason = forms.ChoiceField(
        label="Reason for discharge",
        choices=[
            ("", "— choose —"),
            *((r, labels.label("discharge_reason", r)) for r in DISCHARGE_REASONS),
        ],
    )
    ended_on = forms.DateField(
        label="Date the episode of care ended",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AgreementForm(forms.Form):
    """The patient's agreement to the signed plan: when, and how they agreed."""

    agreed_on = forms.DateField(
        label="Date the plan was reviewed with the patient",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    agreement = forms.ChoiceField(
        label="How the patient agreed",
        choices=[
            ("typed_name", "The patient typed their name below"),
            ("verbal", "The patient agreed verbally (recorded by me)"),
        ],
        widget=forms.RadioSelect,
    )
    agreement_name = forms.CharField(
        label="Patient's typed name", required=False, max_length=200,
        help_text="Only when the patient types their name.",
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)


class InviteStaffForm(forms.Form):
    """A new staff account: they sign in with this password once, then enrol an
    authenticator with a one-time code."""

    display_name = forms.CharField(label="Name shown to colleagues", max_length=200)
    username = forms.CharField(label="User name (for signing in)", max_length=150)
    role = forms.ChoiceField(label="Role", choices=[(r, labels.label("role", r)) for r in ROLES])
    password = forms.CharField(
        label="Temporary password", max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Give it to them in person; at least 8 characters, not a common one.",
    )  # fmt: skip


class ClinicSettingsForm(forms.Form):
    levels_offered = forms.MultipleChoiceField(
        label="Levels of care this program offers",
        choices=[(lv, labels.label("level", lv)) for lv in LEVELS],
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.CharField(
        label="Time zone", max_length=64, help_text="For example America/Chicago."
    )
    phone = forms.CharField(label="Clinic phone", max_length=40, required=False)


class AlertNoteForm(forms.Form):
    """Acknowledge (note optional) or resolve (note required: what was done) an alert.
    Whether the note is needed is the service's rule; the form checks its shape only."""

    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, resolve: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "resolve" if resolve else "acknowledge")
        super().__init__(*args, **kwargs)
        field = self.fields["note"]
        if resolve:
            field.label = "What was done"
            field.help_text = "Who was contacted, what was decided."
            field.widget.attrs["aria-required"] = "true"
            # The service requires the note (and says so when it is empty); the label says
            # "(required)" without the form refusing first, so the refusal is audited.
            field.required_by_service = True  # type: ignore[attr-defined]  # a flag the field template reads


WEEKDAY_NUMBERS = tuple(range(7))  # Monday is 0 (storage.models.alerts.WEEKDAYS)


class AlertSettingsForm(forms.Form):
    """Opening hours and the on-call clinician for each weekday, and the escalation time.

    Fields per weekday ``d``: ``closed_d``, ``opens_d``, ``closes_d``, ``on_call_d``. The
    rules (opens before closes, a clinician of this clinic, 15 to 240 minutes) are
    services.clinic_hours'; its errors name these fields."""

    escalation_minutes = forms.IntegerField(
        label="Escalation time for urgent alerts (minutes)",
        help_text="From 15 to 240 (4 hours). The default is 60.",
    )

    def __init__(self, *args: Any, clinicians: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [("", "Nobody")] + [
            (str(s.pk), f"{s.display_name or s.user.get_username()} "
                        f"({labels.label('role', s.role)})")
            for s in clinicians
        ]  # fmt: skip
        for d in WEEKDAY_NUMBERS:
            day = labels.label("weekday", d)
            closed = forms.BooleanField(label=f"Closed on {day}", required=False)
            self.fields[f"closed_{d}"] = closed
            self.fields[f"opens_{d}"] = forms.TimeField(
                label=f"{day} opens", required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )  # fmt: skip
            self.fields[f"closes_{d}"] = forms.TimeField(
                label=f"{day} closes", required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )  # fmt: skip
            self.fields[f"on_call_{d}"] = forms.ChoiceField(
                label=f"On call on {day}", choices=people, required=False
            )

    def days(self) -> list[dict[str, Any]]:
        """Each weekday's bound fields, for one fieldset per day."""
        return [
            {"name": labels.label("weekday", d), "number": d,
             "closed": self[f"closed_{d}"],
             "times": [("Opens", self[f"opens_{d}"]), ("Closes", self[f"closes_{d}"])],
             "on_call": self[f"on_call_{d}"]}
            for d in WEEKDAY_NUMBERS
        ]  # fmt: skip


class GroupSessionForm(forms.Form):
    """A new group session; the clinic's local date and time (services.groups checks the
    rest and names the field)."""

    name = forms.CharField(label="Group name", max_length=120)
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    level = forms.ChoiceField(
        label="Level of care",
        choices=[(lv, labels.label("level", lv)) for lv in ("iop", "php", "outpatient")],
    )
    facilitator = forms.TypedChoiceField(label="Facilitator", coerce=int)

    def __init__(self, *args: Any, staff: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facilitator"]
        field.choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (s.pk, f"{s.display_name or s.user.get_username()} ({labels.label('role', s.role)})")
            for s in staff
        ]


# ---------------------------------------------------------------- drug screens (issue 11)

SCREEN_ANALYTE_CHOICES = [("not_tested", "Not tested"), ("negative", "Negative"),
                          ("positive", "Positive")]  # fmt: skip


def _labelled(kind: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, labels.label(kind, v)) for v in values]


class ScreenForm(forms.Form):
    """One drug screen from the chart; the service checks it (``services.screens``)."""

    collected_on = forms.DateField(
        label="Collected on", widget=forms.DateInput(attrs={"type": "date"})
    )
    specimen = forms.ChoiceField(
        label="Specimen", choices=_labelled("specimen", SPECIMENS), widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(
        label="Test", choices=_labelled("screen_kind", SCREEN_KINDS), widget=forms.RadioSelect
    )
    status = forms.ChoiceField(
        label="Outcome",
        choices=_labelled("screen_status", SCREEN_STATUSES),
        widget=forms.RadioSelect,
    )
    benzoylecgonine_ng_ml = forms.IntegerField(
        label="Benzoylecgonine (ng/mL)",
        required=False,
        min_value=0,
        help_text="The cocaine metabolite's level, when the laboratory reports it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for analyte in ANALYTES:
            self.fields[f"analyte_{analyte}"] = forms.ChoiceField(
                label=labels.label("analyte", analyte),
                choices=SCREEN_ANALYTE_CHOICES,
                initial="not_tested",
                widget=forms.RadioSelect,
            )

    def analyte_fields(self) -> list[forms.BoundField]:
        return [self[f"analyte_{a}"] for a in ANALYTES]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("collected_on", "specimen", "kind", "status")]

    def as_raw(self) -> dict[str, Any]:
        """The cleaned fields as ``services.screens.record_screen`` takes them."""
        data = self.cleaned_data
        return {
            "collected_on": data["collected_on"],
            "specimen": data["specimen"],
            "kind": data["kind"],
            "status": data["status"],
            "analytes": {a: data[f"analyte_{a}"] for a in ANALYTES},
            "benzoylecgonine_ng_ml": data.get("benzoylecgonine_ng_ml"),
        }

    def field_for(self, service_field: str | None) -> str | None:
        """The form field a service error names (``analytes.cocaine`` -> ``analyte_cocaine``)."""
        name = (service_field or "").replace("analytes.", "analyte_")
        if name == "analytes":
            return None
        return name if name in self.fields else None


class ScreenSheetForm(forms.Form):
    """What "today's screens" share: the specimen, the test and the panel the cup tests."""

    specimen = forms.ChoiceField(
        label="Specimen",
        choices=_labelled("specimen", SPECIMENS),
        initial="urine",
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label="Test",
        choices=_labelled("screen_kind", SCREEN_KINDS),
        initial="point_of_care",
        widget=forms.RadioSelect,
    )
    panel = forms.MultipleChoiceField(
        label="The cup tests",
        choices=_labelled("analyte", ANALYTES),
        initial=list(ANALYTES),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each analyte ticked here is negative on a result row unless ticked "
        "positive on that row.",
    )


# ---------------------------------------------------------------- contingency management

MONEY_OPTIONS = ("start_cents", "step_cents", "max_per_screen_cents", "bonus_cents", "cap_cents")
WHOLE_OPTIONS = ("recovery_after", "bonus_every", "window_days", "draw_start", "draw_max")
ESCALATING_ONLY = ("start_cents", "step_cents", "max_per_screen_cents", "recovery_after",
                   "bonus_every", "bonus_cents")  # fmt: skip
PRIZE_ONLY = ("draw_start", "draw_max", "bowl")
BOTH_KINDS = ("cap_cents", "window_days", "eligible_per_week")


def _cents_of(value: Any) -> int:
    return int((value * 100).to_integral_value())


# How to write the two options that are not a number.
OPTION_FORMATS = {
    "bowl": "One kind of slip a line: name, value in dollars, number of slips (for "
    "example: small, 1.00, 209). ",
    "eligible_per_week": "For example 2@1-12,1@13-24: 2 a week in weeks 1 to 12, then 1 a "
    "week; or all for no weekly limit. ",
}


def _option_field(name: str) -> forms.Field:
    words, default = labels.CM_OPTIONS[name]
    help_text = f"{OPTION_FORMATS.get(name, '')}Leave empty for the default, {default}."
    if name in MONEY_OPTIONS:
        return forms.DecimalField(
            label=f"{words} ($)", required=False, min_value=0, max_digits=9, decimal_places=2,
            help_text=help_text, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )  # fmt: skip
    if name in WHOLE_OPTIONS:
        return forms.IntegerField(label=words, required=False, min_value=0, help_text=help_text)
    if name == "bowl":
        return forms.CharField(
            label=words, required=False, max_length=2000, help_text=help_text,
            widget=forms.Textarea(attrs={"rows": 5}),
        )  # fmt: skip
    return forms.CharField(label=words, required=False, max_length=100, help_text=help_text)


class CmScheduleForm(forms.Form):
    """The clinic's incentive schedule (services.incentives.configure_schedule checks it
    with the domain's engine and names ``options.<name>``; the fields bear those names).
    Money in dollars here, integer cents to the service; an empty option keeps the
    default (ruleset-v2.md s7)."""

    kind = forms.ChoiceField(
        label="Kind of schedule", choices=list(labels.CM_KINDS.items()), widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (*ESCALATING_ONLY, *PRIZE_ONLY, *BOTH_KINDS):
            self.fields[name] = _option_field(name)

    def group(self, names: tuple[str, ...]) -> list[Any]:
        return [self[name] for name in names]

    def escalating_fields(self) -> list[Any]:
        return self.group(ESCALATING_ONLY)

    def prize_fields(self) -> list[Any]:
        return self.group(PRIZE_ONLY)

    def shared_fields(self) -> list[Any]:
        return self.group(BOTH_KINDS)

    def clean_bowl(self) -> list[list[Any]] | None:
        text = (self.cleaned_data.get("bowl") or "").strip()
        if not text:
            return None
        slips: list[list[Any]] = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            try:
                name, value, count = parts
                cents = _cents_of(forms.DecimalField(min_value=0, decimal_places=2).clean(value))
                slips.append([name, cents, int(count)])
            except (ValueError, forms.ValidationError):
                raise forms.ValidationError(
                    f"Line {number}: write name, value in dollars, number of slips "
                    "(for example: small, 1.00, 209)."
                ) from None
            if not name or int(count) < 0:
                raise forms.ValidationError(f"Line {number}: a name and a count of 0 or more.")
        return slips

    def as_options(self) -> dict[str, Any]:
        """The chosen kind's options that were entered, as the service takes them."""
        kind = self.cleaned_data["kind"]
        names = (*(ESCALATING_ONLY if kind == "escalating" else PRIZE_ONLY), *BOTH_KINDS)
        options: dict[str, Any] = {}
        for name in names:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            options[name] = _cents_of(value) if name in MONEY_OPTIONS else value
        return options


def schedule_initial(kind: str, stored: dict[str, Any]) -> dict[str, Any]:
    """A stored schedule's options as the form's fields (cents as dollars)."""
    initial: dict[str, Any] = {"kind": kind}
    for name, value in stored.items():
        if name in MONEY_OPTIONS:
            initial[name] = f"{int(value) // 100}.{int(value) % 100:02d}"
        elif name == "bowl":
            initial[name] = "\n".join(
                f"{n}, {int(v) // 100}.{int(v) % 100:02d}, {c}" for n, v, c in value
            )
        else:
            initial[name] = value
    return initial


class RedemptionForm(forms.Form):
    """Credit given to a patient (services.incentives.redeem: never cash, at most the
    balance; its errors name ``what`` and ``cents``, the fields ``what`` and ``amount``)."""

    what = forms.CharField(
        label="What was given", max_length=200,
        help_text="A gift card or voucher, never cash. For example: grocery gift card.",
    )  # fmt: skip
    amount = forms.DecimalField(
        label="Amount ($)", min_value=Decimal("0.01"), max_digits=9, decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )  # fmt: skip

    def cents(self) -> int:
        return _cents_of(self.cleaned_data["amount"])
