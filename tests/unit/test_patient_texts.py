"""Every intervention of both rule sets has a patient sentence (portal.md "My plan"),
and every frequency the rule sets write has plain words, in English and in Spanish."""

from __future__ import annotations

import re

from tandem.domain.labels import clinical_text
from tandem.rulesets import RULESETS, load_patient_texts, load_ruleset, patient_text

# Words a patient sentence must never use (portal.md: never shaming; no promises).
NEVER = re.compile(r"\b(relapse[sd]?|fail\w*|dirty|clean|cure\w*|guarantee\w*|proven)\b", re.I)
# The same in Spanish (docs/clinical/spanish.md), and never cash for gift card credit.
NEVER_ES = re.compile(
    r"\b(reca[ií]\w*|fracas\w*|fall[oóa]\w*|suci[oa]s?|limpi[oa]s?|cura\w*|garantiz\w*"
    r"|comprobad[oa]s?|efectivo|dinero)\b",
    re.I,
)


def test_every_intervention_of_both_rule_sets_has_a_patient_text() -> None:
    for ruleset_id in RULESETS:
        for rule in load_ruleset(ruleset_id).interventions:
            found = patient_text("interventions", rule.id, "en")
            assert found is not None, f"{ruleset_id}: {rule.id} has no patient text"
            text, language = found
            assert language == "en"
            assert text.endswith(".")
            assert len(text) <= 200


def test_every_rule_set_frequency_has_plain_words() -> None:
    for ruleset_id in RULESETS:
        ruleset = load_ruleset(ruleset_id)
        written = [r.frequency for r in ruleset.interventions if r.frequency]
        written += list(ruleset.frequency_by_level.values())
        for text in written:
            if "{" in text:
                continue  # a date filled in by the engine ("on {reassess_on}")
            assert patient_text("frequencies", clinical_text(text), "en"), text


def test_no_shaming_words_or_numbers_and_no_other_ids() -> None:
    texts = load_patient_texts()
    known = {r.id for rid in RULESETS for r in load_ruleset(rid).interventions}
    assert set(texts["interventions"]) == known
    for kind in ("interventions", "frequencies"):
        for sentences in texts[kind].values():
            for sentence in sentences.values():
                assert not NEVER.search(sentence), sentence
                assert not re.search(r"\d+\s*%|\bg\s*=|\bd\s*=", sentence), sentence


def test_every_text_has_spanish_too() -> None:
    texts = load_patient_texts()
    for kind in ("interventions", "frequencies"):
        for key, sentences in texts[kind].items():
            spanish = sentences.get("es", "")
            assert spanish.endswith("."), f"{kind}: {key} has no Spanish sentence"
            assert len(spanish) <= 200, key
            assert not NEVER_ES.search(spanish), spanish
            assert patient_text(kind, key, "es") == (spanish, "es")


def test_a_missing_language_falls_back_to_english_and_says_so() -> None:
    assert patient_text("interventions", "safety_plan", "fr") == (
        load_patient_texts()["interventions"]["safety_plan"]["en"],
        "en",
    )
    assert patient_text("interventions", "no_such_id", "en") is None
