"""The monitoring input contract for what ruleset-v2.md s7 adds: every instrument of the
library, screen panels and intake facts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tandem.domain.errors import InvalidTimeline
from tandem.domain.instruments import REGISTRY
from tandem.domain.monitoring.rows import (
    INSTRUMENTS,
    Intake,
    check_caseload,
    in_treatment_tier,
)

from .builders import Patient, caseload

LOW = (1, 0, None, None, None, 0)


def test_every_instrument_of_the_library_has_a_code() -> None:
    assert set(INSTRUMENTS) == set(REGISTRY)
    assert INSTRUMENTS[:4] == ("phq9", "gad7", "pcl5", "cssrs")


def test_an_instrument_code_outside_the_library_names_file_row_and_column() -> None:
    cl = caseload({"A": Patient(mood=[6.0], scores={("cssrs", 0): LOW})})
    bad = replace(cl.instruments, instrument=np.array([len(INSTRUMENTS)]))
    with pytest.raises(InvalidTimeline, match=r"^instruments.csv, row 2, column instrument: "):
        check_caseload(replace(cl, instruments=bad))


def test_the_cssrs_tier_during_treatment_leaves_out_lifetime_behaviour_only() -> None:
    nan = np.nan
    rows = np.array(
        [
            [0, 0, nan, nan, nan, 1],  # lifetime only: none (the library says moderate)
            [1, 0, nan, nan, nan, 1],  # Q1 and lifetime: low
            [0, 0, nan, nan, nan, 2],  # within 3 months: high
            [1, 1, 1, 0, 0, 0],  # Q3: moderate
            [1, 1, 0, 0, 1, 0],  # Q5: high
        ]
    )
    assert in_treatment_tier(rows).tolist() == [0, 1, 3, 2, 3]


def test_bad_panel_codes_and_intake_entries_are_refused() -> None:
    cl = caseload({"A": Patient(mood=[6.0], screens=[(0, "negative")], panels={0: {}})})
    assert cl.screens.analytes is not None
    bad = replace(cl.screens, analytes=np.full_like(cl.screens.analytes, 7))
    with pytest.raises(InvalidTimeline, match=r"screens.csv, row 2, column cocaine"):
        check_caseload(replace(cl, screens=bad))
    intake = Intake(np.array([-1]), (frozenset({"aspirin"}),))
    with pytest.raises(InvalidTimeline, match="not opioids of the panel"):
        check_caseload(replace(cl, intake=intake))
