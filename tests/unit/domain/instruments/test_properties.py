"""Hypothesis properties: totals in range, exactly one band, bad answers always rejected."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.domain.errors import InvalidAnswer
from tandem.domain.instruments import REGISTRY, Instrument, score
from tandem.domain.instruments.model import BandTable, Tiers

from .strategies import instruments, option_for, valid_answers


@given(st.data())
def test_totals_stay_in_range_and_fall_in_exactly_one_band(data: st.DataObject) -> None:
    instrument = data.draw(instruments)
    answers = data.draw(valid_answers(instrument))
    options = data.draw(option_for(instrument))
    result = score(instrument.id, answers, **options)
    if instrument.total is None:
        assert result.total is None
    else:
        assert result.total is not None
        assert 0 <= result.total <= instrument.total.maximum
    table = instrument.band_table(next(iter(options.values()), None))
    if isinstance(table, BandTable):
        holding = [b.key for b in table.bands if b.low <= (result.total or 0) <= b.high]
        assert holding == [result.band]
    elif isinstance(instrument.bands, Tiers):
        assert result.band in instrument.band_keys
    else:
        assert result.band is None
    assert set(result.flags) <= set(instrument.flag_names)
    assert list(result.flags) == sorted(result.flags)


@pytest.mark.parametrize("instrument", list(REGISTRY.values()), ids=lambda i: i.id)
def test_every_possible_total_falls_in_exactly_one_band(instrument: Instrument) -> None:
    if not isinstance(instrument.bands, tuple) or instrument.total is None:
        return
    for table in instrument.bands:
        for total in range(instrument.total.maximum + 1):
            assert sum(b.low <= total <= b.high for b in table.bands) == 1, (table, total)


BAD_VALUES = st.one_of(
    st.integers(min_value=-1000, max_value=1000),
    # text that does not read as a number or a skip (" 3" and "03" read as 3)
    st.text(min_size=1, max_size=4).filter(
        lambda t: t.strip() != "-" and not (t.strip().isascii() and t.strip().isdigit())
    ),
)


@given(st.data())
def test_an_answer_outside_the_allowed_values_is_rejected_with_its_item(
    data: st.DataObject,
) -> None:
    instrument = data.draw(instruments)
    answers = data.draw(valid_answers(instrument))
    options = data.draw(option_for(instrument))
    position = data.draw(st.integers(min_value=0, max_value=len(answers) - 1))
    item = instrument.items[position]
    bad = data.draw(BAD_VALUES.filter(lambda v: v not in item.values))
    answers[position] = bad
    with pytest.raises(InvalidAnswer) as caught:
        score(instrument.id, answers, **options)
    assert str(caught.value).startswith(f"{instrument.id}: item {item.number}: ")
    assert " is not one of " in str(caught.value)
