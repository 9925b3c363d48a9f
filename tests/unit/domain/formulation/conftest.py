"""Shared fixtures for the formulation tests: the default rule set and the spec's example."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tandem.domain.formulation.ruleset import RuleSet
from tandem.rulesets import load_ruleset

VIGNETTES = Path(__file__).parent / "vignettes" / "vignettes.jsonl"


def vignettes() -> list[dict[str, Any]]:
    """Cases written from ruleset-v1.md, each with the fields worked out by hand."""
    return [json.loads(line) for line in VIGNETTES.read_text(encoding="utf-8").splitlines()]


def spec_example() -> dict[str, Any]:
    """The intake case of ruleset-v1.md s1 (its output is given in s10)."""
    found = next(v for v in vignettes() if v["name"] == "spec_example")
    return copy.deepcopy(found["case"])


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    """Version 1, exactly: these vignettes were worked by hand from ruleset-v1.md."""
    return load_ruleset("tandem-default/1")


@pytest.fixture(scope="session")
def ruleset_v2() -> RuleSet:
    return load_ruleset("tandem-default/2")
