"""Portal forms. The answers' rules live in the services (``services.checkins``,
``services.portal_accounts``); these forms only shape the page and carry the errors the
services name back to their fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from tandem.domain.instruments import Instrument

SCALE = [(str(n), str(n)) for n in range(11)]
SLEEP = [
    (
        str(Decimal(n) / 2),
        _("%(hours)s hours") % {"hours": f"{n / 2:g}"} if n != 28 else _("14 or more hours"),
    )
    for n in range(29)
]
YES_NO = [("no", _("No")), ("yes", _("Yes"))]


class PortalSignInForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=200)


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Your code from the clinic"),
        max_length=40,
        help_text=_("12 letters and numbers, for example ABCD-EFGH-JK23."),
    )
    username = forms.CharField(
        label=_("Choose a user name"),
        max_length=40,
        required=False,
        help_text=_(
            "3 to 40 letters, numbers, dots or dashes. It does not need to be your name. "
            "Leave it empty if you already have one and are setting a new password."
        ),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput,
        max_length=200,
        help_text=_("At least 8 characters. A short sentence is easy to remember."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("en", "English"), ("es", "Español")],
        widget=forms.RadioSelect,
        initial="en",
    )


class CheckInForm(forms.Form):
    """portal.md's daily check-in. Radio rows, not sliders; the safety question is never
    optional."""

    mood = forms.ChoiceField(
        label=_("How has your mood been today?"),
        help_text=_("0 is the worst, 10 the best."),
        choices=SCALE,
        widget=forms.RadioSelect,
    )
    sleep_hours = forms.ChoiceField(
        label=_("How many hours did you sleep last night?"),
        choices=[("", _("Choose hours")), *SLEEP],
    )
    craving = forms.ChoiceField(
        label=_("How strong were cravings today?"),
        help_text=_("0 is none, 10 the strongest."),
        choices=SCALE,
        widget=forms.RadioSelect,
    )
    used = forms.ChoiceField(
        label=_("Have you used cocaine or other stimulants since your last check-in?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    use_days = forms.MultipleChoiceField(
        label=_("If yes: on which days?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    energy = forms.ChoiceField(
        label=_("How much energy did you have?"),
        help_text=_("0 is none, 10 the most."),
        choices=SCALE,
        widget=forms.RadioSelect,
        required=False,
    )
    safety = forms.ChoiceField(
        label=_("Have you had thoughts of harming yourself or that you would be better off dead?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, day: dt.date, today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["use_days"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(d.isoformat(), day_name(d, today)) for d in use_day_choices(day)]


def use_day_choices(day: dt.date) -> list[dt.date]:
    """The check-in's day and the 2 days before it (``services.checkins.LATE_DAYS``)."""
    return [day - dt.timedelta(days=k) for k in range(3)]


def day_name(day: dt.date, today: dt.date) -> str:
    """ "Today", "Yesterday", or the weekday and date, in the page's language."""
    if day == today:
        return str(_("Today"))
    if day == today - dt.timedelta(days=1):
        return str(_("Yesterday"))
    return formats.date_format(day, "l j F")


class RelapsePreventionForm(forms.Form):
    """The relapse-prevention plan's five fields (services.relapse_prevention.FIELDS);
    one item per line."""

    triggers = forms.CharField(
        label=_("My triggers"),
        help_text=_("Places, people, feelings or times that make using more likely. One per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    warning_signs = forms.CharField(
        label=_("My warning signs"),
        help_text=_("Early signs that things are getting harder. One per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    coping_steps = forms.CharField(
        label=_("What I can do"),
        help_text=_("Steps that help me in a hard moment. One per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    people_to_call = forms.CharField(
        label=_("People I can call"),
        help_text=_("A name and a phone number on each line."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    reasons_for_change = forms.CharField(
        label=_("My reasons for change"),
        help_text=_("What matters to me. One per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class QuestionnaireForm(forms.Form):
    """A self-administrable instrument's items, worded exactly as the catalogue has them
    (tandem.domain.instruments; never retyped, never translated here)."""

    def __init__(self, *args: object, instrument: Instrument, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for item in instrument.items:
            if item.text is None:
                continue  # an optional item whose wording we do not ship
            self.fields[f"item_{item.number}"] = forms.ChoiceField(
                label=item.text,
                choices=[(str(o.value), o.label) for o in item.options],
                widget=forms.RadioSelect,
                required=not item.optional,
            )

    def answers(self) -> list[int]:
        """The answers in item order; a trailing optional item only when answered."""
        values = [self.cleaned_data.get(name) for name in self.fields]
        while values and values[-1] in ("", None):
            values.pop()
        return [int(str(v)) for v in values]
