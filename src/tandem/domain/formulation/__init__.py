"""The formulation engine: which came first, risk, level of care and one integrated plan.

Public interface (ruleset-v1.md; the web app and the CLI call only these)::

    from tandem.domain.formulation import parse_case, formulate, Case, Formulation
    from tandem.rulesets import load_default        # -> RuleSet
    case = parse_case(data)       # raises InvalidCase: .path ("$.stimulant.last_use"), .problem
    f = formulate(case, ruleset)  # pure
    f.as_dict()                   # the JSON of ruleset-v1.md s10
"""

from __future__ import annotations

from tandem.domain.formulation.case import Case
from tandem.domain.formulation.formulation import Formulation, formulate
from tandem.domain.formulation.parsing import parse_case
from tandem.domain.formulation.ruleset import RuleSet, parse_ruleset
from tandem.domain.formulation.schemas import CASE_SCHEMA, FORMULATION_SCHEMA
from tandem.domain.formulation.summary import summary

__all__ = [
    "CASE_SCHEMA",
    "FORMULATION_SCHEMA",
    "Case",
    "Formulation",
    "RuleSet",
    "formulate",
    "parse_case",
    "parse_ruleset",
    "summary",
]
