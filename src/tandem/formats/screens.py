"""``screens.csv`` as ``tandem cm`` reads it: the stimulant result and an optional panel.

Columns: ``patient_id,date,result`` (monitoring.md s1: ``result`` is the clinic's
stimulant reading, one of negative, positive, invalid, missed), optionally
``benzoylecgonine_ng_ml`` (accepted, not used by CM) and any analyte of the screen panel
(``domain/monitoring/panel.py`` ``ANALYTES``), each cell ``positive``, ``negative`` or
empty (not tested); ruleset-v2.md s7.

A row whose ``result`` contradicts its panel is refused rather than guessed (program):
``positive`` with no stimulant analyte positive, ``negative`` with a stimulant analyte
positive, ``missed`` with any analyte recorded. A ``negative`` whose panel did not test
the patient's own stimulant is read as ``invalid`` for CM later, by
``panel.stimulant_reading``, since it depends on the patient.

Bad input: ``InvalidFile`` naming file, row and column. Must not import Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from tandem.domain.monitoring.incentives import ScreenResult
from tandem.domain.monitoring.panel import (
    ANALYTE_RESULTS,
    ANALYTES,
    NO_PANEL,
    STIMULANT_ANALYTES,
    AnalyteResult,
    Panel,
)
from tandem.formats.dates import iso_date
from tandem.formats.rows import Place, csv_rows

REQUIRED = ("patient_id", "date", "result")
OPTIONAL = ("benzoylecgonine_ng_ml", *ANALYTES)


@dataclass(frozen=True)
class ScreenRow:
    """One row as entered: its row number (the header is row 1), date, result and panel."""

    number: int
    date: date
    result: ScreenResult
    panel: Panel = NO_PANEL


def read_screens(path: Path) -> dict[str, list[ScreenRow]]:
    """Rows per patient, in file order (the engine sorts by date, stably)."""
    rows: dict[str, list[ScreenRow]] = {}
    for number, cells, where in csv_rows(path, REQUIRED, OPTIONAL):
        patient = cells["patient_id"]
        result = _result(where, cells["result"])
        panel = _panel(where, cells, result)
        rows.setdefault(patient, []).append(
            ScreenRow(number, _date(where, cells["date"]), result, panel)
        )
    return rows


def _date(where: Place, text: str) -> date:
    try:
        return iso_date(text)
    except ValueError:
        raise where.error("date", f"{text!r} is not a date; use YYYY-MM-DD") from None


def _result(where: Place, text: str) -> ScreenResult:
    try:
        return ScreenResult(text.strip().lower())  # as tandem analyze reads it (issue 9)
    except ValueError:
        allowed = ", ".join(r.value for r in ScreenResult)
        raise where.error("result", f"{text!r} is not one of {allowed}") from None


def _panel(where: Place, cells: dict[str, str], result: ScreenResult) -> Panel:
    """The analytes tested on this row; empty cells are analytes not tested. Any case,
    spaces around ignored, as ``tandem analyze`` reads them (issue 9)."""
    results: dict[str, AnalyteResult] = {}
    for analyte in ANALYTES:
        text = cells.get(analyte, "")
        if not text.strip():
            continue
        if text.strip().lower() not in ANALYTE_RESULTS:
            problem = f"{text!r} is not one of positive, negative (or empty: not tested)"
            raise where.error(analyte, problem)
        results[analyte] = cast(AnalyteResult, text.strip().lower())
    if results:
        _check_agrees(where, result, results)
    return Panel(results) if results else NO_PANEL


def _check_agrees(where: Place, result: ScreenResult, results: dict[str, AnalyteResult]) -> None:
    """``result`` is the stimulant result (monitoring.md s1): it must not contradict the panel."""
    stimulant_positive = [a for a in STIMULANT_ANALYTES if results.get(a) == "positive"]
    if result is ScreenResult.MISSED:
        raise where.error("result", "'missed' but the row records analyte results")
    if result is ScreenResult.POSITIVE and not stimulant_positive:
        raise where.error(
            "result",
            f"'positive' but no stimulant analyte ({', '.join(STIMULANT_ANALYTES)}) is "
            "positive; result is the stimulant result",
        )
    if result is ScreenResult.NEGATIVE and stimulant_positive:
        raise where.error("result", f"'negative' but {stimulant_positive[0]} is positive")
