"""``patients.csv`` for analyze and cm (ruleset-v2.md s7): read, and refused with its place."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tandem.domain.errors import InvalidTimeline
from tandem.formats.patients import PatientIntake, read_patients


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "patients.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_last_use_substance_and_prescribed_opioids(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "patient_id,last_use,substance,prescribed_opioids\n"
        "p1,2026-10-01,,\np2,,amphetamine_type,methadone; buprenorphine\n",
    )
    assert read_patients(path) == {
        "p1": PatientIntake(date(2026, 10, 1)),
        "p2": PatientIntake(None, "amphetamine_type", frozenset({"methadone", "buprenorphine"})),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("patient_id\np1\n", "row 1: the header must be patient_id,last_use"),
        ("patient_id,last_use\np1,2026-13-01\n", "row 2, column last_use: '2026-13-01'"),
        ("patient_id,last_use\np1,\np1,\n", "row 3, column patient_id: 'p1' is listed twice"),
        ("patient_id,last_use,substance\np1,,crack\n", "row 2, column substance: 'crack'"),
        (
            "patient_id,last_use,prescribed_opioids\np1,,cocaine\n",
            "row 2, column prescribed_opioids: 'cocaine' is not one of fentanyl",
        ),
    ],
)
def test_bad_rows_name_the_file_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidTimeline, match=message):
        read_patients(_file(tmp_path, text))
