"""Refuse names and free text that hold characters Tandem does not store (the rules:
``tandem.domain.text``), with the field named, in every service that takes them, so the
web forms, the API and the CLI refuse alike."""

from __future__ import annotations

from tandem.domain.text import free_text_problem, name_problem
from tandem.services.errors import ValidationFailed


def refuse_bad_name(value: str, field: str) -> None:
    problem = name_problem(value)
    if problem:
        raise ValidationFailed(f"{field}: {problem}", field)


def refuse_bad_text(value: str, field: str) -> None:
    problem = free_text_problem(value)
    if problem:
        raise ValidationFailed(f"{field}: {problem}", field)
