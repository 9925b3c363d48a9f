"""A yes/no check of a JSON document against the case schema, compiled once into closures.

jsonschema walks its schema afresh for every document, which costs about half a
millisecond per case; batches of 10,000 cases must take seconds (issue 3). This module
turns the subset of JSON Schema that ``schemas.py`` uses into nested Python functions
that only answer "valid or not". ``parse_case`` calls it first and asks jsonschema only
when the answer is "not valid", so every error message still comes from jsonschema.
Tests hold the two to the same verdict on every vignette, every bad case and Hypothesis
mutations (tests/unit/domain/formulation/test_fast_check.py).

Supported keywords: type, enum, const, properties, required, additionalProperties
(false), items (one schema), anyOf, minimum, maximum, uniqueItems, pattern, format
(date); annotation keywords ($schema, $id, title, description, default) are ignored.
Any other keyword raises, so the schema cannot silently outgrow the checker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = {"$schema", "$id", "title", "description", "default"}
# As jsonschema's type checker: an object is a dict, an array a list.
_KINDS: dict[str, type] = {
    "string": str, "object": dict, "array": list, "boolean": bool, "null": type(None),
}  # fmt: skip
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # as jsonschema's date format


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _KINDS[name])


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1, false is not 0."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return True  # format applies to strings only
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def compile_check(schema: Mapping[str, Any]) -> Check:
    """A function answering whether a document is valid against ``schema``."""
    checks = tuple(
        _keyword(key, value, schema) for key, value in schema.items() if key not in _ANNOTATIONS
    )
    if len(checks) == 1:
        return checks[0]

    def every(value: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a plain loop beats all() on this hot path
            if not check(value):
                return False
        return True

    return every


def _keyword(key: str, rule: Any, schema: Mapping[str, Any]) -> Check:
    simple = _simple_keyword(key, rule)
    if simple is not None:
        return simple
    if key == "properties":
        return _properties(rule)
    if key == "required":
        names = tuple(rule)
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)
    if key == "additionalProperties":
        if rule is not False:
            raise ValueError("only additionalProperties: false is supported")
        allowed = frozenset(schema.get("properties", {}))
        return lambda v: not isinstance(v, dict) or allowed.issuperset(v)
    if key == "items":
        return _items(compile_check(rule))
    if key == "anyOf":
        options = [compile_check(option) for option in rule]
        return lambda v: any(option(v) for option in options)
    raise ValueError(f"keyword {key!r} is not supported by the fast check")


def _simple_keyword(key: str, rule: Any) -> Check | None:
    if key == "type":
        return _type_check((rule,) if isinstance(rule, str) else tuple(rule))
    if key == "enum":
        if all(isinstance(option, str) or option is None for option in rule):
            options = frozenset(rule)  # strings and null: a set lookup is exact
            return lambda v: (v is None or isinstance(v, str)) and v in options
        return lambda v: any(_equal(v, option) for option in rule)
    if key == "const":
        return lambda v: _equal(v, rule)
    if key in ("minimum", "maximum"):
        above = key == "minimum"
        return lambda v: not _is_type(v, "number") or (v >= rule if above else v <= rule)
    if key == "uniqueItems":
        return lambda v: not isinstance(v, list) or not rule or _unique(v)
    if key == "pattern":
        compiled = re.compile(rule)
        return lambda v: not isinstance(v, str) or compiled.search(v) is not None
    if key == "format":
        if rule != "date":
            raise ValueError(f"format {rule!r} is not supported by the fast check")
        return _is_date
    return None


def _type_check(names: tuple[str, ...]) -> Check:
    if "integer" in names or "number" in names:
        # type(v) is int first: the common case, and a bool is never an int here
        return lambda v: type(v) is int or any(_is_type(v, name) for name in names)
    kinds = tuple(_KINDS[name] for name in names)
    if "boolean" in names:
        return lambda v: isinstance(v, kinds)
    return lambda v: isinstance(v, kinds) and not isinstance(v, bool)


def _unique(values: list[Any]) -> bool:
    seen = [(type(v) is bool, v) for v in values]
    return all(seen[i] not in seen[:i] for i in range(len(seen)))


def _items(item: Check) -> Check:
    def check(value: Any) -> bool:
        if isinstance(value, list):
            for x in value:
                if not item(x):
                    return False
        return True

    return check


def _properties(rule: Mapping[str, Any]) -> Check:
    compiled = {name: compile_check(sub) for name, sub in rule.items()}

    def check(value: Any) -> bool:
        if isinstance(value, dict):
            for key, item in value.items():
                sub = compiled.get(key)
                if sub is not None and not sub(item):
                    return False
        return True

    return check
