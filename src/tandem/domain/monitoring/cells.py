"""JSON-ready cells from NumPy columns, in bulk: one set for the report and the alerts.

A figure that cannot be computed (NaN) becomes ``None`` (null, ``monitoring.md`` s2).
Figures are rounded to ``DIGITS`` decimals (the program's choice of precision).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from tandem.domain.monitoring.series import Floats

DIGITS: Final = 3


def figures(values: Floats) -> list[Any]:
    """Rounded floats, ``None`` for NaN."""
    a = np.asarray(values, float)
    cells = np.round(a, DIGITS).astype(object)
    cells[np.isnan(a)] = None
    out: list[Any] = cells.tolist()
    return out


def whole(values: Floats) -> list[Any]:
    """Whole numbers as int, ``None`` for NaN."""
    a = np.asarray(values, float)
    cells = np.nan_to_num(a).astype(np.int64).astype(object)
    cells[np.isnan(a)] = None
    out: list[Any] = cells.tolist()
    return out


def plain(values: Floats) -> list[Any]:
    """Evidence values: whole values as int, others as rounded floats, ``None`` for NaN."""
    a = np.asarray(values, float)
    cells = np.round(a, DIGITS).astype(object)
    exact = np.isfinite(a) & (a == np.round(a))
    cells[exact] = a[exact].astype(np.int64).astype(object)
    cells[np.isnan(a)] = None
    out: list[Any] = cells.tolist()
    return out


def flags(values: Floats) -> list[Any]:
    """1.0 / 0.0 / NaN as true / false / ``None``."""
    a = np.asarray(values, float)
    cells = (a == 1.0).astype(object)
    cells[np.isnan(a)] = None
    out: list[Any] = cells.tolist()
    return out


def records(cols: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Columns of equal length as one dict per row (no rows for empty columns)."""
    names = list(cols)
    return [dict(zip(names, v, strict=True)) for v in zip(*cols.values(), strict=True)]
