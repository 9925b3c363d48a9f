"""Turn a service's ValidationFailed into an error on the field it names.

Services name the JSON path of the case (``$.stimulant.use_periods[1].start``), an
instrument item (``answers: phq9: item 3: ...``) or a plain field (``review_on``). Each
page says which of its form fields stand for which paths; an error whose path no field
stands for is shown at the top of the form with its whole message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.services.errors import AnswerRefused, Forbidden, ServiceError, ValidationFailed

Target = tuple[forms.Form, str | None]


def attach(error: ValidationFailed, targets: Mapping[str, Target], fallback: forms.Form) -> None:
    """Add ``error`` to the form field its path names (longest matching path wins)."""
    path = error.field or ""
    message = error.message
    for key in sorted(targets, key=len, reverse=True):
        if path == key or path.startswith(key + ".") or path.startswith(key + "["):
            form, field = targets[key]
            form.add_error(field, _without_path(message, path))
            return
    fallback.add_error(None, in_words(message, path))


def attach_item(error: ServiceError, form: forms.Form) -> None:
    """An instrument error names its item (``AnswerRefused.item``): put it on that item's
    field; any other error goes above the form."""
    item = error.item if isinstance(error, AnswerRefused) else None
    field = f"item_{item}" if item is not None else None
    form.add_error(field if field in form.fields else None, error.message)


# The case's JSON path segments as a clinician names them (for a formulation's refusal).
_PATH_WORDS = {
    "stimulant": "stimulant use", "use_periods": "use period",
    "depressive_episodes": "depressive episode", "start": "began", "onset": "began",
    "end": "ended", "last_use": "last day of use", "assessed_on": "assessment date",
    "days_used_past_30": "days of use in the past 30", "clinical": "clinical facts",
    "dsm_criteria_past_12_months": "DSM-5-TR criteria", "instruments": "questionnaires",
    "patient": "patient", "program": "program", "case": "the case",
}  # fmt: skip


def in_words(message: str, path: str) -> str:
    """A service message that starts with a JSON path, with the path in words
    (``$.stimulant.use_periods[0].end: ...`` -> ``Stimulant use, use period 1, ended: ...``)."""
    if not path.startswith("$") or not message.startswith(path):
        return message
    parts = []
    for segment in path.lstrip("$.").split("."):
        name, _, index = segment.partition("[")
        word = _PATH_WORDS.get(name, name.replace("_", " "))
        parts.append(f"{word} {int(index.rstrip(']')) + 1}" if index else word)
    rest = message[len(path) :].lstrip(": ").replace("assessed_on", "the assessment date")
    return f"{', '.join(parts).capitalize()}: {rest}"


def _without_path(message: str, path: str) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if path and message.startswith(prefix) else message


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A 403 page for a role that may see the record but not do this."""
    return render(request, "clinic/forbidden.html", {"message": message}, status=403)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page for a refused change that has no form to show it on."""
    return render(request, "clinic/bad_request.html", {"message": message}, status=400)


class RefusalPageMiddleware:
    """Refusals become pages in one place (issue 9 item 4): a service's ``Forbidden``
    raised by a clinic view is the 403 page with the service's message in words. Views do
    not catch it themselves; the API has its own handler (one error shape)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Forbidden) and not request.path.startswith("/api/"):
            return forbidden(request, exception.message)
        return None
