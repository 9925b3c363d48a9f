"""The JSON-ready cells shared by the report and the alert evidence."""

from __future__ import annotations

import numpy as np

from tandem.domain.monitoring.cells import figures, flags, plain, records, whole


def test_each_kind_of_cell() -> None:
    values = np.array([6.0, 3.1428571, np.nan])
    assert plain(values) == [6, 3.143, None]
    assert isinstance(plain(values)[0], int)
    assert figures(values) == [6.0, 3.143, None]
    assert whole(values) == [6, 3, None]
    assert flags(np.array([1.0, 0.0, np.nan])) == [True, False, None]


def test_records_turn_columns_into_rows() -> None:
    assert records({"a": [1, 2], "b": ["x", "y"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    assert records({"a": [], "b": []}) == []
