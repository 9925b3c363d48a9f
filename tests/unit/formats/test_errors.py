"""One error for file problems (issue 9 items 1 and 7): every reader raises
``InvalidFile`` with ``file``, ``row`` and ``column`` as attributes, and its message is
built from them ("file, row N, column C: problem"), so nothing parses a message."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest

from tandem.domain.errors import InvalidFile, InvalidTimeline
from tandem.domain.monitoring.analysis import analyze_caseload
from tandem.formats.caseload import read_caseload
from tandem.formats.patients import read_patients
from tandem.formats.screens import read_screens
from tandem.formats.timeline import Subjects, read_columns, read_tlfb

CHECKINS = "patient_id,date,mood,sleep_hours,craving,used\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _located(error: pytest.ExceptionInfo[InvalidFile]) -> tuple[str, int | None, str | None]:
    value = error.value
    assert str(value) == (
        value.file
        + ("" if value.row is None else f", row {value.row}")
        + ("" if value.column is None else f", column {value.column}")
        + f": {value.problem}"
    )
    return value.file, value.row, value.column


def test_the_bulk_reader_names_the_cell(tmp_path: Path) -> None:
    rows = "A,2026-01-01,6,7,3,0\nA,2026-01-02,x,7,3,0\n"
    path = _write(tmp_path, "checkins.csv", CHECKINS + rows)
    with pytest.raises(InvalidFile) as error:
        read_caseload(path)
    assert _located(error) == ("checkins.csv", 3, "mood")
    assert error.value.problem == "'x' is not a number"


def test_a_range_the_domain_checks_names_the_file_cell(tmp_path: Path) -> None:
    rows = "A,2026-01-01,6,7,3,0\nA,2026-01-02,11,7,3,0\n"
    path = _write(tmp_path, "checkins.csv", CHECKINS + rows)
    caseload = read_caseload(path)
    with pytest.raises(InvalidFile) as error:
        list(analyze_caseload(caseload, date(2026, 1, 30)))
    assert _located(error) == ("checkins.csv", 3, "mood")


def test_a_header_error_names_row_1(tmp_path: Path) -> None:
    path = _write(tmp_path, "checkins.csv", "patient_id,date,mood\n")
    with pytest.raises(InvalidFile) as error:
        read_caseload(path)
    assert _located(error)[:2] == ("checkins.csv", 1)


def test_a_timeline_error_names_the_cell(tmp_path: Path) -> None:
    path = _write(tmp_path, "tlfb.csv", "id,date,amount\na,2026-03-01,0\na,2026-03-32,0\n")
    with pytest.raises(InvalidFile) as error:
        read_tlfb(path, Subjects(ids=[], index={}))
    assert _located(error) == ("tlfb.csv", 3, "date")
    assert error.value.problem == "'2026-03-32' is not a date; use YYYY-MM-DD"


def test_a_timeline_row_after_a_blank_line_is_named_by_its_own_line(tmp_path: Path) -> None:
    text = "id,date,amount\na,2026-03-01,0\n\na,2026-03-xx,0\n"
    with pytest.raises(InvalidFile) as error:
        read_tlfb(_write(tmp_path, "tlfb.csv", text), Subjects(ids=[], index={}))
    assert _located(error) == ("tlfb.csv", 4, "date")


def test_screens_and_patients_name_the_cell(tmp_path: Path) -> None:
    screens = _write(tmp_path, "screens.csv", "patient_id,date,result\nA,2026-01-01,dilute\n")
    with pytest.raises(InvalidFile) as error:
        read_screens(screens)
    assert _located(error) == ("screens.csv", 2, "result")
    patients = _write(tmp_path, "patients.csv", "patient_id,last_use\nA,yesterday\n")
    with pytest.raises(InvalidFile) as error:
        read_patients(patients)
    assert _located(error) == ("patients.csv", 2, "last_use")


def test_a_file_that_is_not_text_names_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "tlfb.csv"
    path.write_bytes(b"id,date,amount\n\x00\x00")
    with pytest.raises(InvalidFile) as error:
        read_columns(path, ("id", "date", "amount"))
    assert _located(error) == ("tlfb.csv", None, None)


def test_the_error_survives_pickling_and_is_an_invalid_timeline() -> None:
    error = InvalidFile("visits.csv", 4, "visit", "'' is empty")
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    assert (again.file, again.row, again.column, str(again)) == (
        "visits.csv",
        4,
        "visit",
        "visits.csv, row 4, column visit: '' is empty",
    )
    assert isinstance(again, InvalidTimeline)


def caseload_day(year: int, month: int, day: int):
    from datetime import date

    return date(year, month, day)
