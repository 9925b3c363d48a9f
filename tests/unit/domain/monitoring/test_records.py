"""Monitoring records from anywhere (issue 9 item 2): a caseload built from records is
the caseload the CSV reader builds, and the same validator refuses the same values,
naming a database record and field instead of a file row and column."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tandem.domain.errors import InvalidTimeline
from tandem.domain.monitoring.analysis import analyze_caseload
from tandem.domain.monitoring.incentives import ScreenResult
from tandem.domain.monitoring.records import (
    Checkin,
    DrugScreen,
    InstrumentResult,
    RecordSource,
    caseload_from_records,
)
from tandem.domain.monitoring.report import patient_reports
from tandem.domain.monitoring.rows import INSTRUMENTS, SCREEN_RESULTS, SKIPPED, Caseload
from tandem.formats.caseload import read_caseload
from tests.unit.cli.test_analyze import HEADER, checkins, write

TODAY = date(2026, 2, 15)


def _value(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def as_records(c: Caseload) -> dict[str, list[Any]]:
    """The caseload's rows as records, each naming its file row (the inverse of the reader)."""
    ids = c.patient_ids
    ci, ins, sc = c.checkins, c.instruments, c.screens
    day = date.fromordinal
    checkin_records = [
        Checkin(ids[ci.patient[i]], day(int(ci.day[i])), float(ci.mood[i]),
                float(ci.sleep_hours[i]), float(ci.craving[i]), bool(ci.used[i]),
                RecordSource.file_row(ci.source.name, int(ci.source.rows[i])),
                energy=_value(ci.energy[i]),
                safety=None if math.isnan(ci.safety[i]) else bool(ci.safety[i]))
        for i in range(ci.patient.size)
    ]  # fmt: skip
    instrument_records = [
        InstrumentResult(
            ids[ins.patient[i]], day(int(ins.day[i])), INSTRUMENTS[int(ins.instrument[i])],
            RecordSource.file_row(ins.source.name, int(ins.source.rows[i])),
            total=None if math.isnan(ins.total[i]) else int(ins.total[i]),
            items=tuple("-" if v == SKIPPED else (None if math.isnan(v) else int(v))
                        for v in ins.items[i]),
        )
        for i in range(ins.patient.size)
    ]  # fmt: skip
    screen_records = [
        DrugScreen(ids[sc.patient[i]], day(int(sc.day[i])),
                   ScreenResult(SCREEN_RESULTS[int(sc.result[i])]),
                   RecordSource.file_row(sc.source.name, int(sc.source.rows[i])),
                   benzoylecgonine_ng_ml=_value(sc.benzoylecgonine[i]))
        for i in range(sc.patient.size)
    ]  # fmt: skip
    return {"checkins": checkin_records, "instruments": instrument_records,
            "screens": screen_records}  # fmt: skip


def _results(caseload: Caseload) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group in analyze_caseload(caseload, TODAY):
        out.update(patient_reports(group, caseload.patient_ids))
    return out


def test_records_give_the_caseload_and_results_of_the_files(tmp_path: Path) -> None:
    from tests.unit.cli.test_analyze import files as make_files

    paths = make_files.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    from_files = read_caseload(paths["checkins"], paths["instruments"], paths["screens"])
    from_records = caseload_from_records(**as_records(from_files))
    assert from_records.patient_ids == from_files.patient_ids
    for part in ("checkins", "instruments", "screens"):
        mine, theirs = getattr(from_records, part), getattr(from_files, part)
        for name in ("patient", "day"):
            assert np.array_equal(getattr(mine, name), getattr(theirs, name)), (part, name)
    assert _results(from_records) == _results(from_files)
    assert _results(from_records)  # there is something to compare


def _checkin(**changes: Any) -> Checkin:
    values: dict[str, Any] = {
        "patient_id": "p1", "on": date(2026, 1, 1), "mood": 5.0, "sleep_hours": 7.0,
        "craving": 2.0, "used": False, "source": RecordSource.database("check-in", 4711),
    }  # fmt: skip
    values.update(changes)
    return Checkin(**values)


def test_a_database_record_is_refused_by_the_same_validator_naming_record_and_field() -> None:
    with pytest.raises(InvalidTimeline) as bad:
        caseload_from_records([_checkin(mood=11.0)])
    assert str(bad.value) == "check-in 4711, field mood: 11 is not between 0 and 10"
    with pytest.raises(InvalidTimeline, match="check-in 12, field date: a second check-in"):
        caseload_from_records(
            [_checkin(source=RecordSource.database("check-in", 11)),
             _checkin(source=RecordSource.database("check-in", 12))]
        )  # fmt: skip


def test_the_file_path_refuses_the_same_value(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", HEADER, ["p1,2026-01-01,11,7,2,0,,"])
    caseload = read_caseload(path)
    with pytest.raises(InvalidTimeline, match="row 2, column mood: 11 is not between 0 and 10"):
        next(analyze_caseload(caseload, TODAY))


def test_an_unknown_instrument_record_is_named() -> None:
    record = InstrumentResult(
        "p1", date(2026, 1, 1), "bdi", RecordSource.database("questionnaire", 9)
    )
    with pytest.raises(InvalidTimeline, match="questionnaire 9, field instrument: 'bdi'"):
        caseload_from_records([_checkin()], [record])


def test_screens_and_checkins_mix_sources() -> None:
    screen = DrugScreen("p1", date(2026, 1, 2), ScreenResult.NEGATIVE,
                        RecordSource.database("drug screen", 3))  # fmt: skip
    caseload = caseload_from_records([_checkin()] + [
        _checkin(on=date(2026, 1, d), source=RecordSource.database("check-in", d))
        for d in range(2, 30)
    ], screens=[screen])  # fmt: skip
    error = caseload.screens.source.error(0, "result", "a problem")
    assert (error.record, error.number, error.field) == ("drug screen", 3, "result")
    assert str(error) == "drug screen 3, field result: a problem"
    assert len(checkins()) == 30
