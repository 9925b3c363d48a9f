"""Depression: PHQ-9, PHQ-2, QIDS-SR16 (facts.md s2.1, s2.2, s2.12; instruments.md)."""

from __future__ import annotations

from tandem.domain.instruments.definitions.scales import (
    DIFFICULTY,
    FREQUENCY_TWO_WEEKS,
    TWO_WEEKS_INSTRUCTION,
    neutral,
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
    ItemAtLeast,
    Licence,
    Total,
    plain_sum,
)

PFIZER_LICENCE = Licence(
    wording_reproducible=True,
    terms=(
        "Copyright Pfizer Inc.; no permission required to reproduce, translate, display "
        "or distribute."
    ),
    source="facts.md s2.1 (HL7/sdc PHQ-9 example copyright element; CamCOPS phq9.rst) (V)",
)

# Item wording of the Pfizer PHQ-9 form (free to reproduce, facts.md s2.1), with the
# item LOINC codes of facts.md s2.1 (V). Re-check the wording against the Pfizer form
# (phqscreeners.com) before release: the HL7/sdc example has a typo in item 8.
PHQ9_ITEMS = (
    ("Little interest or pleasure in doing things", "44250-9"),
    ("Feeling down, depressed, or hopeless", "44255-8"),
    ("Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    ("Feeling tired or having little energy", "44254-1"),
    ("Poor appetite or overeating", "44251-7"),
    (
        "Feeling bad about yourself — or that you are a failure or have let yourself or "
        "your family down",
        "44258-2",
    ),
    (
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    (
        "Moving or speaking so slowly that other people could have noticed? Or the "
        "opposite — being so fidgety or restless that you have been moving around a lot "
        "more than usual",
        "44253-3",
    ),
    ("Thoughts that you would be better off dead or of hurting yourself in some way", "44260-8"),
)
PHQ9_DIFFICULTY_TEXT = (
    "If you checked off any problems, how difficult have these problems made it for you "
    "to do your work, take care of things at home, or get along with other people?"
)

SUICIDE_ITEM_SOURCE = (
    "facts.md s2.1: any item-9 answer >= 1 is a positive safety screen (Simon et al., "
    "Psychiatr Serv 2013) (V)"
)

# instruments.md: an item counts at >= 2, except item 9, which counts at >= 1.
# facts.md s2.1 and s11.1 mark the item-9 detail UNVERIFIED: re-check it against the
# PHQ instruction manual before relying on the flag.
MAJOR_DEPRESSIVE_SYNDROME = CriteriaMet(
    name="major_depressive_syndrome",
    criteria=(
        Criterion(
            counts=(*((n, 2) for n in range(1, 9)), (9, 1)),
            min_count=5,
            including_one_of=(1, 2),
        ),
    ),
    source=(
        "PHQ instruction manual algorithm as given in instruments.md; facts.md s2.1 (V2); "
        "the item-9-at->=1 detail is UNVERIFIED (facts.md s11.1)"
    ),
)

PHQ9 = Instrument(
    instruction=TWO_WEEKS_INSTRUCTION,
    id="phq9",
    name="Patient Health Questionnaire, 9-item depression module (PHQ-9)",
    version="PHQ-9 (Kroenke, Spitzer & Williams 2001)",
    source="Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16:606-613",
    licence=PFIZER_LICENCE,
    items=(
        *(
            Item(number, text, FREQUENCY_TWO_WEEKS, loinc=loinc)
            for number, (text, loinc) in enumerate(PHQ9_ITEMS, start=1)
        ),
        Item(10, PHQ9_DIFFICULTY_TEXT, DIFFICULTY, loinc="69722-7", optional=True),
    ),
    total=plain_sum(1, 9, 27),
    bands=(
        BandTable(
            bands=(
                Band("none_minimal", 0, 4, "none-minimal"),
                Band("mild", 5, 9, "mild"),
                Band("moderate", 10, 14, "moderate"),
                Band("moderately_severe", 15, 19, "moderately severe"),
                Band("severe", 20, 27, "severe"),
            ),
            source="Kroenke 2001 (facts.md s2.1) (V)",
        ),
    ),
    positive=AtLeast(
        (
            Cutoff(
                10,
                "Kroenke 2001: >= 10, sensitivity 88%, specificity 88% for major depression "
                "(facts.md s2.1) (V)",
            ),
        )
    ),
    flags=(
        ItemAtLeast("suicide_item_positive", 9, 1, SUICIDE_ITEM_SOURCE),
        MAJOR_DEPRESSIVE_SYNDROME,
    ),
    panel_loinc="44249-1",
    total_loinc="44261-6",
    loinc_note="facts.md s2.1 (V); answers LA6568-5 / LA6569-3 / LA6570-1 / LA6571-9",
    notes=(
        "Item 10 (difficulty) is optional and never added to the total.",
        "major_depressive_syndrome: item 9 counts at >= 1 per instruments.md; facts.md "
        "s11.1 marks this detail UNVERIFIED (re-check against the PHQ instruction manual).",
        "No prorating: a missing item 1-9 makes the answers not scorable (facts.md s2.1).",
        "Item wording transcribed from the Pfizer form (free to reproduce); re-check it "
        "against phqscreeners.com before release.",
    ),
)

PHQ2 = Instrument(
    instruction=TWO_WEEKS_INSTRUCTION,
    id="phq2",
    name="Patient Health Questionnaire, 2-item (PHQ-2)",
    version="PHQ-2 (Kroenke, Spitzer & Williams 2003)",
    source="Kroenke K, Spitzer RL, Williams JBW. Med Care 2003;41:1284-1292",
    licence=PFIZER_LICENCE,
    items=tuple(
        Item(number, text, FREQUENCY_TWO_WEEKS, loinc=loinc)
        for number, (text, loinc) in enumerate(PHQ9_ITEMS[:2], start=1)
    ),
    total=plain_sum(1, 2, 6),
    bands=None,
    positive=AtLeast(
        (
            Cutoff(
                3,
                "Kroenke 2003: >= 3, sensitivity 83%, specificity 92% (facts.md s2.2) (V)",
            ),
        )
    ),
    panel_loinc="55757-9",
    total_loinc="55758-7",
    loinc_note="facts.md s2.2 (V2); item codes are PHQ-9 items 1-2",
    notes=("A positive PHQ-2 calls for the full PHQ-9 (facts.md s2.2) (V2).",),
)

QIDS_DOMAINS = (
    (1, 2, 3, 4),  # sleep: the highest of items 1-4
    (5,),  # sad mood
    (6, 7, 8, 9),  # appetite/weight: the highest of items 6-9
    (10,),  # concentration
    (11,),  # self-view
    (12,),  # thoughts of death or suicide
    (13,),  # interest
    (14,),  # energy
    (15, 16),  # psychomotor: the highest of items 15-16
)

QIDS_SR16 = Instrument(
    id="qids_sr16",
    name="Quick Inventory of Depressive Symptomatology, Self-Report, 16-item (QIDS-SR16)",
    version="QIDS-SR16 (Rush et al. 2003)",
    source="Rush AJ et al. Biol Psychiatry 2003;54:573-583; ids-qids.org",
    licence=Licence(
        wording_reproducible=False,
        terms=(
            "Paper versions free to clinicians and researchers without permission; IVR "
            "versions licensed to Healthcare Technology Systems. Tandem ships scoring and "
            "neutral option labels only; the clinic supplies the item wording and anchors."
        ),
        source="facts.md s2.12 (V2)",
    ),
    items=tuple(Item(number, None, neutral(3)) for number in range(1, 17)),
    total=Total(
        domains=QIDS_DOMAINS,
        maximum=27,
        description=(
            "sum of 9 domains, 0-27: sleep = max(items 1-4), item 5, appetite/weight = "
            "max(items 6-9), items 10-14, psychomotor = max(items 15-16)"
        ),
    ),
    bands=(
        BandTable(
            bands=(
                Band("none", 0, 5, "none"),
                Band("mild", 6, 10, "mild"),
                Band("moderate", 11, 15, "moderate"),
                Band("severe", 16, 20, "severe"),
                Band("very_severe", 21, 27, "very severe"),
            ),
            source="ids-qids.org interpretation table (facts.md s2.12) (V)",
        ),
    ),
    positive=AtLeast(
        (
            Cutoff(
                11,
                "the program's choice: the start of the moderate band (instruments.md)",
            ),
        )
    ),
    flags=(
        ItemAtLeast(
            "suicide_item_positive",
            12,
            1,
            "facts.md s2.12: item 12 is the suicide domain; routing positive answers to "
            "safety assessment is a design recommendation (V2)",
        ),
    ),
    loinc_note="LOINC codes UNVERIFIED (facts.md s2.12, s11.4): none shipped",
)
