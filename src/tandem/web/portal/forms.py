"""Portal forms. The answers' rules live in the services (``services.checkins``,
``services.portal_accounts``); these forms only shape the page and carry the errors the
services name back to their fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

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
