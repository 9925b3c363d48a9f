"""Rule-set files and JSON Schemas shipped with Tandem, and their one-line loaders.

The domain never reads files (tandem.domain is pure); this package reads the packaged
documents with ``importlib.resources`` and hands the mappings to the domain, which
checks them (``parse_ruleset``). ``tandem-default-2.json`` (ruleset-v2.md) is the
default; ``tandem-default-1.json`` (ruleset-v1.md) stays, exact, so that a stored
formulation can be re-checked against the rules it was made with. A program reviews
them, and may ship its own beside them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from tandem.domain.formulation.ruleset import RuleSet, parse_ruleset

# Rule set id -> packaged file; the first is the default.
RULESETS = {
    "tandem-default/2": "tandem-default-2.json",
    "tandem-default/1": "tandem-default-1.json",
}
DEFAULT_ID = "tandem-default/2"
DEFAULT = RULESETS[DEFAULT_ID]


def read_document(name: str) -> dict[str, Any]:
    """A packaged JSON document (rule set or schema) by file name."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def load_ruleset(ruleset_id: str) -> RuleSet:
    """A packaged rule set by id (checked once, then reused); KeyError if unknown."""
    ruleset = parse_ruleset(read_document(RULESETS[ruleset_id]))
    assert ruleset.id == ruleset_id, f"{RULESETS[ruleset_id]} holds {ruleset.id}"
    return ruleset


def load_default() -> RuleSet:
    """The default rule set, ``tandem-default/2``."""
    return load_ruleset(DEFAULT_ID)


def load_schema(name: str) -> dict[str, Any]:
    """A packaged JSON Schema: ``case`` or ``formulation``."""
    return read_document(f"{name}.schema.json")


# The plan's interventions and frequencies in the patient's own words (portal.md "My
# plan"): the program's wording, kept apart from the rule sets and reviewed on its own
# (docs/clinical/patient-texts.md).
PATIENT_TEXTS = "patient-texts.json"


@cache
def load_patient_texts() -> dict[str, Any]:
    """The packaged patient texts: ``interventions`` and ``frequencies``, each a mapping
    of id (or the rule set's frequency text) to ``{language: sentence}``."""
    return read_document(PATIENT_TEXTS)


def patient_text(kind: str, key: str, language: str) -> tuple[str, str] | None:
    """The sentence for ``key`` in ``language``, else in English, as (text, its language);
    None when there is none (``kind``: "interventions" or "frequencies")."""
    texts = load_patient_texts()[kind].get(key)
    if not texts:
        return None
    if language in texts:
        return str(texts[language]), language
    return str(texts["en"]), "en"
