"""A stored formulation back into domain objects (issue 9 item 6).

The app stores ``Formulation.as_dict()`` as JSON and never recomputes it. Pages, and
later FHIR, reports and quality measures, read it through ``formulation_from_dict``
instead of re-parsing dicts: the mapping is one place, and
``formulation_from_dict(f.as_dict()).as_dict() == f.as_dict()`` for both schema versions
(tests/unit/domain/formulation/test_stored.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tandem.domain.errors import InvalidInput
from tandem.domain.formulation.case import DepressiveEpisode
from tandem.domain.formulation.dates import parse_partial_date
from tandem.domain.formulation.decisions import Intervention, Placement, Plan, ReviewFlag
from tandem.domain.formulation.formulation import (
    SCHEMA,
    SCHEMA_V2,
    Formulation,
    Risk,
    UseDisorder,
)
from tandem.domain.formulation.timeline import EpisodeFinding, Finding
from tandem.domain.instruments import Score

ENGINES = {SCHEMA: 1, SCHEMA_V2: 2}


def formulation_from_dict(data: Mapping[str, Any]) -> Formulation:
    """The ``Formulation`` a stored ``tandem.formulation/1`` or ``/2`` object describes.

    Raises ``InvalidInput`` naming the schema when the object is neither version.
    """
    engine = ENGINES.get(str(data.get("schema")))
    if engine is None:
        raise InvalidInput(
            f"schema: {data.get('schema')!r} is not {SCHEMA} or {SCHEMA_V2} (a stored formulation)"
        )
    use = data["use_disorder"]
    reassess_on = data["reassess_on"]
    return Formulation(
        ruleset=data["ruleset"],
        onset_order=data["onset_order"],
        current_depression=data["current_depression"],
        reassess_on=None if reassess_on is None else date.fromisoformat(reassess_on),
        episodes=tuple(_episode(item) for item in data["episodes"]),
        use_disorder=UseDisorder(
            use["substance"], use["criteria_count"], use["severity"], use.get("remission")
        ),
        diagnosis_codes=tuple(data["diagnosis_codes"]),
        scores={name: _score(item) for name, item in data["scores"].items()},
        risk=_risk(data["risk"]),
        placement=_placement(data["placement"]),
        plan=Plan(
            tuple(_intervention(item) for item in data["plan"]["interventions"]),
            tuple(data["plan"]["measures"]),
        ),
        rationale=tuple(_finding(line) for line in data["rationale"]),
        engine=engine,
    )


def _episode(item: Mapping[str, Any]) -> EpisodeFinding:
    onset = parse_partial_date(item["onset"], "$.episodes[].onset")
    end = None if item["end"] is None else parse_partial_date(item["end"], "$.episodes[].end")
    return EpisodeFinding(
        DepressiveEpisode(onset, end),
        item["classification"],
        item["rule"],
        item["reason"],
        dict(item["facts"]),
    )


def _score(item: Mapping[str, Any]) -> Score:
    return Score(
        instrument=item["instrument"],
        total=item["total"],
        band=item["band"],
        positive=item["positive"],
        flags=tuple(item["flags"]),
        subscores=dict(item["subscores"]),
    )


def _risk(item: Mapping[str, Any]) -> Risk:
    return Risk(
        suicide=item["suicide"],
        overdose=item["overdose"],
        actions=tuple(item["actions"]),
        rules=tuple(item["rules"]),
        facts=dict(item["facts"]),
        flags=tuple(item.get("flags", ())),
    )


def _placement(item: Mapping[str, Any]) -> Placement:
    adult = item.get("adult_rules_would_give")
    return Placement(
        level=item["level"],
        rule=item["rule"],
        within_program=item["within_program"],
        reasons=tuple(item["reasons"]),
        facts=dict(item["facts"]),
        note=item["note"],
        review_flags=tuple(ReviewFlag(f["id"], f["text"]) for f in item.get("review_flags", ())),
        adult=None
        if adult is None
        else Placement(adult["level"], adult["rule"], False, tuple(adult["reasons"]), {}, None),
    )


def _intervention(item: Mapping[str, Any]) -> Intervention:
    return Intervention(
        id=item["id"],
        category=item["category"],
        targets=tuple(item["targets"]),
        reason=item["reason"],
        facts=dict(item["facts"]),
        adjunct=item["adjunct"],
        evidence=item["evidence"],
        frequency=item["frequency"],
        evidence_level=item.get("evidence_level"),
    )


def _finding(line: str) -> Finding:
    """``"<rule id>: <sentence>"`` (formulation.py writes every rationale line so)."""
    rule, _, text = line.partition(": ")
    return Finding(rule, text)
