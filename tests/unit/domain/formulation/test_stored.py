"""A stored formulation maps back to domain objects, exactly (issue 9 item 6)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from tandem.domain.errors import InvalidInput
from tandem.domain.formulation import formulate, parse_case
from tandem.domain.formulation.ruleset import RuleSet
from tandem.domain.formulation.stored import formulation_from_dict
from tests.unit.domain.formulation.conftest import vignettes
from tests.unit.domain.formulation.test_properties_v2 import RULESET as V2
from tests.unit.domain.formulation.test_properties_v2 import cases


def _round_trip(output: dict[str, object]) -> None:
    stored = json.loads(json.dumps(output))  # as the database gives it back
    again = formulation_from_dict(stored).as_dict()
    assert json.dumps(again, sort_keys=True) == json.dumps(stored, sort_keys=True)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_every_vignette_round_trips(version: str, ruleset: RuleSet, ruleset_v2: RuleSet) -> None:
    rules = ruleset if version == "v1" else ruleset_v2
    for vignette in vignettes():
        _round_trip(formulate(parse_case(vignette["case"]), rules).as_dict())


@settings(max_examples=60, deadline=None)
@given(cases())
def test_case_2_formulations_round_trip(case: dict[str, object]) -> None:
    try:
        output = formulate(parse_case(case), V2).as_dict()
    except InvalidInput:
        return
    _round_trip(output)


def test_a_typed_formulation_reads_as_objects(ruleset_v2: RuleSet) -> None:
    output = formulate(parse_case(vignettes()[0]["case"]), ruleset_v2).as_dict()
    typed = formulation_from_dict(output)
    assert typed.engine == 2
    assert typed.placement.level == output["placement"]["level"]
    assert [i.id for i in typed.plan.interventions] == [
        i["id"] for i in output["plan"]["interventions"]
    ]


def test_an_unknown_schema_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"schema: 'tandem\.formulation/9'"):
        formulation_from_dict({"schema": "tandem.formulation/9"})
