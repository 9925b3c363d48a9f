from __future__ import annotations

from django import forms


class SignInForm(forms.Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": "code: enter the 6 digits your authenticator app shows"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d{6}"}
        ),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        max_length=40,
        error_messages={"required": "enrolment_code: enter the code your administrator gave you"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
