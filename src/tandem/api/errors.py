"""One error shape for every failure: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tandem.services.errors import ServiceError

logger = logging.getLogger(__name__)

# Parts of a pydantic location that name where, not what ("body", the parameter name).
_WRAPPERS = {"body", "payload", "query", "path", "header", "update", "json"}


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, field: Any = None
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "field": field}}
    return api.create_response(request, body, status=status)


def _field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if str(p) not in _WRAPPERS]
    return ".".join(parts) or "body"


def _validation_message(error: dict[str, Any]) -> str:
    field = _field(list(error.get("loc", [])))
    message = str(error.get("msg", "invalid value"))
    expected = error.get("ctx", {}).get("expected")
    if expected and str(expected) not in message:
        message = f"{message} (allowed: {expected})"
    return f"{field}: {message}"


def _id_out_of_range(error: dict[str, Any]) -> bool:
    loc = list(error.get("loc", []))
    bounds = ("greater_than_equal", "less_than_equal")
    return len(loc) == 2 and loc[0] == "path" and error.get("type") in bounds


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into the one shape."""

    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.field)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "not found")

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        if _id_out_of_range(first):
            # No record has such an id: answered like a missing one (404), as the
            # access rules answer every record the caller may not see.
            return error_response(api, request, 404, "not_found", "not found")
        return error_response(
            api, request, 422, "invalid", _validation_message(first), _field(first.get("loc", []))
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api, request, 401, "unauthenticated", "send an API token as: Bearer <token>"
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, exc.status_code, "error", str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(
            api, request, 413, "too_large", f"body: at most {limit} bytes", "body"
        )

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The type only: an exception's text could hold patient data.
        logger.error("API request failed with %s", type(exc).__name__)
        return error_response(api, request, 500, "internal", "internal error")
