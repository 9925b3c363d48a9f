"""Rule-set files and JSON Schemas shipped with Tandem, and their one-line loaders.

The domain never reads files (tandem.domain is pure); this package reads the packaged
documents with ``importlib.resources`` and hands the mappings to the domain, which
checks them (``parse_ruleset``). ``tandem-default-1.json`` is the default rule set of
ruleset-v1.md; a program reviews it, and may ship its own beside it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from tandem.domain.formulation.ruleset import RuleSet, parse_ruleset

DEFAULT = "tandem-default-1.json"


def read_document(name: str) -> dict[str, Any]:
    """A packaged JSON document (rule set or schema) by file name."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def load_default() -> RuleSet:
    """The default rule set, ``tandem-default/1`` (checked once, then reused)."""
    return parse_ruleset(read_document(DEFAULT))


def load_schema(name: str) -> dict[str, Any]:
    """A packaged JSON Schema: ``case`` or ``formulation``."""
    return read_document(f"{name}.schema.json")
