"""JSON Schemas of the intake case and of the formulation (ruleset-v1.md s1, s10).

These dicts are the source; ``docs/schemas/*.schema.json`` and the packaged copies in
``tandem/rulesets/`` are the same documents written out (a test keeps them equal).
The schema checks shape, types, lists of values and date formats; agreements between
fields (order of periods, dates after ``assessed_on``, ``days_used_past_30`` against
``last_use``) are checked in code (parsing.py), since JSON Schema cannot express them.
"""

from __future__ import annotations

import copy
from typing import Any

from tandem.domain.instruments import REGISTRY

FULL_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

# The instrument library's ids, in its order (one vocabulary, issue 9 item 3).
INSTRUMENT_IDS = tuple(REGISTRY)

_BOOL: dict[str, Any] = {"type": "boolean", "default": False}
_FULL_DATE: dict[str, Any] = {"type": "string", "pattern": FULL_DATE_PATTERN, "format": "date"}
_PARTIAL_DATE: dict[str, Any] = {"type": "string", "pattern": PARTIAL_DATE_PATTERN}
_OPEN_END: dict[str, Any] = {"type": ["string", "null"], "pattern": PARTIAL_DATE_PATTERN}


def _enum(*values: str, default: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    if default is not None:
        schema["default"] = default
    return schema


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_ANSWERS: dict[str, Any] = {
    "type": "array",
    "items": {"anyOf": [{"type": "integer"}, {"const": "-"}, {"type": "null"}]},
    "description": "answers in item order, encoded as instruments.md says; '-' = skipped",
}

_STIMULANT = _object(
    {
        "substance": _enum("cocaine", "amphetamine_type", "other_stimulant"),
        "use_periods": {
            "type": "array",
            "items": _object({"start": _PARTIAL_DATE, "end": _OPEN_END}, ("start", "end")),
            "description": "periods of regular (at least weekly) use, oldest first",
        },
        "last_use": {**_FULL_DATE, "type": ["string", "null"], "default": None},
        "days_used_past_30": {"type": "integer", "minimum": 0, "maximum": 30, "default": 0},
        "dsm_criteria_past_12_months": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 11},
            "uniqueItems": True,
            "description": "the DSM-5-TR criteria met (facts.md s3.1)",
        },
        "prescribed_under_supervision": _BOOL,
        "route": _enum("intranasal", "smoked", "injected", "oral", default="intranasal"),
        "uses_alone": _BOOL,
        "opioid_co_use": _BOOL,
        "overdose_past_12_months": _BOOL,
    },
    ("substance",),
)

_CLINICAL = _object(
    {
        "psychosis": _BOOL,
        "medically_unstable": _BOOL,
        "emotion_dysregulation": _BOOL,
        "functional_impairment": _enum("none", "mild", "moderate", "severe", default="none"),
        "recovery_environment": _enum("supportive", "unsupportive", "unsafe", default="supportive"),
        "prior_treatment": {
            "type": "array",
            "items": _object(
                {
                    "level": _enum("outpatient", "iop", "php", "residential"),
                    "response": _enum("none", "partial", "full"),
                },
                ("level", "response"),
            ),
        },
        "mdd_severity": {
            "type": ["string", "null"],
            "enum": ["mild", "moderate", "severe", "severe_psychotic", None],
            "default": None,
        },
    }
)

_LEVELS = ["outpatient", "iop", "php", "residential"]

CASE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://tandem.invalid/schemas/case.schema.json",
    "title": "tandem.case/1: an intake case (ruleset-v1.md s1)",
    **_object(
        {
            "schema": {"const": "tandem.case/1"},
            "assessed_on": _FULL_DATE,
            "patient": _object(
                {
                    "age": {"type": ["integer", "null"], "minimum": 0},
                    "sex": {"type": ["string", "null"], "enum": ["male", "female", None]},
                }
            ),
            "stimulant": _STIMULANT,
            "depressive_episodes": {
                "type": "array",
                "items": _object({"onset": _PARTIAL_DATE, "end": _OPEN_END}, ("onset", "end")),
                "description": "major depressive episodes, oldest first",
            },
            "instruments": _object(dict.fromkeys(INSTRUMENT_IDS, _ANSWERS)),
            "clinical": _CLINICAL,
            "program": _object(
                {
                    "levels_offered": {
                        "type": "array",
                        "items": {"enum": _LEVELS},
                        "uniqueItems": True,
                        "default": ["iop", "php"],
                    },
                    "complementary_offered": {
                        "type": "array",
                        "items": {"enum": ["neurofeedback", "breathwork", "pemf"]},
                        "uniqueItems": True,
                    },
                }
            ),
        },
        ("schema", "assessed_on", "stimulant"),
    ),
}

_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_SCORE = _object(
    {
        "instrument": {"type": "string"},
        "total": {"type": ["integer", "null"]},
        "band": {"type": ["string", "null"]},
        "positive": {"type": "boolean"},
        "flags": _STRINGS,
        "subscores": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
    ("instrument", "total", "band", "positive", "flags", "subscores"),
)
_FACTS: dict[str, Any] = {"type": "object"}
_EPISODE = _object(
    {
        "onset": {"type": "string"},
        "end": {"type": ["string", "null"]},
        "classification": _enum(
            "independent_preceded_use",
            "independent_in_abstinence",
            "independent_persisted",
            "substance_induced",
            "substance_induced_provisional",
        ),
        "rule": {"type": "string"},
        "reason": {"type": "string"},
        "facts": _FACTS,
    },
    ("onset", "end", "classification", "rule", "reason", "facts"),
)
_INTERVENTION = _object(
    {
        "id": {"type": "string"},
        "category": _enum("clinical", "somatic_neuro"),
        "targets": _STRINGS,
        "reason": {"type": "string"},
        "facts": _FACTS,
        "adjunct": {"type": "boolean"},
        "evidence": {"type": "string"},
        "frequency": {"type": "string"},
    },
    ("id", "category", "targets", "reason", "facts", "adjunct", "evidence", "frequency"),
)

FORMULATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://tandem.invalid/schemas/formulation.schema.json",
    "title": "tandem.formulation/1: the output of tandem assess --json (ruleset-v1.md s10)",
    **_object(
        {
            "schema": {"const": "tandem.formulation/1"},
            "ruleset": {"type": "string"},
            "onset_order": _enum(
                "no_depression", "undetermined", "depression_first", "use_first", "tangled"
            ),
            "current_depression": _enum("none", "independent", "substance_induced_provisional"),
            "reassess_on": {"type": ["string", "null"], "pattern": FULL_DATE_PATTERN},
            "episodes": {"type": "array", "items": _EPISODE},
            "use_disorder": _object(
                {
                    "substance": _enum("cocaine", "amphetamine_type", "other_stimulant"),
                    "criteria_count": {"type": "integer", "minimum": 0, "maximum": 11},
                    "severity": _enum("none", "mild", "moderate", "severe"),
                },
                ("substance", "criteria_count", "severity"),
            ),
            "diagnosis_codes": _STRINGS,
            "scores": {"type": "object", "additionalProperties": _SCORE},
            "risk": _object(
                {
                    "suicide": _enum(
                        "none", "low", "moderate", "high", "needs_assessment", "not_screened"
                    ),
                    "overdose": _enum("low", "standard", "elevated"),
                    "actions": _STRINGS,
                    "rules": _STRINGS,
                    "facts": _FACTS,
                },
                ("suicide", "overdose", "actions", "rules", "facts"),
            ),
            "placement": _object(
                {
                    "level": _enum("emergency", "residential_referral", "php", "iop", "outpatient"),
                    "rule": _enum("P1", "P2", "P3", "P4", "P5"),
                    "within_program": {"type": "boolean"},
                    "reasons": _STRINGS,
                    "facts": _FACTS,
                    "note": {"type": ["string", "null"]},
                },
                ("level", "rule", "within_program", "reasons", "facts", "note"),
            ),
            "plan": _object(
                {"interventions": {"type": "array", "items": _INTERVENTION}, "measures": _STRINGS},
                ("interventions", "measures"),
            ),
            "rationale": _STRINGS,
        },
        (
            "schema",
            "ruleset",
            "onset_order",
            "current_depression",
            "reassess_on",
            "episodes",
            "use_disorder",
            "diagnosis_codes",
            "scores",
            "risk",
            "placement",
            "plan",
            "rationale",
        ),
    ),
}


# --- tandem.case/2 and tandem.formulation/2 (ruleset-v2.md s1, s3-s6) --------------------
# Built from the version-1 documents above with only the changes ruleset-v2.md lists, so
# the two versions cannot drift apart where v2 is silent.

_UNKNOWN_BOOL: dict[str, Any] = {"type": ["boolean", "null"], "default": None}


def _case_v2() -> dict[str, Any]:
    case = copy.deepcopy(CASE_SCHEMA)
    case["$id"] = "https://tandem.invalid/schemas/case-2.schema.json"
    case["title"] = "tandem.case/2: an intake case (ruleset-v2.md s1; unknown never means safe)"
    props = case["properties"]
    props["schema"] = {"const": "tandem.case/2"}
    patient = props["patient"]["properties"]
    patient["sex"] = {
        "type": ["string", "null"],
        "enum": ["male", "female", "other", "unknown", None],
    }
    patient["pregnant"] = _UNKNOWN_BOOL
    stimulant = props["stimulant"]["properties"]
    stimulant["days_used_past_30"] = {
        "type": ["integer", "null"],
        "minimum": 0,
        "maximum": 30,
        "default": None,
        "description": "use days among assessed_on and the 29 days before it; null = unknown",
    }
    stimulant["dsm_criteria_past_12_months"] = {
        **stimulant["dsm_criteria_past_12_months"],
        "type": ["array", "null"],
        "default": None,
        "description": (
            "the DSM-5-TR criteria met (facts.md s3.1); null = not assessed, [] = none met"
        ),
    }
    period = stimulant["use_periods"]["items"]["properties"]
    period["pattern"] = _enum("regular", "binge", default="regular")
    stimulant["use_periods"]["description"] = (
        "periods of use, oldest first: regular (at least weekly) or binge (episodes at least "
        "monthly)"
    )
    for name in ("uses_alone", "opioid_co_use", "overdose_past_12_months"):
        stimulant[name] = {**_UNKNOWN_BOOL, "description": "null = not asked"}
    stimulant["remission"] = {
        "anyOf": [
            {"type": "null"},
            _object(
                {
                    "specifier": _enum("early", "sustained"),
                    "severity": _enum("mild", "moderate", "severe"),
                },
                ("specifier", "severity"),
            ),
        ],
        "default": None,
        "description": "DSM-5-TR remission (facts.md s3.1); severity is the disorder's when active",
    }
    clinical = props["clinical"]["properties"]
    for name in ("psychosis", "medically_unstable"):
        clinical[name] = {**_UNKNOWN_BOOL, "description": "null = not assessed"}
    clinical["mania_history"] = {
        **_UNKNOWN_BOOL,
        "description": "a past manic or hypomanic episode",
    }
    clinical["homicidal_ideation"] = _enum("none", "ideation", "plan_or_intent", default="none")
    return case


CASE_SCHEMA_V2: dict[str, Any] = _case_v2()

_REVIEW_FLAG = _object({"id": {"type": "string"}, "text": {"type": "string"}}, ("id", "text"))
_LEVELS_V2 = (
    "emergency",
    "adolescent_referral",
    "residential_referral",
    "php",
    "iop",
    "outpatient",
)


def _formulation_v2() -> dict[str, Any]:
    out = copy.deepcopy(FORMULATION_SCHEMA)
    out["$id"] = "https://tandem.invalid/schemas/formulation-2.schema.json"
    out["title"] = "tandem.formulation/2: the output of tandem assess --json (ruleset-v2.md)"
    props = out["properties"]
    props["schema"] = {"const": "tandem.formulation/2"}
    classes = props["episodes"]["items"]["properties"]["classification"]["enum"]
    classes.insert(classes.index("substance_induced"), "order_unclear")
    use = props["use_disorder"]
    use["properties"]["severity"] = _enum("not_assessed", "none", "mild", "moderate", "severe")
    use["properties"]["criteria_count"] = {"type": ["integer", "null"], "minimum": 0, "maximum": 11}
    use["properties"]["remission"] = {
        "type": ["string", "null"],
        "enum": ["early", "sustained", None],
    }
    use["required"].append("remission")
    risk = props["risk"]
    risk["properties"]["flags"] = {
        "type": "array",
        "items": _enum("item9_positive", "qids_item12_positive", "screens_disagree"),
    }
    risk["required"].append("flags")
    placement = props["placement"]
    placement["properties"]["level"] = _enum(*_LEVELS_V2)
    placement["properties"]["rule"] = _enum("P1", "P1a", "P2", "P3", "P4", "P5")
    placement["properties"]["review_flags"] = {"type": "array", "items": _REVIEW_FLAG}
    placement["properties"]["adult_rules_would_give"] = {
        "anyOf": [
            {"type": "null"},
            _object(
                {
                    "level": _enum(*_LEVELS_V2),
                    "rule": {"type": "string"},
                    "reasons": _STRINGS,
                },
                ("level", "rule", "reasons"),
            ),
        ],
        "description": "P1a only: what the adult rules would say, for information",
    }
    placement["required"] += ["review_flags", "adult_rules_would_give"]
    intervention = props["plan"]["properties"]["interventions"]["items"]
    intervention["properties"]["evidence_level"] = _enum(
        "strong", "moderate", "limited", "insufficient", "not_rated"
    )
    intervention["required"].append("evidence_level")
    return out


FORMULATION_SCHEMA_V2: dict[str, Any] = _formulation_v2()
