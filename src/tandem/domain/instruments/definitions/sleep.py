"""Sleep: the Insomnia Severity Index (facts.md s2.13; instruments.md)."""

from __future__ import annotations

from tandem.domain.instruments.definitions.scales import neutral
from tandem.domain.instruments.model import (
    AtLeast,
    Band,
    BandTable,
    Cutoff,
    Instrument,
    Item,
    Licence,
    plain_sum,
)

ISI = Instrument(
    id="isi",
    name="Insomnia Severity Index (ISI)",
    version="ISI (Morin; bands per Morin et al. 2011)",
    source="Morin CM et al. Sleep 2011;34:601-608",
    licence=Licence(
        wording_reproducible=False,
        terms=(
            "© Morin; distributed by Mapi Research Trust (ePROVIDE), use with permission. "
            "Tandem ships scoring and neutral labels only; the clinic supplies the licensed "
            "item text and anchors."
        ),
        source="facts.md s2.13 (eprovide.mapi-trust.org; thoracic.org) (V)",
    ),
    items=tuple(Item(number, None, neutral(4)) for number in range(1, 8)),
    total=plain_sum(1, 7, 28),
    bands=(
        BandTable(
            bands=(
                Band("none", 0, 7, "no clinically significant insomnia"),
                Band("subthreshold", 8, 14, "subthreshold insomnia"),
                Band("moderate", 15, 21, "clinical insomnia, moderate"),
                Band("severe", 22, 28, "clinical insomnia, severe"),
            ),
            source="awell-score ISI README citing Morin 2011 (facts.md s2.13) (V2)",
        ),
    ),
    positive=AtLeast(
        (
            Cutoff(
                15,
                "the program's choice: the start of the moderate clinical band "
                "(instruments.md); validated case finding uses >= 10 (Morin 2011, V) or "
                ">= 14 in primary care (Gagnon 2013, V) (facts.md s2.13)",
            ),
        )
    ),
    loinc_note="LOINC codes UNVERIFIED (facts.md s2.13, s11.4): none shipped",
    notes=("Recall period differs between versions (2 weeks or 1 month): store the one used.",),
)
