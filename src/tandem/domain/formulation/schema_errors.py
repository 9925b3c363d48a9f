"""Turn a JSON Schema error into one line: ``$.json.path: what is wrong and what is allowed``.

The case schema (schemas.py) is compiled once; an invalid case gets the message of its
most relevant error (jsonschema's ``best_match``), rewritten so that a clinician or an
integrator can fix the input without reading the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from tandem.domain.errors import InvalidCase
from tandem.domain.formulation.schemas import FULL_DATE_PATTERN, PARTIAL_DATE_PATTERN

_JSON_TYPES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def json_path(parts: Iterable[str | int]) -> str:
    """``$.stimulant.use_periods[1].end`` from the parts of a path."""
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def shown(value: Any) -> str:
    """A value as it appears in a message (JSON spelling for null and booleans)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value else "''"
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "a list"
    return str(value)


def first_problem(errors: Iterable[ValidationError]) -> InvalidCase:
    """The most relevant error as ``InvalidCase(path, problem)``."""
    error = best_match(errors)
    if error is None:
        return InvalidCase("$", "invalid case")
    return InvalidCase(*describe(error))


def describe(error: ValidationError) -> tuple[str, str]:
    """The JSON path, and the problem naming the value and what is allowed."""
    path = list(error.absolute_path)
    keyword = str(error.validator)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    rule: Any = error.validator_value
    if keyword == "additionalProperties":
        return _unknown_field(path, error.instance, schema)
    if keyword == "required":
        return _missing_field(path, error.instance, rule)
    return json_path(path), _problem(keyword, error.instance, rule, schema, error.message)


def _unknown_field(
    path: list[str | int], instance: Any, schema: Mapping[str, Any]
) -> tuple[str, str]:
    allowed = list(schema.get("properties", {}))
    extra = sorted(name for name in instance if name not in allowed)[0]
    return json_path([*path, extra]), f"unknown field (allowed: {', '.join(allowed)})"


def _missing_field(path: list[str | int], instance: Any, required: list[str]) -> tuple[str, str]:
    missing = next(name for name in required if name not in instance)
    return json_path([*path, missing]), "required field is missing"


def _problem(keyword: str, value: Any, rule: Any, schema: Mapping[str, Any], message: str) -> str:
    if keyword == "type":
        types = [rule] if isinstance(rule, str) else list(rule)
        expected = " or ".join(_JSON_TYPES[t] for t in types)
        return f"{shown(value)} is not {expected}"
    if keyword == "enum":
        return f"{shown(value)} is not one of {', '.join(shown(v) for v in rule)}"
    if keyword == "const":
        return f"{shown(value)} is not {shown(rule)}"
    if keyword in ("pattern", "format"):
        return _bad_date(value, schema)
    if keyword == "minimum":
        return f"{shown(value)} is less than the minimum {rule}"
    if keyword == "maximum":
        return f"{shown(value)} is more than the maximum {rule}"
    if keyword == "uniqueItems":
        return "values must be distinct (a value is repeated)"
    if keyword == "anyOf":
        return f"{shown(value)} is not an answer (an integer, or '-' for a skipped question)"
    return message


def _bad_date(value: Any, schema: Mapping[str, Any]) -> str:
    if schema.get("pattern") == PARTIAL_DATE_PATTERN:
        return f"{shown(value)} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)"
    if schema.get("pattern") == FULL_DATE_PATTERN:
        return f"{shown(value)} is not a valid date (YYYY-MM-DD)"
    return f"{shown(value)} does not match {schema.get('pattern')}"
