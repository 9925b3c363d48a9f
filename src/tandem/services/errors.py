"""The errors services raise; the web turns them into pages and the API into one shape.

    ServiceError
    ├── NotFound          missing OR forbidden patient data (both look the same: 404)
    ├── Forbidden         the actor may see the record but not do this (403)
    ├── Conflict          a stale writer (optimistic concurrency) or a reused key (409)
    ├── ValidationFailed  bad input: names the field and what is allowed (400/422)
    └── TooMany           a rate limit was reached (429)

``NotFound`` subclasses Django's ``Http404`` so views that do not catch it still answer
404 without revealing whether the record exists.
"""

from __future__ import annotations

from django.http import Http404


class ServiceError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError, Http404):
    code = "not_found"
    status = 404

    def __init__(self, message: str = "not found", field: str | None = None) -> None:
        super().__init__(message, field)


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    code = "conflict"
    status = 409


class ValidationFailed(ServiceError):
    code = "invalid"
    status = 422


class AnswerRefused(ValidationFailed):
    """One answer of a questionnaire refused: ``item`` (1-based) says which, as an
    attribute (issue 9 item 7), so a form puts the message on that item's field."""

    def __init__(self, message: str, field: str, item: int) -> None:
        super().__init__(message, field)
        self.item = item


class TooMany(ServiceError):
    code = "too_many"
    status = 429
