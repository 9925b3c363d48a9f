"""``score_batch`` scores every row exactly as ``score`` does, errors kept in place."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.errors import InvalidOption, NotScorable
from tandem.domain.instruments import Instrument, Score, score, score_batch

from .strategies import ANY_CELL, Answer, instruments, valid_answers


def scalar(instrument: Instrument, row: list[Answer], option: str | None) -> Score | str:
    name = instrument.option.name if instrument.option else "sex"
    try:
        return score(instrument.id, row, **{name: option})
    except (NotScorable, InvalidOption) as error:
        return str(error)


@st.composite
def rows_for(draw: st.DrawFn, instrument: Instrument) -> list[list[Answer]]:
    """Valid rows, some with cells replaced by anything, some of the wrong length."""
    rows = draw(st.lists(valid_answers(instrument), min_size=1, max_size=12))
    for row in rows:
        if row and draw(st.integers(0, 3)) == 0:
            row[draw(st.integers(0, len(row) - 1))] = draw(ANY_CELL)
        if draw(st.integers(0, 15)) == 0:
            row.append(0)
    return rows


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_batch_agrees_with_score_row_for_row(data: st.DataObject) -> None:
    instrument = data.draw(instruments)
    rows = data.draw(rows_for(instrument))
    choices = [None, "", "bogus", *(instrument.option.values if instrument.option else ())]
    default = data.draw(st.sampled_from([c for c in choices if c != "bogus"]))
    overrides = data.draw(
        st.lists(st.sampled_from(choices), min_size=len(rows), max_size=len(rows))
    )
    name = instrument.option.name if instrument.option else "sex"
    if name == "sex":
        batch = score_batch(instrument.id, rows, sex=default, sexes=overrides)
    else:
        batch = score_batch(instrument.id, rows, substance=default, substances=overrides)
    assert len(batch) == len(rows)
    for index, row in enumerate(rows):
        own = overrides[index] or default or None
        expected = scalar(instrument, row, own)
        if isinstance(expected, str):
            assert (batch.result(index), batch.error(index)) == (None, expected)
        else:
            assert (batch.result(index), batch.error(index)) == (expected, None)


def test_errors_stay_in_place_and_the_other_rows_are_scored() -> None:
    rows: list[list[Answer]] = [
        [1, 2, 0, 3, 1, 0, 2, 0, 1],
        [1, 2, 4, 3, 1, 0, 2, 0, 1],
        [0] * 8,
        [3, 3, 3, 3, 3, 3, 3, 3, 3, "-"],
    ]
    batch = score_batch("phq9", rows)
    assert batch.invalid_count == 2
    assert batch.error(1) == "phq9: item 3: 4 is not one of 0, 1, 2, 3"
    assert batch.error(2) == "phq9: expected 9 answers (10 with the difficulty item), got 8"
    first, last = batch.result(0), batch.result(3)
    assert first is not None
    assert last is not None
    assert (first.total, first.band, first.flags) == (10, "moderate", ("suicide_item_positive",))
    assert (last.total, last.band) == (27, "severe")
    assert int(batch.total[1]) == -1


def test_per_row_sex_overrides_the_batch_value() -> None:
    batch = score_batch("auditc", [[1, 1, 1]] * 3, sex="male", sexes=[None, "female", "x"])
    assert [r.positive if r else None for r in map(batch.result, range(3))] == [False, True, None]
    assert batch.error(2) == "auditc: sex: x is not one of male, female"


def test_a_missing_required_sex_is_an_error_on_each_row() -> None:
    batch = score_batch("auditc", [[1, 1, 1], [1, 1, 1]], sexes=["female", None])
    assert batch.error(0) is None
    assert batch.error(1) == "auditc: sex is required: one of male, female"


def test_an_unknown_batch_option_refuses_the_whole_batch() -> None:
    with pytest.raises(InvalidOption, match=r"^sds: substance: heroin is not one of"):
        score_batch("sds", [[0] * 5], substance="heroin")


def test_cssrs_tiers_and_subscores_in_batch() -> None:
    cssrs = score_batch("cssrs", [[0, 0, "-", "-", "-", 2], [1, 1, 1, 0, 0, 0]])
    assert [cssrs.result(i) for i in range(2)] == [
        score("cssrs", [0, 0, "-", "-", "-", 2]),
        score("cssrs", [1, 1, 1, 0, 0, 0]),
    ]
    pcl5 = score_batch("pcl5", [[4] * 20])
    result = pcl5.result(0)
    assert result is not None
    assert result.subscores == {"B": 20, "C": 8, "D": 28, "E": 24}
