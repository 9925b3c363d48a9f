"""One date decoder (issue 9 item 1): ``iso_date`` for a cell and ``iso_ordinals`` for a
column agree on every input, and take ISO ``YYYY-MM-DD`` only."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.formats.dates import iso_date, iso_ordinals

DATE_LIKE = st.text(alphabet="0123456789-W:T ", min_size=10, max_size=10)


def _column(texts: list[str]) -> np.ndarray:
    return np.frombuffer("".join(texts).encode("ascii"), np.uint8).reshape(-1, 10)


def _cell(text: str) -> int | None:
    try:
        return iso_date(text).toordinal()
    except ValueError:
        return None


@given(st.lists(st.dates(), min_size=1, max_size=50))
def test_every_date_is_read_as_its_ordinal(days: list[date]) -> None:
    ordinals, bad = iso_ordinals(_column([d.isoformat() for d in days]))
    assert not bad.any()
    assert ordinals.tolist() == [d.toordinal() for d in days]


@given(st.lists(DATE_LIKE, min_size=1, max_size=50))
def test_cell_and_column_agree_on_anything_ten_characters_long(texts: list[str]) -> None:
    ordinals, bad = iso_ordinals(_column(texts))
    column = [None if b else int(o) for o, b in zip(ordinals, bad, strict=True)]
    assert column == [_cell(text) for text in texts]


@pytest.mark.parametrize(
    "text", ["2026-02-29", "2026-13-01", "0000-01-01", "2026-W01-1", "20260105", "2026-1-05"]
)
def test_what_is_not_an_iso_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        iso_date(text)
