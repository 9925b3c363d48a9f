"""The self-check's questions in warm, plain words (constructs of self-check.md).

The choice values are those of ``tandem.domain.selfcheck``; only the wording lives here.
The PHQ-9 items come from the instrument registry with their exact wording (facts.md
s2.1: Pfizer's licence allows reproduction without permission).
"""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.domain.instruments.model import Instrument
from tandem.storage.models import Organization

REQUIRED = {"required": "Please choose an answer."}

STARTED_FIRST = [
    ("low_mood", "Feeling low came first"),
    ("stimulant_use", "Using came first"),
    ("same_time", "They started around the same time"),
    ("not_sure", "I'm not sure"),
]
FREQUENCY = [
    ("never", "Never"),
    ("sometimes", "Sometimes"),
    ("often", "Often"),
    ("almost_always", "Almost always"),
]
MOOD_WITHOUT_USE = [
    ("yes", "Yes, the low mood stayed"),
    ("no", "No, it lifted"),
    ("no_stretch", "I haven't had a month or more without using"),
]
DAYS_USED = [
    ("0", "None"),
    ("1-3", "1 to 3 days"),
    ("4-8", "4 to 8 days"),
    ("9-15", "9 to 15 days"),
    ("16+", "16 days or more"),
]
OVERDOSE_RISKS = [
    ("ever_overdosed", "I have overdosed before"),
    ("uses_alone", "I often use on my own, with no one around"),
    ("opioids_or_pills", "I also use opioids, or pills that did not come from a pharmacy"),
]


def _radio(label: str, choices: list[tuple[str, str]], help_text: str = "") -> forms.Field:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages=REQUIRED,
    )


class AboutYouForm(forms.Form):
    """Constructs 1-5 of self-check.md."""

    started_first = _radio(
        "Thinking back, which came first: feeling low, or using cocaine or other stimulants?",
        STARTED_FIRST,
    )
    crash_after_use = _radio(
        "In the day or two after using, does your mood drop lower than usual?", FREQUENCY
    )
    use_to_lift_mood = _radio(
        "Do you use to lift a low mood, or to get through feeling empty?", FREQUENCY
    )
    low_mood_without_use = _radio(
        "Think of a time you went a month or more without using. Did the low mood stay?",
        MOOD_WITHOUT_USE,
    )
    days_used_past_30 = _radio(
        "In the past 30 days, on how many days did you use?",
        DAYS_USED,
        help_text="A rough count is fine.",
    )


class Phq9Form(forms.Form):
    """The PHQ-9's nine scored items, wording and options from the registry."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in instrument.items:
            if item.optional:
                continue  # the unscored difficulty item does not change the result
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[(str(o.value), o.label) for o in item.options],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages=REQUIRED,
            )

    def answers(self) -> list[int]:
        """The nine answers in item order (call after is_valid())."""
        return [self.cleaned_data[name] for name in self.fields]


class OverdoseForm(forms.Form):
    """Construct 7 of self-check.md: any that are true, or none."""

    risks = forms.MultipleChoiceField(
        label="Tick any that are true for you",
        choices=OVERDOSE_RISKS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="These raise the risk of an overdose. Leave them all unticked if none apply.",
    )

    def flags(self) -> dict[str, bool]:
        marked = set(self.cleaned_data["risks"])
        return {value: value in marked for value, _ in OVERDOSE_RISKS}


SHARE_CHOICES = [
    ("answers", "My answers to the questions"),
    ("result", "My result (the pattern, signs of a link and the depression score)"),
]
PREFERRED_CONTACT = [("phone", "Phone call"), ("text", "Text message"), ("email", "Email")]


class ContactForm(forms.Form):
    """The optional hand-off to the clinic (self-check.md "Privacy")."""

    contact_name = forms.CharField(
        label="Your name, or what you'd like us to call you",
        max_length=100,
        error_messages={"required": "Please tell us what to call you."},
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    preferred_contact = _radio("How should we contact you?", PREFERRED_CONTACT)
    shared = forms.MultipleChoiceField(
        label="What you agree to share with the clinic",
        choices=SHARE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what you tick is sent. Your contact details are always sent.",
    )
    consent = forms.BooleanField(
        label="I agree to be contacted as described above",
        error_messages={"required": "Please tick this box so we may contact you."},
    )

    def __init__(self, *args: Any, clinics: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clinics = {str(clinic.pk): clinic for clinic in clinics}
        if len(clinics) > 1:
            self.fields["clinic"] = forms.ChoiceField(
                label="Which clinic should contact you?",
                choices=[("", "Choose a clinic"), *((k, c.name) for k, c in self._clinics.items())],
                error_messages=REQUIRED,
            )
            self.order_fields(["clinic"])

    def clinic(self) -> Organization:
        """The clinic chosen (the only one when there is one); call after is_valid()."""
        if "clinic" in self.fields:
            return self._clinics[self.cleaned_data["clinic"]]
        return next(iter(self._clinics.values()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        how = data.get("preferred_contact")
        if how in ("phone", "text") and not data.get("phone"):
            self.add_error("phone", "Please give a phone number, or choose email.")
        if how == "email" and not data.get("email"):
            self.add_error("email", "Please give an email address, or choose phone or text.")
        return data
