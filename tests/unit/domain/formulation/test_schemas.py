"""The JSON Schemas: one source (schemas.py), the docs copy and the packaged copy agree,
the spec's example is a valid case, and every formulation validates against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tandem.domain.formulation import CASE_SCHEMA, FORMULATION_SCHEMA, formulate, parse_case
from tandem.domain.formulation.ruleset import RuleSet
from tandem.domain.formulation.schemas import CASE_SCHEMA_V2, FORMULATION_SCHEMA_V2
from tandem.rulesets import load_schema
from tests.unit.domain.formulation.conftest import spec_example, vignettes

ROOT = Path(__file__).resolve().parents[4]
SCHEMAS = {
    "case": CASE_SCHEMA,
    "formulation": FORMULATION_SCHEMA,
    "case-2": CASE_SCHEMA_V2,
    "formulation-2": FORMULATION_SCHEMA_V2,
}
REWRITE = (
    "rewrite both copies from tandem.domain.formulation.schemas (see docs/clinical/formulation.md)"
)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_docs_copy_equals_packaged_copy_equals_source(name: str) -> None:
    docs = json.loads((ROOT / "docs" / "schemas" / f"{name}.schema.json").read_text("utf-8"))
    packaged = load_schema(name)
    assert docs == packaged, REWRITE
    assert packaged == SCHEMAS[name], REWRITE


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    Draft202012Validator.check_schema(SCHEMAS[name])


def test_the_spec_example_is_a_valid_case() -> None:
    validator = Draft202012Validator(
        CASE_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert validator.is_valid(spec_example())


def test_every_vignette_formulation_matches_the_formulation_schema(ruleset: RuleSet) -> None:
    validator = Draft202012Validator(FORMULATION_SCHEMA)
    for vignette in vignettes():
        output = formulate(parse_case(vignette["case"]), ruleset).as_dict()
        errors = [e.message for e in validator.iter_errors(output)]
        assert errors == [], vignette["name"]


def test_the_schema_rejects_what_the_parser_rejects() -> None:
    validator = Draft202012Validator(
        CASE_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    case = spec_example()
    case["stimulant"]["last_use"] = "2026-13-01"
    assert not validator.is_valid(case)
    case = spec_example()
    case["stimulant"]["route"] = "snorted"
    assert not validator.is_valid(case)


def test_every_vignette_under_version_2_matches_the_formulation_2_schema(
    ruleset_v2: RuleSet,
) -> None:
    """The version-1 vignettes (tandem.case/1) under tandem-default/2 read with v1's
    defaults and write tandem.formulation/2."""
    validator = Draft202012Validator(FORMULATION_SCHEMA_V2)
    for vignette in vignettes():
        output = formulate(parse_case(vignette["case"]), ruleset_v2).as_dict()
        errors = [e.message for e in validator.iter_errors(output)]
        assert errors == [], vignette["name"]
