"""Carry the self-check's answers from one step to the next without storing them.

self-check.md "Privacy": answers live in the request and the result page only. Each
step posts them back in one hidden field, signed with the site's secret so they cannot
be altered on the way (django.core.signing; an altered or expired value is refused).
Nothing goes in the session, the database, the URL or the browser's storage.
"""

from __future__ import annotations

from typing import Any

from django.core import signing

SALT = "tandem.selfcheck.answers/1"
FIELD = "answers"
# An hour is long enough to answer at a gentle pace; older answers must be given again.
MAX_AGE_SECONDS = 60 * 60


class StaleAnswers(Exception):
    """The carried answers were altered, are missing a step, or are too old."""


def seal(answers: dict[str, Any]) -> str:
    """The signed, compressed hidden-field value for ``answers``."""
    return signing.dumps(answers, salt=SALT, compress=True)


def unseal(token: str | None, *, needs: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The answers carried in ``token``; StaleAnswers unless signed, fresh and complete."""
    if not token:
        raise StaleAnswers("no answers were carried")
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature as error:  # SignatureExpired is a subclass
        raise StaleAnswers("the carried answers are altered or too old") from error
    if not isinstance(data, dict) or not needs <= set(data):
        raise StaleAnswers("a step is missing")
    return data
