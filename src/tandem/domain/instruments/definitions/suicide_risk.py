"""Suicide risk: the C-SSRS screener, recent version (facts.md s2.4; instruments.md).

The screener is not a sum: the highest positive answer sets a risk tier ("Screener with
Triage Points"). Any tier above ``none`` must reach a human (DESIGN.md s5).
"""

from __future__ import annotations

from tandem.domain.instruments.definitions.scales import NO_YES
from tandem.domain.instruments.model import (
    BandIsNot,
    Instrument,
    Item,
    ItemAtLeast,
    Licence,
    Option,
    SkipWhen,
    Tier,
    Tiers,
)

TRIAGE_SOURCE = (
    "C-SSRS Screener with Triage Points: SAFE-T with C-SSRS form (V2); cssrs.columbia.edu "
    "triage pages for the high tier (V) (facts.md s2.4)"
)

# Q3-Q5 are asked only when Q2 = yes (facts.md s2.4 branching, V2).
AFTER_ACTIVE_THOUGHTS = SkipWhen(gate=2, values=(0,))

BEHAVIOUR = (
    Option(0, "No"),
    Option(1, "Yes, more than 3 months ago"),
    Option(2, "Yes, within the past 3 months"),
)

CSSRS = Instrument(
    id="cssrs",
    name="Columbia Suicide Severity Rating Scale, screen version, recent (C-SSRS screener)",
    version="C-SSRS Screen Version - Recent (2008), with triage points",
    source="Research Foundation for Mental Hygiene (Columbia), cssrs.columbia.edu (facts.md s2.4)",
    licence=Licence(
        wording_reproducible=False,
        terms=(
            "© 2008 Research Foundation for Mental Hygiene. No cost or licence for providers "
            "to build it into an EHR, but the wording may not be altered and the notice must "
            "be kept. Tandem ships scoring and neutral labels; the clinic supplies Columbia's "
            "wording with its notice."
        ),
        source="facts.md s2.4 (cssrs.columbia.edu (V); SPiER licensing memo (V2))",
    ),
    items=(
        Item(1, None, NO_YES, loinc="93246-7"),
        Item(2, None, NO_YES, loinc="93247-5"),
        Item(3, None, NO_YES, loinc="93248-3", skip=AFTER_ACTIVE_THOUGHTS),
        Item(4, None, NO_YES, loinc="93249-1", skip=AFTER_ACTIVE_THOUGHTS),
        Item(5, None, NO_YES, loinc="93250-9", skip=AFTER_ACTIVE_THOUGHTS),
        Item(6, None, BEHAVIOUR, loinc="93267-3"),
    ),
    total=None,
    bands=Tiers(
        tiers=(
            Tier("high", ((4, 1), (5, 1), (6, 2)), TRIAGE_SOURCE),
            Tier("moderate", ((3, 1), (6, 1)), TRIAGE_SOURCE),
            Tier("low", ((1, 1), (2, 1)), TRIAGE_SOURCE),
        ),
        otherwise="none",
    ),
    positive=BandIsNot("none", "instruments.md: any tier above none is positive"),
    flags=(
        ItemAtLeast(
            "behavior_lifetime",
            6,
            1,
            "instruments.md: any suicidal behaviour ever (Q6, facts.md s2.4)",
        ),
    ),
    panel_loinc="93373-9",
    loinc_note=(
        "facts.md s2.4 (V2, confirm at loinc.org); Q6 within 3 months 93269-9; derived "
        "risk level 93374-7 (answer list LL465-6)"
    ),
    notes=(
        "Item 6 encodes Q6 and its recency follow-up: 0 no, 1 yes but more than 3 months "
        "ago, 2 yes within the past 3 months.",
        "Items 3-5 are skipped (`-` or 0) when item 2 is 0 and required when item 2 is 1.",
    ),
)
