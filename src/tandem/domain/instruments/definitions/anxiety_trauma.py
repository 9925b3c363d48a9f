"""Anxiety and trauma: GAD-7, PCL-5 (facts.md s2.3, s2.5; instruments.md)."""

from __future__ import annotations

from dataclasses import replace

from tandem.domain.errors import InvalidOption
from tandem.domain.instruments.definitions.depression import PFIZER_LICENCE
from tandem.domain.instruments.definitions.scales import (
    DIFFICULTY,
    FREQUENCY_TWO_WEEKS,
    TWO_WEEKS_INSTRUCTION,
)
from tandem.domain.instruments.model import (
    AtLeast,
    Band,
    BandTable,
    CriteriaMet,
    Criterion,
    Cutoff,
    Instrument,
    Item,
    Licence,
    Option,
    Subscore,
    plain_sum,
)

# Item wording of the Pfizer GAD-7 form (free to reproduce, facts.md s2.3) with the item
# LOINC codes of facts.md s2.3 (V2). Re-check the wording against the Pfizer form before
# release. The difficulty item's exact GAD-7 wording and LOINC code are not in facts.md
# (its LOINC is UNVERIFIED, s11.4), so it ships without text.
GAD7_ITEMS = (
    ("Feeling nervous, anxious, or on edge", "69725-0"),
    ("Not being able to stop or control worrying", "68509-9"),
    ("Worrying too much about different things", "69733-4"),
    ("Trouble relaxing", "69734-2"),
    ("Being so restless that it is hard to sit still", "69735-9"),
    ("Becoming easily annoyed or irritable", "69689-8"),
    ("Feeling afraid as if something awful might happen", "69736-7"),
)

GAD7 = Instrument(
    instruction=TWO_WEEKS_INSTRUCTION,
    id="gad7",
    name="Generalized Anxiety Disorder 7-item scale (GAD-7)",
    version="GAD-7 (Spitzer, Kroenke, Williams & Löwe 2006)",
    source="Spitzer RL, Kroenke K, Williams JBW, Löwe B. Arch Intern Med 2006;166:1092-1097",
    licence=PFIZER_LICENCE,
    items=(
        *(
            Item(number, text, FREQUENCY_TWO_WEEKS, loinc=loinc)
            for number, (text, loinc) in enumerate(GAD7_ITEMS, start=1)
        ),
        Item(8, None, DIFFICULTY, optional=True),
    ),
    total=plain_sum(1, 7, 21),
    bands=(
        BandTable(
            bands=(
                Band("minimal", 0, 4, "minimal"),
                Band("mild", 5, 9, "mild"),
                Band("moderate", 10, 14, "moderate"),
                Band("severe", 15, 21, "severe"),
            ),
            source="Spitzer 2006 scoring note (facts.md s2.3) (V2)",
        ),
    ),
    positive=AtLeast(
        (
            Cutoff(
                10,
                "Spitzer 2006: >= 10, sensitivity 89%, specificity 82% for GAD (facts.md s2.3) (V)",
            ),
        )
    ),
    panel_loinc="69737-5",
    total_loinc="70274-6",
    loinc_note=(
        "facts.md s2.3 (V2); answers LA6568-5 … LA6571-9; difficulty item LOINC UNVERIFIED"
    ),
    notes=(
        "Item 8 (difficulty) is optional and never added to the total; its wording is not "
        "shipped (not in facts.md).",
        "Item wording transcribed from the Pfizer form (free to reproduce); re-check it "
        "against phqscreeners.com before release.",
    ),
)

PCL5_OPTIONS = (
    Option(0, "Not at all"),
    Option(1, "A little bit"),
    Option(2, "Moderately"),
    Option(3, "Quite a bit"),
    Option(4, "Extremely"),
)

PCL5_CLUSTERS = (
    Subscore("B", (1, 2, 3, 4, 5)),
    Subscore("C", (6, 7)),
    Subscore("D", (8, 9, 10, 11, 12, 13, 14)),
    Subscore("E", (15, 16, 17, 18, 19, 20)),
)

# An item is endorsed at >= 2 ("moderately"); DSM-5 needs 1 B, 1 C, 2 D and 2 E items.
PCL5_ENDORSED = 2
PCL5_NEEDED = {"B": 1, "C": 1, "D": 2, "E": 2}

# The program's setting: instruments.md ("total >= 33 (a program setting, 31-33; the same
# setting drives trauma care in the rule set)"); facts.md s2.5 gives 31-33 as suggested for
# probable PTSD (V2). 33 is the default of `tandem score pcl5`; in an assessment the rule
# set's `pcl5_cutoff` is passed in (``pcl5_with_cutoff``) so one value drives both the
# score's `positive` and trauma care (ruleset-v1.md s9).
PCL5_CUTOFF_RANGE = (31, 33)
PCL5_DEFAULT_CUTOFF = 33


def pcl5_positive_rule(cutoff: int) -> AtLeast:
    """PCL-5 positive at ``cutoff`` (a program setting within ``PCL5_CUTOFF_RANGE``)."""
    return AtLeast(
        (
            Cutoff(
                cutoff,
                "a program setting within the 31-33 suggested for probable PTSD "
                "(instruments.md; facts.md s2.5, NCPTSD) (V2)",
            ),
        )
    )


PCL5 = Instrument(
    id="pcl5",
    name="PTSD Checklist for DSM-5 (PCL-5)",
    version="PCL-5 (DSM-5; Blevins et al. 2015)",
    source="Blevins CA et al. J Trauma Stress 2015; NCPTSD 'Using the PCL-5'",
    licence=Licence(
        wording_reproducible=True,
        terms=(
            "Work of the US Government (public domain). The wording may be reproduced but "
            "is not in facts.md, so Tandem does not ship it yet; the clinic supplies it."
        ),
        source="facts.md s2.5 (CamCOPS pcl5.rst) (V2)",
    ),
    items=tuple(Item(number, None, PCL5_OPTIONS) for number in range(1, 21)),
    total=plain_sum(1, 20, 80),
    bands=None,
    positive=pcl5_positive_rule(PCL5_DEFAULT_CUTOFF),
    flags=(
        CriteriaMet(
            name="provisional_ptsd",
            criteria=tuple(
                Criterion(
                    counts=tuple((n, PCL5_ENDORSED) for n in cluster.items),
                    min_count=PCL5_NEEDED[cluster.key],
                )
                for cluster in PCL5_CLUSTERS
            ),
            source="DSM-5 rule, items >= 2 endorsed (facts.md s2.5, awell-score README) (V2)",
        ),
    ),
    subscores=PCL5_CLUSTERS,
    loinc_note="LOINC codes UNVERIFIED (facts.md s2.5, s11.4): none shipped",
    notes=(
        "Subscores are the DSM-5 clusters B (1-5), C (6-7), D (8-14), E (15-20).",
        "The cut-off is a program setting, 31-33 (33 here and in `tandem score`): an "
        "assessment scores the PCL-5 at its rule set's `pcl5_cutoff`, which also drives "
        "trauma care; the library takes `score('pcl5', answers, pcl5_cutoff=31)`.",
    ),
)


def pcl5_with_cutoff(cutoff: int) -> Instrument:
    """The PCL-5 positive at the program's ``cutoff``; ``InvalidOption`` outside 31-33."""
    low, high = PCL5_CUTOFF_RANGE
    if isinstance(cutoff, bool) or not isinstance(cutoff, int) or not low <= cutoff <= high:
        raise InvalidOption(
            f"pcl5: cut-off {cutoff!r} is not a program setting between {low} and {high} "
            "(instruments.md; facts.md s2.5)"
        )
    if cutoff == PCL5_DEFAULT_CUTOFF:
        return PCL5
    return replace(PCL5, positive=pcl5_positive_rule(cutoff))
