"""Turn a service's ValidationFailed into an error on the field it names.

Services name the JSON path of the case (``$.stimulant.use_periods[1].start``), an
instrument item (``answers: phq9: item 3: ...``) or a plain field (``review_on``). Each
page says which of its form fields stand for which paths; an error whose path no field
stands for is shown at the top of the form with its whole message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.services.errors import ServiceError, ValidationFailed

Target = tuple[forms.Form, str | None]
_ITEM = re.compile(r"\bitem (\d+)\b")


def attach(error: ValidationFailed, targets: Mapping[str, Target], fallback: forms.Form) -> None:
    """Add ``error`` to the form field its path names (longest matching path wins)."""
    path = error.field or ""
    message = error.message
    for key in sorted(targets, key=len, reverse=True):
        if path == key or path.startswith(key + ".") or path.startswith(key + "["):
            form, field = targets[key]
            form.add_error(field, _without_path(message, path))
            return
    fallback.add_error(None, message)


def attach_item(error: ServiceError, form: forms.Form) -> None:
    """An instrument error names its item: put it on that item's field."""
    match = _ITEM.search(error.message)
    field = f"item_{match.group(1)}" if match else None
    form.add_error(field if field in form.fields else None, error.message)


def _without_path(message: str, path: str) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if path and message.startswith(prefix) else message


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A 403 page for a role that may see the record but not do this."""
    return render(request, "clinic/forbidden.html", {"message": message}, status=403)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page for a refused change that has no form to show it on."""
    return render(request, "clinic/bad_request.html", {"message": message}, status=400)
