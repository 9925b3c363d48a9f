"""Plain-language explanations of onset order and current depression, for two audiences.

Each text paraphrases ruleset-v1.md s3-s5, facts.md s3.4 (DSM-5-TR criterion C: symptoms
preceded use, or persisted about a month after use stopped) and DESIGN.md (care never
waits for abstinence). Each says what the finding is not: a screen from reported dates,
provisional, to be confirmed by a clinician. No clinical claim here goes beyond those
sources. The clinician text names the default thresholds (90 and 28 days, both the
program's choices in tandem-default/1); the patient text gives no numbers but "about
four weeks". The public self-check and the patient portal use the patient texts, which
are marked with ``N_`` so the web layer can translate them (docs/clinical/spanish.md);
the clinician texts are English only, like the clinic's pages.
"""

from __future__ import annotations

from typing import Literal

from tandem.domain.errors import InvalidInput
from tandem.domain.i18n import N_

Audience = Literal["clinician", "patient"]

# Every patient text ends with the same sentence ("This is a first look, not a diagnosis:
# a clinician will go over it with you."), written out in each so that the whole text is
# one literal that ``makemessages --keyword=N_`` can extract.

_TEXTS: dict[str, dict[Audience, str]] = {
    "depression_first": {
        "clinician": (
            "The first depressive episode began well before the first period of regular "
            "stimulant use (at least 90 days by default, partial dates read as their widest "
            "range). Depression that preceded use is one of DSM-5-TR's signs of an independent "
            "depressive disorder. A screening finding from reported dates, not a diagnosis: "
            "confirm the timeline at interview."
        ),
        "patient": N_(
            "From what you told us, your low mood seems to have started some time before you "
            "began using regularly. That can mean the depression is a condition of its own that "
            "deserves its own care. "
            "This is a first look, not a diagnosis: a clinician will go over it with you."
        ),
    },
    "use_first": {
        "clinician": (
            "Regular stimulant use began well before the first depressive episode (at least 90 "
            "days by default). This order fits depression that arose with use, but an episode "
            "can still be independent, for example one that began in sustained abstinence; "
            "each episode is classified on its own. A screening finding from reported dates, "
            "to be confirmed at interview."
        ),
        "patient": N_(
            "From what you told us, regular use seems to have started before the low mood. "
            "Sometimes low mood comes with use and lifts after a time without it; sometimes it "
            "is a condition of its own. "
            "This is a first look, not a diagnosis: a clinician will go over it with you."
        ),
    },
    "tangled": {
        "clinician": (
            "The first depressive episode and the first period of regular use began within 90 "
            "days (default) of each other, or the dates are too imprecise to order them. Onset "
            "order cannot separate them; each episode's classification rests on use and "
            "abstinence periods instead. Provisional: a more precise timeline may resolve it."
        ),
        "patient": N_(
            "Your low mood and your regular use seem to have started around the same time, or "
            "the dates are not precise enough to tell which came first. Either way, both are "
            "treated together. "
            "This is a first look, not a diagnosis: a clinician will go over it with you."
        ),
    },
    "no_depression": {
        "clinician": (
            "No major depressive episode is recorded, so onset order does not apply. This "
            "reflects the history as entered, not a screen: current symptoms are checked with "
            "the PHQ-9, and the history is reviewed if it is raised."
        ),
        "patient": N_(
            "You did not report a period of depression, so there is nothing to put in order. "
            "If your mood changes, tell your care team. "
            "This is a first look, not a diagnosis: a clinician will go over it with you."
        ),
    },
    "undetermined": {
        "clinician": (
            "Depressive episodes are recorded but no period of regular (at least weekly) use, "
            "so onset order cannot be determined; each episode counts as preceding regular use. "
            "To be confirmed: check that no period of regular use was left out of the timeline."
        ),
        "patient": N_(
            "You told us about periods of low mood but no period of regular use, so we cannot "
            "say which came first. "
            "This is a first look, not a diagnosis: a clinician will go over it with you."
        ),
    },
    "none": {
        "clinician": (
            "No depressive episode is ongoing in the recorded history. This is not a screen: "
            "check current symptoms with the PHQ-9 and review the history if the score is raised."
        ),
        "patient": N_(
            "From what you told us, you are not in a period of depression right now. If that "
            "changes, tell your care team. "
            "This is a first look, not a diagnosis: a clinician will go over it with you."
        ),
    },
    "independent": {
        "clinician": (
            "The ongoing episode counts as independent of stimulant use: it preceded use, began "
            "in sustained abstinence, persisted about a month (28 days by default) after use "
            "stopped, or an earlier episode was independent (the program's looser reading of "
            "DSM-5-TR's 'history of recurrent non-substance episodes'). It calls for depression "
            "care in its own right alongside care for use. Provisional, from reported dates: the "
            "clinician confirms the diagnosis and its code."
        ),
        "patient": N_(
            "Your current low mood looks like it may be a condition of its own, not only an "
            "effect of using. That means it deserves its own care, alongside help with use. "
            ""
            "This is a first look, not a diagnosis: a clinician will go over it with you."
        ),
    },
    "substance_induced_provisional": {
        "clinician": (
            "The ongoing episode began during use or within 28 days (default) of stopping, so it "
            "may be substance-induced; whether it persists about a month into abstinence cannot "
            "be judged yet (DSM-5-TR criterion C). Reassess on reassess_on (last use + 28 days); "
            "care does not wait for abstinence, and the plan treats mood meanwhile. Provisional "
            "by definition, to be confirmed."
        ),
        "patient": N_(
            "Your current low mood started while you were using, or soon after you stopped. Low "
            "mood like this can lift after some weeks without using; if it does not, it may be a "
            "condition of its own. We will check again after about four weeks without use, and "
            "you do not have to stop using to get help. "
            "This is a first look, not a diagnosis: a clinician will go over it with you."
        ),
    },
}

FINDINGS = tuple(_TEXTS)


def explain(finding: str, audience: Audience) -> str:
    """Two or three sentences on an onset order or a current-depression value.

    ``finding`` is an ``onset_order`` value (``no_depression``, ``undetermined``,
    ``depression_first``, ``use_first``, ``tangled``) or a ``current_depression`` value
    (``none``, ``independent``, ``substance_induced_provisional``); ``audience`` is
    ``clinician`` or ``patient`` (gentler, no jargon).
    """
    texts = _TEXTS.get(finding)
    if texts is None:
        raise InvalidInput(f"finding: {finding!r} is not one of {', '.join(FINDINGS)}")
    if audience not in texts:
        raise InvalidInput(f"audience: {audience!r} is not one of clinician, patient")
    return texts[audience]
