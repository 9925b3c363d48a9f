"""Plain words for the self-check result (self-check.md "The result").

The decisions are ``tandem.domain.selfcheck``'s; this module only chooses the sentences
a person reads. Pattern explanations are the formulation's patient-facing explanations,
so the clinic and the public page say the same thing.

Every sentence is marked with ``gettext_noop`` where it is defined and translated with
``gettext`` when a result is worded, in the language active for the request; the
formulation's sentences are the domain's ``N_``-marked English, translated here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from tandem.domain.formulation.explanations import explain
from tandem.domain.selfcheck import SelfCheckResult

PATTERN_TITLES = {
    "depression_first": gettext_noop("Low mood came first"),
    "use_first": gettext_noop("Using came first"),
    "tangled": gettext_noop("They started together, or it is hard to say"),
}

# self-check.md "Pattern": what each tends to mean comes from the formulation's patient
# explanations (tandem.domain.formulation.explanations), the same words the portal uses;
# self-check.md also asks for a note that the order matters less than the link.
ORDER_NOTE = gettext_noop(
    "Which came first matters less than whether the two are linked now. When they are, "
    "it helps to treat them together, in one plan."
)

LINK_WORDS = {
    "likely": (gettext_noop("Likely linked"), gettext_noop("Both signs of a link are there.")),
    "possible": (gettext_noop("Possibly linked"), gettext_noop("One sign of a link is there.")),
    "no_clear_sign": (
        gettext_noop("No clear sign of a link"),
        gettext_noop("Neither sign of a link is there."),
    ),
}
SIGN_WORDS = {
    "crash_after_use": gettext_noop("your mood often drops lower in the day or two after using"),
    "use_to_lift_mood": gettext_noop(
        "you often use to lift a low mood or to get through feeling empty"
    ),
}

# PHQ-9 bands (facts.md s2.1, Kroenke 2001): keys from the instrument registry.
BAND_WORDS = {
    "none_minimal": gettext_noop("few or no signs of depression right now"),
    "mild": gettext_noop("mild depression"),
    "moderate": gettext_noop("moderate depression"),
    "moderately_severe": gettext_noop("moderately severe depression"),
    "severe": gettext_noop("severe depression"),
}
BAND_RANGES = {
    "none_minimal": "0-4",
    "mild": "5-9",
    "moderate": "10-14",
    "moderately_severe": "15-19",
    "severe": "20-27",
}


@dataclass(frozen=True)
class ResultText:
    pattern_title: str
    pattern_sentences: tuple[str, ...]
    order_note: str
    link_title: str
    link_summary: str
    signs: tuple[str, ...]
    band_words: str
    band_range: str


def result_text(result: SelfCheckResult) -> ResultText:
    """The sentences for one result, in the language active for the request."""
    link_title, link_summary = LINK_WORDS[result.link]
    return ResultText(
        pattern_title=gettext(PATTERN_TITLES[result.pattern]),
        pattern_sentences=(gettext(explain(result.pattern, "patient")),),
        order_note=gettext(ORDER_NOTE),
        link_title=gettext(link_title),
        link_summary=gettext(link_summary),
        signs=tuple(gettext(SIGN_WORDS[s]) for s in result.link_signs),
        band_words=gettext(BAND_WORDS[result.phq9_band]),
        band_range=BAND_RANGES[result.phq9_band],
    )
