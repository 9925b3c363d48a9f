"""The one scoring engine: it interprets an instrument's rules over checked answers.

``score`` is the public entry point. It reads and checks the answers
(``answers.read_answers``), then evaluates the instrument's data: total, band or risk
tier, positive screen, flags and subscores. ``batch.py`` evaluates the same rules over
many rows at once and is tested to agree with this module row for row.
"""

from __future__ import annotations

from collections.abc import Sequence

from tandem.domain.instruments.answers import Answer, read_answers, read_option
from tandem.domain.instruments.model import (
    AtLeast,
    CriteriaMet,
    Criterion,
    FlagRule,
    Instrument,
    ItemAtLeast,
    Score,
    Tiers,
)
from tandem.domain.instruments.registry import instrument_for


def score(
    instrument_id: str,
    answers: Sequence[Answer],
    sex: str | None = None,
    substance: str | None = None,
    pcl5_cutoff: int | None = None,
) -> Score:
    """Score one set of answers given in item order (instruments.md).

    ``sex`` (``male``/``female``) is required by AUDIT-C; ``substance`` selects the
    SDS cut-off and the ASSIST bands (cocaine by default). ``pcl5_cutoff`` is the
    program's PCL-5 cut-off, 31-33 (33 when not given; instruments.md): an assessment
    passes its rule set's ``pcl5_cutoff``. Raises ``UnknownInstrument``,
    ``WrongAnswerCount``, ``InvalidAnswer`` or ``InvalidOption``; never guesses.
    """
    instrument = instrument_for(instrument_id, pcl5_cutoff)
    option_value = read_option(instrument, sex, substance)
    values = read_answers(instrument, answers)
    return evaluate(instrument, values, option_value)


def evaluate(instrument: Instrument, values: Sequence[int], option_value: str | None) -> Score:
    """Score checked values (one per required item, skips read as 0)."""
    total = total_of(instrument, values)
    band = band_of(instrument, values, total, option_value)
    return Score(
        instrument=instrument.id,
        total=total,
        band=band,
        positive=is_positive(instrument, total, band, option_value),
        flags=tuple(sorted(f.name for f in instrument.flags if flag_holds(f, values))),
        subscores={
            sub.key: sum(points(instrument, values, n) for n in sub.items)
            for sub in instrument.subscores
        },
    )


def points(instrument: Instrument, values: Sequence[int], number: int) -> int:
    return instrument.item(number).points_for(values[number - 1])


def total_of(instrument: Instrument, values: Sequence[int]) -> int | None:
    """Sum over the domains of the highest points in each (facts.md s2.12 for QIDS)."""
    if instrument.total is None:
        return None
    return sum(
        max(points(instrument, values, n) for n in domain) for domain in instrument.total.domains
    )


def band_of(
    instrument: Instrument, values: Sequence[int], total: int | None, option_value: str | None
) -> str | None:
    """The band holding the total, or the first risk tier whose condition holds."""
    if isinstance(instrument.bands, Tiers):
        for tier in instrument.bands.tiers:
            if any(values[n - 1] == answer for n, answer in tier.any_of):
                return tier.key
        return instrument.bands.otherwise
    table = instrument.band_table(option_value)
    if table is None or total is None:
        return None
    return next(band.key for band in table.bands if band.low <= total <= band.high)


def is_positive(
    instrument: Instrument, total: int | None, band: str | None, option_value: str | None
) -> bool:
    rule = instrument.positive
    if isinstance(rule, AtLeast):
        cutoff = instrument.cutoff(option_value)
        return total is not None and cutoff is not None and total >= cutoff.threshold
    return band != rule.band


def flag_holds(flag: FlagRule, values: Sequence[int]) -> bool:
    if isinstance(flag, ItemAtLeast):
        return values[flag.item - 1] >= flag.at_least
    assert isinstance(flag, CriteriaMet)
    return all(criterion_holds(c, values) for c in flag.criteria)


def criterion_holds(criterion: Criterion, values: Sequence[int]) -> bool:
    counting = {n for n, at_least in criterion.counts if values[n - 1] >= at_least}
    if len(counting) < criterion.min_count:
        return False
    return not criterion.including_one_of or bool(counting & set(criterion.including_one_of))
