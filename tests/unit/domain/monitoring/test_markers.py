"""Early markers per 14-day block and their trend (monitoring.md s2)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .builders import Patient, one, report


def _golden() -> Patient:
    mood: list[float | None] = [7.0] * 30
    mood[3] = mood[5] = 3.0  # dips in block 1
    mood[20] = 4.0  # not a dip: its local baseline is 165/24, and 4 > 165/24 - 3
    sleep = [7.0] * 14 + [6.0, 8.0] * 7 + [5.0, 9.0]
    craving = [2.0] * 14 + [4.0] * 14 + [6.0, 6.0]
    return Patient(mood=mood, sleep=sleep, craving=craving)


def test_blocks_run_from_the_first_checkin_and_the_last_one_is_short() -> None:
    # 30 days: blocks of 14, 14 and 2 days.
    blocks = one(_golden(), today=29)["early_markers"]
    assert [(b["block"], b["start"], b["end"], b["days"]) for b in blocks] == [
        (1, "2026-01-01", "2026-01-14", 14),
        (2, "2026-01-15", "2026-01-28", 14),
        (3, "2026-01-29", "2026-01-30", 2),
    ]
    assert [b["checkins"] for b in blocks] == [14, 14, 2]


def test_dips_sleep_sd_and_craving_per_block() -> None:
    # Day 3: local baseline (16 * 7 + 2 * 3) / 18 = 6.556, mood 3 <= 3.556: a dip.
    # Day 5: (18 * 7 + 6) / 20 = 6.6, mood 3 <= 3.6: a dip.
    # Sleep: 7 x 14 -> SD 0; 6, 8 alternating -> population SD 1; 5, 9 -> SD 2.
    blocks = one(_golden(), today=29)["early_markers"]
    assert [b["crash_dips"] for b in blocks] == [2, 0, 0]
    assert [b["sleep_sd"] for b in blocks] == [0.0, 1.0, 2.0]
    assert [b["mean_craving"] for b in blocks] == [2.0, 4.0, 6.0]


def test_trend_uses_complete_blocks_and_names_the_signs_of_progress() -> None:
    # Complete blocks 1-2: dips 2 -> 0 (-2 a block), sleep SD 0 -> 1, craving 2 -> 4.
    trend = one(_golden(), today=29)["early_markers_trend"]
    assert trend["crash_dips_per_block"] == -2.0
    assert trend["sleep_sd_per_block"] == 1.0
    assert trend["mean_craving_per_block"] == 2.0
    assert trend["signs_of_progress"] == ["fewer crash dips"]
    assert "not a diagnosis" in trend["meaning"]


def test_a_block_without_checkins_has_no_values() -> None:
    mood: list[float | None] = [6.0] * 14 + [None] * 14 + [6.0] * 18
    blocks = one(Patient(mood=mood), today=45)["early_markers"]
    assert blocks[1]["checkins"] == 0
    assert blocks[1]["crash_dips"] is None
    assert blocks[1]["sleep_sd"] is None
    assert blocks[1]["mean_craving"] is None
    assert blocks[0]["crash_dips"] == 0


def test_blocks_start_at_each_patients_own_first_checkin() -> None:
    late: list[float | None] = [None] * 5 + [6.0] * 30
    result = report({"A": _golden(), "B": Patient(mood=late)}, today=34)
    assert result["B"]["early_markers"][0]["start"] == "2026-01-06"
    assert [b["days"] for b in result["B"]["early_markers"]] == [14, 14, 2]
    assert [b["days"] for b in result["A"]["early_markers"]] == [14, 14, 7]


def test_planted_steadier_sleep_is_recovered() -> None:
    # Sleep SD falls from 2.0 to 0.5 over 10 blocks: -1/6 a block.
    rng = np.random.default_rng(8)
    days = 140
    target = 2.0 - 1.5 * (np.arange(days) // 14) / 9
    patients = {}
    for i in range(30):
        sleep = np.clip(7 + rng.normal(0, 1, days) * target, 0, 24)
        patients[f"P{i}"] = Patient(mood=[6.0] * days, sleep=sleep.tolist())
    result = report(patients, today=days - 1)
    slopes = [r["early_markers_trend"]["sleep_sd_per_block"] for r in result.values()]
    assert np.mean(slopes) == pytest.approx(-1.5 / 9, abs=0.03)
    assert all("sleep settling" in r["early_markers_trend"]["signs_of_progress"]
               for r in result.values())  # fmt: skip


def test_short_nights_and_mean_sleep_per_block() -> None:
    # ruleset-v2.md s7: nights under 6 hours are short (program). Block 1: 4 nights of
    # 5.5 h and 10 of 8 h; block 2: every night 6 h (not under 6).
    sleep = [5.5] * 4 + [8.0] * 10 + [6.0] * 14
    blocks = one(Patient(mood=[6.0] * 28, sleep=sleep), today=27)["early_markers"]
    assert [b["short_sleep_nights"] for b in blocks] == [4, 0]
    assert [b["mean_sleep_hours"] for b in blocks] == [round((4 * 5.5 + 80) / 14, 3), 6.0]


def test_steady_four_hour_nights_are_not_settling_sleep() -> None:
    # Spread falls (7 h +- 1.5 -> steady 4 h) but short nights rise: no progress (s7).
    rng = np.random.default_rng(3)
    sleep = np.concatenate([np.clip(7 + rng.normal(0, 1.5, 28), 6.0, 10), np.full(28, 4.0)])
    trend = one(Patient(mood=[6.0] * 56, sleep=sleep.tolist()), 55)["early_markers_trend"]
    assert trend["sleep_sd_per_block"] < 0
    assert trend["short_sleep_nights_per_block"] > 0
    assert "sleep settling" not in trend["signs_of_progress"]


def test_fewer_short_nights_are_settling_sleep_even_with_a_wider_spread() -> None:
    # Every night 5 h, then 5 h and 9 h in turn: the spread grows, short nights halve.
    sleep = [5.0] * 28 + [5.0, 9.0] * 14
    trend = one(Patient(mood=[6.0] * 56, sleep=sleep), 55)["early_markers_trend"]
    assert trend["sleep_sd_per_block"] > 0
    assert "sleep settling" in trend["signs_of_progress"]


def test_the_fast_json_text_equals_the_report() -> None:
    import json

    from tandem.domain.monitoring.report import patient_json, patient_reports

    from .builders import analyse, caseload

    rng = np.random.default_rng(2)
    patients = {
        f"P{i}": Patient(
            mood=[None if rng.random() < 0.2 else float(rng.integers(0, 11)) for _ in range(75)],
            used=np.flatnonzero(rng.random(75) < 0.1).tolist(),
            sleep=np.round(rng.normal(7, 1.3, 75), 2).tolist(),
            scores={("phq9", 0): 14, ("phq9", 30): 9},
            screens=[(20, "negative"), (25, "negative"), (30, "positive")],
        )
        for i in range(12)
    }
    patients["short"] = Patient(mood=[5.0] * 10)
    group = analyse(patients, today=74)
    ids = caseload(patients).patient_ids
    text = dict(patient_json(group, ids))
    assert {pid: json.loads(t) for pid, t in text.items()} == patient_reports(group, ids)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(-1e6, 1e6), st.just(float("nan")), st.just(-0.0), st.just(-0.0004)),
        min_size=1,
        max_size=30,
    )
)
def test_the_fast_number_tokens_equal_json(values: list[float]) -> None:
    import json

    from tandem.domain.monitoring.report import _tokens

    a = np.asarray(values)
    expected = ["null" if v != v else json.dumps(float(np.round(v, 3))) for v in values]
    assert [str(t) for t in _tokens(a, 3).tolist()] == expected
