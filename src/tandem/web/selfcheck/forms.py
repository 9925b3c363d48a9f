"""The self-check's questions in warm, plain words (constructs of self-check.md).

The choice values are those of ``tandem.domain.selfcheck``; only the wording lives here.
The PHQ-9 items come from the instrument registry with their exact wording (facts.md
s2.1: Pfizer's licence allows reproduction without permission); they are never passed
through gettext, because their official Spanish wording is not verified here (facts.md
s12.4, docs/clinical/spanish.md). Every other word is marked for translation.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.domain.instruments.model import Instrument
from tandem.storage.models import Organization

REQUIRED = {"required": _("Please choose an answer.")}

STARTED_FIRST = [
    ("low_mood", _("Feeling low came first")),
    ("stimulant_use", _("Using came first")),
    ("same_time", _("They started around the same time")),
    ("not_sure", _("I'm not sure")),
]
FREQUENCY = [
    ("never", _("Never")),
    ("sometimes", _("Sometimes")),
    ("often", _("Often")),
    ("almost_always", _("Almost always")),
]
MOOD_WITHOUT_USE = [
    ("yes", _("Yes, the low mood stayed")),
    ("no", _("No, it lifted")),
    ("no_stretch", _("I haven't had a month or more without using")),
]
DAYS_USED = [
    ("0", _("None")),
    ("1-3", _("1 to 3 days")),
    ("4-8", _("4 to 8 days")),
    ("9-15", _("9 to 15 days")),
    ("16+", _("16 days or more")),
]
OVERDOSE_RISKS = [
    ("ever_overdosed", _("I have overdosed before")),
    ("uses_alone", _("I often use on my own, with no one around")),
    ("opioids_or_pills", _("I also use opioids, or pills that did not come from a pharmacy")),
]


def _radio(label: Any, choices: list[tuple[str, Any]], help_text: Any = "") -> forms.Field:
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
        _("Thinking back, which came first: feeling low, or using cocaine or other stimulants?"),
        STARTED_FIRST,
    )
    crash_after_use = _radio(
        _("In the day or two after using, does your mood drop lower than usual?"), FREQUENCY
    )
    use_to_lift_mood = _radio(
        _("Do you use to lift a low mood, or to get through feeling empty?"), FREQUENCY
    )
    low_mood_without_use = _radio(
        _("Think of a time you went a month or more without using. Did the low mood stay?"),
        MOOD_WITHOUT_USE,
    )
    days_used_past_30 = _radio(
        _("In the past 30 days, on how many days did you use?"),
        DAYS_USED,
        help_text=_("A rough count is fine."),
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
        label=_("Tick any that are true for you"),
        choices=OVERDOSE_RISKS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("These raise the risk of an overdose. Leave them all unticked if none apply."),
    )

    def flags(self) -> dict[str, bool]:
        marked = set(self.cleaned_data["risks"])
        return {value: value in marked for value, _ in OVERDOSE_RISKS}


SHARE_CHOICES = [
    ("answers", _("My answers to the questions")),
    ("result", _("My result (the pattern, signs of a link and the depression score)")),
]
PREFERRED_CONTACT = [("phone", _("Phone call")), ("text", _("Text message")), ("email", _("Email"))]


class ContactForm(forms.Form):
    """The optional hand-off to the clinic (self-check.md "Privacy")."""

    contact_name = forms.CharField(
        label=_("Your name, or what you'd like us to call you"),
        max_length=100,
        error_messages={"required": _("Please tell us what to call you.")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    preferred_contact = _radio(_("How should we contact you?"), PREFERRED_CONTACT)
    shared = forms.MultipleChoiceField(
        label=_("What you agree to share with the clinic"),
        choices=SHARE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what you tick is sent. Your contact details are always sent."),
    )
    consent = forms.BooleanField(
        label=_("I agree to be contacted as described above"),
        error_messages={"required": _("Please tick this box so we may contact you.")},
    )

    def __init__(self, *args: Any, clinics: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clinics = {str(clinic.pk): clinic for clinic in clinics}
        if len(clinics) > 1:
            self.fields["clinic"] = forms.ChoiceField(
                label=_("Which clinic should contact you?"),
                choices=[
                    ("", _("Choose a clinic")),
                    *((k, c.name) for k, c in self._clinics.items()),
                ],
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
            self.add_error("phone", _("Please give a phone number, or choose email."))
        if how == "email" and not data.get("email"):
            self.add_error("email", _("Please give an email address, or choose phone or text."))
        return data
