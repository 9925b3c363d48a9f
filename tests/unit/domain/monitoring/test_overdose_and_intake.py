"""``overdose_risk`` from a screen's panel, and abstinence known from intake
(ruleset-v2.md s7; review findings 5 and 6)."""

from __future__ import annotations

from typing import Any

from .builders import Patient, alert_days, iso, one

FENTANYL = {"cocaine": "negative", "fentanyl": "positive"}
METHADONE = {"cocaine": "negative", "methadone": "positive"}


def _overdose(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in result["alerts"] if a["kind"] == "overdose_risk"]


def test_fentanyl_on_a_screen_raises_overdose_risk_that_day() -> None:
    patient = Patient(mood=[6.0] * 5, screens=[(2, "negative")], panels={2: FENTANYL})
    alerts = _overdose(one(patient, 4))
    assert [a["date"] for a in alerts] == [iso(2)]
    alert = alerts[0]
    assert (alert["severity"], alert["recipients"]) == ("high", ["therapist", "prescriber"])
    assert alert["evidence"]["positive_for"] == ["fentanyl"]
    assert "naloxone" in alert["evidence"]["note"]
    assert "contaminated" in alert["evidence"]["note"]
    assert "facts.md s9" in alert["action"]


def test_fentanyl_raises_it_even_when_prescribed_and_other_opioids_unless_prescribed() -> None:
    fentanyl = Patient(
        mood=[6.0] * 5,
        screens=[(2, "negative")],
        panels={2: FENTANYL},
        prescribed=frozenset({"fentanyl"}),
    )
    assert alert_days(one(fentanyl, 4), "overdose_risk") == [iso(2)]
    on_methadone = Patient(
        mood=[6.0] * 5,
        screens=[(2, "negative")],
        panels={2: METHADONE},
        prescribed=frozenset({"methadone"}),
    )
    assert alert_days(one(on_methadone, 4), "overdose_risk") == []
    not_prescribed = Patient(mood=[6.0] * 5, screens=[(2, "negative")], panels={2: METHADONE})
    assert _overdose(one(not_prescribed, 4))[0]["evidence"]["positive_for"] == ["methadone"]


def test_overdose_risk_again_only_after_14_days_without_such_a_screen() -> None:
    # Such screens on days 0, 10 (10 days later: same episode), 25 (14 quiet days 11-24).
    days = (0, 10, 25)
    patient = Patient(
        mood=[6.0] * 30,
        screens=[(d, "negative") for d in days],
        panels=dict.fromkeys(days, FENTANYL),
    )
    assert alert_days(one(patient, 29), "overdose_risk") == [iso(0), iso(25)]


def test_a_screen_without_a_panel_raises_no_overdose_risk() -> None:
    patient = Patient(mood=[6.0] * 5, screens=[(2, "positive")], panels={1: {}})
    assert alert_days(one(patient, 4), "overdose_risk") == []


def _abstinent_at_intake(phq9: dict[int, int], days: int = 60) -> Patient:
    """Last use 20 days before the first check-in (day -20); no use reported since."""
    return Patient(
        mood=[6.0] * days, scores={("phq9", d): v for d, v in phq9.items()}, last_use=-20
    )


def test_abstinence_from_intake_counts_days_before_the_first_checkin() -> None:
    """Finding 5: last use on day -20, so day 0 is the 20th day without use and day 8 the
    28th: the recovery run starts on day -19. v1 never counted the days before the first
    record and reported no run at all."""
    result = one(_abstinent_at_intake({}), 59)
    rec = result["recovery"]
    assert (rec["run_start"], rec["days_without_use"], rec["ongoing"]) == (iso(-19), 79, True)
    assert rec["mood_days_1_7"] is None  # days -19..-13 have no check-in
    # Without the intake's last use there is no known use day: it says why.
    plain = one(Patient(mood=[6.0] * 60), 59)["recovery"]
    assert plain == {"insufficient_data": True, "reason": "no_use_days"}


def test_early_sobriety_depression_for_a_person_abstinent_at_intake() -> None:
    # PHQ-9 12 on day 0: the 20th day without use, inside 7-84.
    result = one(_abstinent_at_intake({0: 12}), 59)
    alerts = [a for a in result["alerts"] if a["kind"] == "early_sobriety_depression"]
    assert [a["date"] for a in alerts] == [iso(0)]
    assert alerts[0]["evidence"]["days_without_use"] == 20


def test_persistent_depression_for_a_person_abstinent_at_intake() -> None:
    # PHQ-9 12 on day 30 (day 50 without use, in the run's last 14 days); the 28th
    # check-in is on day 27: persistent_low holds from day 30.
    result = one(_abstinent_at_intake({30: 12}), 59)
    assert alert_days(result, "persistent_depression") == [iso(30)]
    alert = next(a for a in result["alerts"] if a["kind"] == "persistent_depression")
    assert (alert["evidence"]["run_start"], alert["evidence"]["days_without_use"]) == (
        iso(-19),
        50,
    )
    # As of today (day 59) the PHQ-9 is older than the run's last 14 days and mood on run
    # days 22-28 (days 2-8) is 6: the report's persistent_low is false; the alert stays.
    assert result["recovery"]["persistent_low"] is False


def test_use_after_intake_counts_from_the_later_use() -> None:
    patient = Patient(mood=[6.0] * 40, used=[5], last_use=-20)
    rec = one(patient, 39)["recovery"]
    assert (rec["run_start"], rec["days_without_use"]) == (iso(6), 34)
    # Use reported on day 5 after 24 days without use (intake): a lapse (s5).
    assert alert_days(one(patient, 39), "lapse") == [iso(5)]


def test_a_last_use_after_today_is_ignored() -> None:
    patient = Patient(mood=[6.0] * 40, last_use=45)
    assert one(patient, 39)["recovery"] == {"insufficient_data": True, "reason": "no_use_days"}
