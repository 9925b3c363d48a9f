"""Substance use: AUDIT-C, DAST-10, SDS, WHO ASSIST (facts.md s2.6-s2.8, s2.11)."""

from __future__ import annotations

from tandem.domain.instruments.definitions.scales import NO_YES
from tandem.domain.instruments.model import (
    AtLeast,
    Band,
    BandIsNot,
    BandTable,
    Cutoff,
    Instrument,
    Item,
    Licence,
    Option,
    ScoringOption,
    SkipWhen,
    Total,
    plain_sum,
)

# --- AUDIT-C (facts.md s2.6) -------------------------------------------------------------

AUDITC_SOURCE = "WHO AUDIT (Babor 2001) as reproduced (facts.md s2.6) (V2)"
# Items 2-3 are skipped when item 1 is 0 (never drinks) (instruments.md).
AFTER_ANY_DRINKING = SkipWhen(gate=1, values=(0,))

AUDITC = Instrument(
    id="auditc",
    name="Alcohol Use Disorders Identification Test, consumption items (AUDIT-C)",
    version="AUDIT-C (Bush et al. 1998)",
    source="Bush K et al. Arch Intern Med 1998;158:1789-1795; Bradley KA et al. ACER 2007",
    licence=Licence(
        wording_reproducible=True,
        terms=(
            "The SAMHSA-distributed AUDIT-C form says it is in the public domain; the WHO "
            "AUDIT manual allows free non-commercial reproduction. The wording is not in "
            "facts.md, so Tandem does not ship it yet; the clinic supplies it."
        ),
        source="facts.md s2.6 (CamCOPS audit.rst) (V)",
    ),
    items=(
        Item(
            1,
            None,
            (
                Option(0, "Never"),
                Option(1, "Monthly or less"),
                Option(2, "2-4 times a month"),
                Option(3, "2-3 times a week"),
                Option(4, "4 or more times a week"),
            ),
            loinc="68518-0",
        ),
        Item(
            2,
            None,
            (
                Option(0, "1 or 2"),
                Option(1, "3 or 4"),
                Option(2, "5 or 6"),
                Option(3, "7 to 9"),
                Option(4, "10 or more"),
            ),
            loinc="68519-8",
            skip=AFTER_ANY_DRINKING,
        ),
        Item(
            3,
            None,
            (
                Option(0, "Never"),
                Option(1, "Less than monthly"),
                Option(2, "Monthly"),
                Option(3, "Weekly"),
                Option(4, "Daily or almost daily"),
            ),
            loinc="68520-6",
            skip=AFTER_ANY_DRINKING,
        ),
    ),
    total=plain_sum(1, 3, 12),
    bands=None,
    positive=AtLeast(
        (
            Cutoff(4, "Bradley 2007: men >= 4 (facts.md s2.6) (V2)", applies_to="male"),
            Cutoff(3, "Bradley 2007: women >= 3 (facts.md s2.6) (V2)", applies_to="female"),
        )
    ),
    option=ScoringOption(
        name="sex",
        values=("male", "female"),
        default=None,
        source="instruments.md: the cut-off depends on sex, which is required",
    ),
    panel_loinc="72109-2",
    total_loinc="75626-2",
    loinc_note="facts.md s2.6 (V2); 75624-7 is the full AUDIT total, not AUDIT-C",
    notes=(f"Option labels: {AUDITC_SOURCE}.",),
)

# --- DAST-10 (facts.md s2.7) -------------------------------------------------------------

DAST10 = Instrument(
    id="dast10",
    name="Drug Abuse Screening Test, 10-item (DAST-10)",
    version="DAST-10 (Skinner 1982)",
    source="Skinner HA. Addict Behav 1982;7:363-371",
    licence=Licence(
        wording_reproducible=False,
        terms=(
            "© 1982 Harvey Skinner and CAMH; free to reproduce for non-commercial clinical, "
            "research and training use with credit; commercial use needs permission. "
            "Tandem may be used commercially, so it ships scoring only."
        ),
        source="facts.md s2.7 (CamCOPS dast.rst) (V)",
    ),
    # Answers are as answered (1 yes, 0 no); item 3 scores 1 for "no" (facts.md s2.7, V2).
    items=tuple(
        Item(number, None, NO_YES, points=(1, 0) if number == 3 else None)
        for number in range(1, 11)
    ),
    total=plain_sum(1, 10, 10),
    bands=(
        BandTable(
            bands=(
                Band("none", 0, 0, "none"),
                Band("low", 1, 2, "low (monitor)"),
                Band("moderate", 3, 5, "moderate (further investigation)"),
                Band("substantial", 6, 8, "substantial (intensive assessment)"),
                Band("severe", 9, 10, "severe"),
            ),
            source="comorbidityguidelines.org.au (facts.md s2.7) (V2)",
        ),
    ),
    positive=AtLeast(
        (
            Cutoff(
                3,
                "the commonly cited threshold, not from Skinner 1982 (facts.md s2.7) (V2)",
            ),
        )
    ),
    panel_loinc="82666-9",
    total_loinc="82667-7",
    loinc_note="facts.md s2.7 (V2); item codes not given",
    notes=("Item 3 is reverse scored: answered 0 (no) it scores 1.",),
)

# --- Severity of Dependence Scale (facts.md s2.8) ----------------------------------------

SDS_FREQUENCY = (
    Option(0, "Never or almost never"),
    Option(1, "Sometimes"),
    Option(2, "Often"),
    Option(3, "Always or nearly always"),
)
SDS_DIFFICULTY = (
    Option(0, "Not difficult"),
    Option(1, "Quite difficult"),
    Option(2, "Very difficult"),
    Option(3, "Impossible"),
)

SDS = Instrument(
    id="sds",
    name="Severity of Dependence Scale (SDS)",
    version="SDS (Gossop et al. 1995)",
    source="Gossop M et al. Addiction 1995;90:607-614",
    licence=Licence(
        wording_reproducible=False,
        terms="UNVERIFIED (facts.md s2.8, s11.4): Tandem ships scoring only.",
        source="facts.md s2.8",
    ),
    items=(
        *(Item(number, None, SDS_FREQUENCY) for number in range(1, 5)),
        Item(5, None, SDS_DIFFICULTY),
    ),
    total=plain_sum(1, 5, 15),
    bands=None,
    positive=AtLeast(
        (
            Cutoff(
                3,
                "Kaye & Darke, Addiction 2002;97:727-731: >= 3 for cocaine (facts.md s2.8) (V)",
                applies_to="cocaine",
            ),
            Cutoff(
                5,
                "Topp & Mattick, Addiction 1997;92:839-845: > 4 for amphetamine "
                "(facts.md s2.8) (V)",
                applies_to="amphetamine",
            ),
        )
    ),
    option=ScoringOption(
        name="substance",
        values=("cocaine", "amphetamine"),
        default="cocaine",
        source="instruments.md",
    ),
    loinc_note="LOINC codes UNVERIFIED (facts.md s2.8): none shipped",
    notes=(
        "Option labels from reproductions of Gossop 1995 (facts.md s2.8) (V2).",
        "The 0-3 / ... / 13-15 severity bands seen online are not validated and not used.",
    ),
)

# --- WHO ASSIST v3.0, one substance (facts.md s2.11) -------------------------------------

ASSIST_SOURCE = "Table 1 of PMC4983530 (Drug Alcohol Depend 2016;166:85-92) (facts.md s2.11) (V)"
ASSIST_FREQUENCY = (
    Option(0, "Never"),
    Option(1, "Once or twice"),
    Option(2, "Monthly"),
    Option(3, "Weekly"),
    Option(4, "Daily or almost daily"),
)
ASSIST_EVER = (
    Option(0, "No, never"),
    Option(1, "Yes, in the past 3 months"),
    Option(2, "Yes, but not in the past 3 months"),
)
# Q3-Q5 are skipped when Q2 (item 1 here) is 0, no use in the past 3 months.
AFTER_RECENT_USE = SkipWhen(gate=1, values=(0,))


def assist_bands(low_top: int, applies_to: str) -> BandTable:
    """Risk bands of the substance involvement score (facts.md s2.11, V2)."""
    return BandTable(
        bands=(
            Band("low", 0, low_top, "lower risk"),
            Band("moderate", low_top + 1, 26, "moderate risk"),
            Band("high", 27, 39, "high risk"),
        ),
        source="CASAColumbia appendix; WHO ASSIST manual 2010 (facts.md s2.11) (V2)",
        applies_to=applies_to,
    )


ASSIST = Instrument(
    id="assist",
    name="WHO Alcohol, Smoking and Substance Involvement Screening Test (ASSIST), one substance",
    version="ASSIST v3.0 (WHO)",
    source="Humeniuk R et al. WHO ASSIST manual 2010 (ISBN 978 92 4 159938 2)",
    licence=Licence(
        wording_reproducible=False,
        terms=(
            "© WHO; the instrument and manual are free of charge. Reproduction terms are not "
            "in facts.md, so Tandem ships scoring and the option labels of instruments.md "
            "only; the clinic supplies the item wording."
        ),
        source="facts.md s2.11 (CASAColumbia appendix) (V2)",
    ),
    # Items 1-6 are ASSIST questions 2-7 for one substance, weighted as in facts.md s2.11.
    items=(
        Item(1, None, ASSIST_FREQUENCY, points=(0, 2, 3, 4, 6)),
        Item(2, None, ASSIST_FREQUENCY, points=(0, 3, 4, 5, 6), skip=AFTER_RECENT_USE),
        Item(3, None, ASSIST_FREQUENCY, points=(0, 4, 5, 6, 7), skip=AFTER_RECENT_USE),
        Item(4, None, ASSIST_FREQUENCY, points=(0, 5, 6, 7, 8), skip=AFTER_RECENT_USE),
        Item(5, None, ASSIST_EVER, points=(0, 6, 3)),
        Item(6, None, ASSIST_EVER, points=(0, 6, 3)),
    ),
    total=Total(
        domains=tuple((n,) for n in range(1, 7)),
        maximum=39,
        description="weighted sum of questions 2-7 (specific substance involvement score), 0-39",
    ),
    bands=(
        assist_bands(3, "cocaine"),
        assist_bands(3, "amphetamine"),
        assist_bands(10, "alcohol"),
    ),
    positive=BandIsNot("low", "instruments.md: any band above low is positive"),
    option=ScoringOption(
        name="substance",
        values=("cocaine", "amphetamine", "alcohol"),
        default="cocaine",
        source="instruments.md: tobacco has no Q5 and is not scored here",
    ),
    loinc_note="LOINC codes UNVERIFIED (facts.md s11.4): none shipped",
    notes=(
        f"Weights: {ASSIST_SOURCE}.",
        "Items 1-6 are ASSIST questions 2-7; items 2-4 are skipped when item 1 is 0.",
    ),
)
