"""The person's language on public pages; English for staff pages and the API.

portal.md "Spanish": the person chooses the language and can switch at any time. The
choice lives in Django's language cookie (set by ``django.views.i18n.set_language`` or
by ``remember``), never in a URL, so no path carries anything about the person.
Staff pages are written in English only; without this middleware a staff member whose
browser asks for Spanish would get Django's own messages (form errors) in Spanish in
the middle of English pages, and the API's messages must stay English for its clients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

ENGLISH = "en"


def is_english_only(path: str) -> bool:
    """True for staff pages and the API (``settings.TANDEM_ENGLISH_ONLY_PATHS``)."""
    return path.startswith(tuple(settings.TANDEM_ENGLISH_ONLY_PATHS))


class EnglishOnlyMiddleware:
    """After LocaleMiddleware: put staff pages and the API back to English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_english_only(request.path_info):
            translation.activate(ENGLISH)
            request.LANGUAGE_CODE = ENGLISH
        return self.get_response(request)


def chosen_language(code: str | None) -> str | None:
    """``code`` when it is one of ``settings.LANGUAGES``, else None."""
    offered = {language for language, _ in settings.LANGUAGES}
    return code if code in offered else None


def remember(response: HttpResponse, language: str) -> HttpResponse:
    """Set the language cookie as ``set_language`` does (same name and attributes)."""
    # django-stubs type the setting as str; settings.py sets "Lax".
    samesite = cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=samesite,
    )
    return response
