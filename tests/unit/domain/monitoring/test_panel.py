"""A screen's panel: the stimulant reading for CM and unexpected opioids (ruleset-v2.md s7)."""

from __future__ import annotations

import pytest

from tandem.domain.monitoring.panel import NO_PANEL, Panel, stimulant_reading, unexpected_opioids


@pytest.mark.parametrize("result", ["negative", "positive", "invalid", "missed"])
def test_without_a_panel_the_result_is_read_as_v1(result: str) -> None:
    assert stimulant_reading(result, NO_PANEL) == result


def test_negative_needs_the_patients_own_stimulant_tested() -> None:
    only_opioids = Panel({"fentanyl": "negative", "opiates": "negative"})
    assert stimulant_reading("negative", only_opioids) == "invalid"
    amphetamine_only = Panel({"amphetamine": "negative"})
    assert stimulant_reading("negative", amphetamine_only, "cocaine") == "invalid"
    assert stimulant_reading("negative", amphetamine_only, "amphetamine_type") == "negative"
    both = Panel({"cocaine": "negative", "methamphetamine": "negative", "fentanyl": "positive"})
    assert stimulant_reading("positive", both, "cocaine") == "negative"  # opioids never block


def test_any_stimulant_positive_is_positive() -> None:
    panel = Panel({"cocaine": "negative", "methamphetamine": "positive"})
    assert stimulant_reading("negative", panel, "cocaine") == "positive"


def test_missed_and_invalid_stay() -> None:
    panel = Panel({"cocaine": "negative"})
    assert stimulant_reading("missed", panel) == "missed"
    assert stimulant_reading("invalid", panel) == "invalid"


def test_fentanyl_always_counts_other_opioids_unless_prescribed() -> None:
    panel = Panel({"fentanyl": "positive", "methadone": "positive", "opiates": "positive"})
    assert unexpected_opioids(panel, frozenset({"methadone"})) == ("fentanyl", "opiates")
    assert unexpected_opioids(Panel({"methadone": "positive"}), frozenset({"methadone"})) == ()
    assert unexpected_opioids(NO_PANEL) == ()
