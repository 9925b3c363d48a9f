"""The compiled yes/no check gives jsonschema's verdict on every document we can build.

``parse_case`` trusts ``fast_check`` for valid cases and asks jsonschema to explain the
invalid ones, so the two must never disagree: vignettes, every bad case of
test_bad_cases.py, and Hypothesis mutations of the spec's example (any JSON value put at
any path of it) are checked against both.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tandem.domain.formulation import CASE_SCHEMA
from tandem.domain.formulation.fast_check import compile_check
from tests.unit.domain.formulation.conftest import spec_example, vignettes
from tests.unit.domain.formulation.test_bad_cases import BAD

FAST = compile_check(CASE_SCHEMA)
FULL = Draft202012Validator(CASE_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 40) | st.floats(allow_nan=False)
    | st.sampled_from(["-", "", "2026-02-30", "2026-02-28", "2018", "2018-13", "cocaine",
                       "none", "iop", "female", "tandem.case/1", "2026-10-30\n"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["start", "end", "onset", "level", "response", "x"]), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def test_agrees_on_every_vignette() -> None:
    for vignette in vignettes():
        assert FAST(vignette["case"]) is True is FULL.is_valid(vignette["case"])


@pytest.mark.parametrize(("name", "change"), [(n, c) for n, c, _ in BAD])
def test_agrees_on_every_bad_case(name: str, change: Any) -> None:
    case = spec_example()
    change(case)
    assert FAST(case) == FULL.is_valid(case), name


@settings(max_examples=600, deadline=None)
@given(st.data(), json_values)
def test_agrees_on_mutations_of_the_example(data: st.DataObject, value: Any) -> None:
    case = spec_example()
    path = data.draw(st.sampled_from(_paths(case)[1:]))
    target: Any = case
    for part in path[:-1]:
        target = target[part]
    if data.draw(st.booleans()) and isinstance(target, dict):
        target[data.draw(st.sampled_from(["extra", path[-1]]))] = value
    else:
        target[path[-1]] = copy.deepcopy(value)
    assert FAST(case) == FULL.is_valid(case)


def test_an_unsupported_keyword_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        compile_check({"type": "object", "patternProperties": {}})
