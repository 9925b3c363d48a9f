"""Measurement-based care for PHQ-9, GAD-7 and PCL-5 (monitoring.md s3; facts.md s2, s6, s7)."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from tandem.domain.monitoring.thresholds import (
    MbcThresholds,
    MonitoringSettings,
    ReliableChange,
)

from .builders import Patient, alert_days, iso, one


def _phq9(scores: dict[int, int], today: int = 60, **kw: object) -> dict[str, object]:
    patient = Patient(mood=[6.0] * 5, scores={("phq9", d): s for d, s in scores.items()})
    result: dict[str, object] = one(patient, today, **kw)["mbc"]["phq9"]  # type: ignore[arg-type]
    return result


def test_baseline_change_and_percent_change() -> None:
    # Baseline 20 (day 0), latest 9 (day 28): change -11, -55%.
    phq9 = _phq9({0: 20, 14: 15, 28: 9})
    assert phq9["baseline"] == 20
    assert phq9["baseline_date"] == iso(0)
    assert phq9["latest"] == 9
    assert phq9["latest_date"] == iso(28)
    assert phq9["change"] == -11
    assert phq9["percent_change"] == -55.0
    assert phq9["reliable_improvement"] is True
    assert phq9["reliable_deterioration"] is False
    assert phq9["response"] is True
    assert phq9["remission"] is False


@pytest.mark.parametrize(
    ("latest", "response"),
    [(10, True), (11, False)],  # exactly 50% lower counts (facts.md s2.1: >= 50%)
)
def test_response_is_at_least_50_percent_lower(latest: int, response: bool) -> None:
    assert _phq9({0: 20, 30: latest})["response"] is response


@pytest.mark.parametrize(("latest", "remission"), [(4, True), (5, False)])
def test_remission_is_below_5(latest: int, remission: bool) -> None:
    assert _phq9({0: 12, 30: latest})["remission"] is remission


def test_response_remission_not_on_track_need_a_baseline_of_10() -> None:
    phq9 = _phq9({0: 9, 50: 2})
    assert (phq9["response"], phq9["remission"], phq9["not_on_track"]) == (None, None, None)
    assert phq9["reliable_improvement"] is True  # 7 points: still reported
    assert _phq9({0: 10, 50: 2})["remission"] is True


@pytest.mark.parametrize(
    ("today", "latest", "expected"),
    [
        (41, 13, False),  # 41 days after baseline: too early
        (42, 13, True),  # 13.3% below 15: less than 20%
        (42, 12, False),  # exactly 20% below: on track
        (60, 15, True),
    ],
)
def test_not_on_track(today: int, latest: int, expected: bool) -> None:
    assert _phq9({0: 15, min(today, 30): latest}, today=today)["not_on_track"] is expected


def test_not_on_track_alert_is_raised_on_day_42() -> None:
    patient = Patient(mood=[6.0] * 5, scores={("phq9", 0): 15, ("phq9", 30): 14})
    result = one(patient, today=60)
    assert alert_days(result, "not_on_track") == [iso(42)]
    alert = next(a for a in result["alerts"] if a["kind"] == "not_on_track")
    assert alert["severity"] == "routine"
    assert alert["evidence"]["percent_below_baseline"] == pytest.approx(6.7)


@pytest.mark.parametrize(
    ("instrument", "step"), [("phq9", 6), ("gad7", 4), ("pcl5", 15)]
)  # facts.md s7
def test_reliable_change_thresholds(instrument: str, step: int) -> None:
    def course(change: int) -> dict[str, object]:
        scores = {(instrument, 0): 16, (instrument, 20): 16 + change}
        result: dict[str, object] = one(Patient(mood=[6.0] * 3, scores=scores), 30)["mbc"][
            instrument
        ]
        return result

    assert course(step)["reliable_deterioration"] is True
    assert course(step - 1)["reliable_deterioration"] is False
    assert course(-step)["reliable_improvement"] is True
    assert course(-(step - 1))["reliable_improvement"] is False


def test_instruments_without_scores_are_null() -> None:
    mbc = one(Patient(mood=[6.0] * 3, scores={("gad7", 0): 12}), 10)["mbc"]
    assert mbc["phq9"] is None
    assert mbc["pcl5"] is None
    assert mbc["gad7"]["baseline"] == 12
    assert "response" not in mbc["gad7"]


def test_percent_change_is_null_from_a_baseline_of_0() -> None:
    assert _phq9({0: 0, 10: 3})["percent_change"] is None


def test_thresholds_are_configurable() -> None:
    settings = MonitoringSettings(
        mbc=MbcThresholds(
            response_percent=60.0,
            reliable_change=MappingProxyType(
                {
                    "phq9": ReliableChange(3, "test"),
                    "gad7": ReliableChange(4, "test"),
                    "pcl5": ReliableChange(15, "test"),
                }
            ),
        )
    )
    phq9 = _phq9({0: 20, 30: 10}, settings=settings)
    assert phq9["response"] is False  # 50% < 60%
    assert _phq9({0: 20, 30: 17}, settings=settings)["reliable_improvement"] is True
