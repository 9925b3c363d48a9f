"""What every request meets first, and what every API error leaves as (issue 13).

- ``RefuseUnstorableMiddleware``: a NUL or an unpaired surrogate anywhere in a request
  (query string, form fields, JSON body, keys included) is refused with 400 naming the
  field, before any view runs: PostgreSQL cannot store NUL (it answered 500) and SQLite
  would store it silently; no database can encode a lone surrogate.
- ``ApiErrorShapeMiddleware``: every API answer of 400 or more that is not already JSON
  (Django's 404 for an unknown URL, django-ninja's plain-text 405) is given the one
  error shape ``{"error": {"code", "message", "field"}}``, keeping its status and its
  ``Allow`` header.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import escape

from tandem.domain.text import unstorable_at

API = "/api/"
MESSAGE = "NUL characters and unpaired surrogates cannot be stored"
CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def error_body(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    code = CODES.get(status, "internal" if status >= 500 else "error")
    return {"error": {"code": code, "message": message, "field": field}}


def _request_values(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {key: request.GET.getlist(key) for key in request.GET}
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, RequestDataTooBig):
                return values  # the API's own parser answers these (400, 413)
            values["__body__"] = body
        elif request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                values.update({key: request.POST.getlist(key) for key in request.POST})
            except RequestDataTooBig:
                return values
    return values


def _unstorable_field(request: HttpRequest) -> str | None:
    for key, value in _request_values(request).items():
        if key == "__body__":
            found = unstorable_at(value)
        elif unstorable_at(key):
            found = "parameters"  # the key itself is bad: do not echo it
        else:
            found = key if unstorable_at(value) else None
        if found:
            return found[:100]
    if unstorable_at(request.path):
        return "path"
    return None


class RefuseUnstorableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _unstorable_field(request)
        if field is None:
            return self.get_response(request)
        message = f"{field}: {MESSAGE}"
        if request.path.startswith(API):
            body = {"error": {"code": "invalid", "message": message, "field": field}}
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(
            f"<!doctype html><title>Not accepted</title><p>{escape(message)}</p>"
        )


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        message = {
            404: "not found",
            405: f"method {request.method} not allowed; allowed: {response.get('Allow', '')}",
        }.get(status, "request refused")
        shaped = JsonResponse(error_body(status, message), status=status)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        return shaped
