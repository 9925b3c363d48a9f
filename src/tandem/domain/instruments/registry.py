"""Every instrument Tandem scores, by id (instruments.md, in the order of its table)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tandem.domain.errors import InvalidOption, UnknownInstrument
from tandem.domain.instruments.definitions.anxiety_trauma import GAD7, PCL5, pcl5_with_cutoff
from tandem.domain.instruments.definitions.depression import PHQ2, PHQ9, QIDS_SR16
from tandem.domain.instruments.definitions.sleep import ISI
from tandem.domain.instruments.definitions.substance_use import ASSIST, AUDITC, DAST10, SDS
from tandem.domain.instruments.definitions.suicide_risk import CSSRS
from tandem.domain.instruments.model import Instrument

REGISTRY: Mapping[str, Instrument] = MappingProxyType(
    {
        instrument.id: instrument
        for instrument in (
            PHQ9,
            PHQ2,
            GAD7,
            CSSRS,
            PCL5,
            AUDITC,
            DAST10,
            SDS,
            ASSIST,
            QIDS_SR16,
            ISI,
        )
    }
)


def get(instrument_id: str) -> Instrument:
    """The instrument with this id; ``UnknownInstrument`` names the ids there are."""
    try:
        return REGISTRY[instrument_id]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise UnknownInstrument(f"{instrument_id}: unknown instrument; one of {known}") from None


def instrument_for(instrument_id: str, pcl5_cutoff: int | None = None) -> Instrument:
    """``get``, with the PCL-5 at the program's cut-off (31-33; instruments.md) if given."""
    instrument = get(instrument_id)
    if pcl5_cutoff is None:
        return instrument
    if instrument.id != "pcl5":
        raise InvalidOption(f"{instrument.id}: a PCL-5 cut-off applies to pcl5 only")
    return pcl5_with_cutoff(pcl5_cutoff)
