"""Issue 11: alerts from what is recorded (inline, same transaction) and the daily
monitoring run, on a real database; and the app agreeing with ``tandem analyze``."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from tandem.cli.analyze import run as analyze_run
from tandem.services import checkins, intake, monitoring
from tandem.services.actors import Actor
from tandem.services.clock import FixedClock, use_clock
from tandem.services.progress import last_use_of
from tandem.storage.models import (
    Alert,
    AlertTransition,
    CheckIn,
    InstrumentAdministration,
    Intake,
    MonitoringRun,
    Patient,
)
from tests.integration.support import World

# Clinic noon in any zone within UTC-11 .. UTC+11 stays on the same clinic-local day.
START = dt.date.today() + dt.timedelta(days=1)  # after the world's intake (last use -3)


def at(day: dt.date, hour: int = 19) -> FixedClock:
    return FixedClock(dt.datetime.combine(day, dt.time(hour), dt.UTC))


def day_of(k: int) -> dt.date:
    return START + dt.timedelta(days=k)


def answers(used: bool = False, mood: int = 6, craving: int = 2) -> dict[str, Any]:
    return {
        "mood": mood,
        "sleep_hours": "7",
        "craving": craving,
        "used": "yes" if used else "no",
        "safety": "no",
    }


def member(world: World, patient: Patient) -> Any:
    """A staff member on the patient's care team (the outsider's is the prescriber)."""
    return world.a.staff["therapist" if patient == world.a.patient else "prescriber"]


def check_in(world: World, patient: Patient, k: int, **kw: Any) -> None:
    staff = Actor(member(world, patient).user)
    with use_clock(at(day_of(k))):
        raw = answers(**kw)
        if kw.get("used"):
            raw["use_days"] = [day_of(k).isoformat()]
        checkins.record_checkin(staff, patient.pk, raw)


def phq9_items(total: int) -> list[int]:
    items = [0] * 9
    for i in range(total):
        items[i % 8] += 1  # item 9 stays 0: no suicide signal here
    return items


def phq9(world: World, patient: Patient, k: int, total: int) -> None:
    staff = member(world, patient)
    with use_clock(at(day_of(k))), transaction.atomic():
        intake.score_and_store(
            Actor(staff.user),
            patient,
            "phq9",
            phq9_items(total),
            day_of(k),
            recorded_by=staff,
            source="clinic",
        )


def kinds(patient: Patient) -> set[tuple[str, dt.date]]:
    return set(Alert.objects.filter(patient=patient).values_list("kind", "raised_on"))


def test_a_lapse_is_raised_with_the_checkin_in_the_same_transaction(world: World) -> None:
    patient = world.a.patient
    for k in range(8):
        check_in(world, patient, k)
    assert not {k for k, _ in kinds(patient)} & {"lapse"}

    class Undo(Exception):
        pass

    def check_in_then_undo() -> None:
        with transaction.atomic():
            check_in(world, patient, 8, used=True)
            assert ("lapse", day_of(8)) in kinds(patient)
            raise Undo

    with pytest.raises(Undo):
        check_in_then_undo()
    assert ("lapse", day_of(8)) not in kinds(patient)  # rolled back with the check-in
    assert not CheckIn.objects.filter(patient=patient, on=day_of(8)).exists()

    check_in(world, patient, 8, used=True)
    lapse = Alert.objects.get(patient=patient, kind="lapse", raised_on=day_of(8))
    checkin = CheckIn.objects.get(patient=patient, on=day_of(8))
    assert lapse.severity == "high"
    [evidence] = lapse.evidence
    assert evidence["record_type"] == "check-in"
    assert evidence["record_id"] == checkin.pk
    assert evidence["what"].startswith("Check-in: use reported after ")
    # A second submission the same day adds nothing: one alert, one piece of evidence.
    check_in(world, patient, 8, used=True, mood=4)
    assert Alert.objects.get(pk=lapse.pk).evidence == lapse.evidence


def test_daily_run_raises_missed_checkins_on_the_third_day_and_only_once(world: World) -> None:
    patient = world.a.patient
    slug = patient.organization.slug
    for k in range(5):
        check_in(world, patient, k)
    for k in (5, 6):  # days 5 and 6 without a check-in: not yet
        with use_clock(at(day_of(k + 1), 8)):
            monitoring.run_now(day_of(k), slug)
    assert not [k for k, _ in kinds(patient) if k == "missed_checkins"]
    with use_clock(at(day_of(8), 8)):
        [summary] = monitoring.run_now(day_of(7), slug)
    assert ("missed_checkins", day_of(7)) in kinds(patient)
    alert = Alert.objects.get(patient=patient, kind="missed_checkins")
    assert alert.evidence[0]["what"] == f"No check-in for 3 days (last on {day_of(4)})"
    assert summary.alerts_raised >= 1

    # Running the day again (operator) or by the scheduler raises nothing new.
    before = (Alert.objects.count(), AlertTransition.objects.count())
    with use_clock(at(day_of(8), 8)):
        [again] = monitoring.run_now(day_of(7), slug)
        scheduled = monitoring.run_due()  # yesterday (day 7) has a run row already
    assert again.alerts_raised == 0
    assert [s.clinic for s in scheduled] == [world.b.patient.organization.slug]
    assert (Alert.objects.count(), AlertTransition.objects.count()) == before
    runs = MonitoringRun.objects.filter(organization=patient.organization, day=day_of(7))
    assert runs.count() == 1


def test_the_scheduled_run_claims_each_clinic_day_once(world: World) -> None:
    with use_clock(at(day_of(3), 8)):
        first = monitoring.run_due()
        second = monitoring.run_due()
    assert {s.day for s in first} == {day_of(2)}
    assert len(first) == 2  # both clinics of the world
    assert second == []


# ------------------------------------------------------------------ app == analyze


def _pattern(
    world: World,
    patient: Patient,
    use_on: set[int],
    gaps: set[int],
    scores: dict[int, int],
    low_from: int,
) -> None:
    for k in range(70):
        if k in scores:
            phq9(world, patient, k, scores[k])
        if k not in gaps:
            check_in(world, patient, k, used=k in use_on, mood=3 if k >= low_from else 6)


def _export(patients: list[Patient], folder: Path) -> tuple[Path, Path, Path]:
    """The patients' records in the CSV files ``tandem analyze`` reads."""
    ci, ins, pts = folder / "checkins.csv", folder / "instruments.csv", folder / "patients.csv"
    with ci.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["patient_id", "date", "mood", "sleep_hours", "craving", "used", "energy", "safety"]
        )
        for p in patients:
            rows = list(CheckIn.objects.filter(patient=p).order_by("on"))
            used = {d for r in rows for d in r.use_days}
            for r in rows:
                w.writerow(
                    [
                        p.pk,
                        r.on,
                        r.mood,
                        r.sleep_hours,
                        r.craving,
                        int(r.on.isoformat() in used),
                        r.energy or "",
                        int(r.safety),
                    ]
                )
    with ins.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "date", "instrument", "total"] + [f"i{k}" for k in range(1, 10)])
        for p in patients:
            for a in InstrumentAdministration.objects.filter(patient=p, instrument_id="phq9"):
                w.writerow([p.pk, a.administered_on, "phq9", "", *a.answers])
    with pts.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "last_use"])
        for p in patients:
            last = last_use_of(Intake.objects.get(patient=p).case)
            w.writerow([p.pk, last or ""])
    return ci, ins, pts


def test_the_app_and_tandem_analyze_agree(world: World, tmp_path: Path) -> None:
    a, b = world.a.patient, world.a.outsider_patient
    _pattern(
        world,
        a,
        use_on={12, 30},
        gaps={40, 41, 42, 43},
        scores={0: 6, 7: 8, 14: 14, 21: 12, 28: 11, 35: 13, 49: 12, 63: 12},
        low_from=30,
    )
    _pattern(
        world,
        b,
        use_on={3, 4, 20},
        gaps={10, 11, 12, 50, 51, 52},
        scores={0: 18, 7: 17, 14: 17, 21: 16, 28: 16, 35: 15, 56: 16},
        low_from=0,
    )
    slug = a.organization.slug
    for k in range(70):  # the daily run after each clinic day
        with use_clock(at(day_of(k + 1), 8)):
            monitoring.run_now(day_of(k), slug)
    last = day_of(69)
    results = analyze_run(
        *_export([a, b], tmp_path)[:2], None, last, patients=tmp_path / "patients.csv"
    )
    for p in (a, b):
        app = {(k, d) for k, d in kinds(p) if k in monitoring.DAILY_KINDS}
        cli = {
            (x["kind"], dt.date.fromisoformat(x["date"]))
            for x in results[str(p.pk)]["alerts"]
            if x["kind"] in monitoring.DAILY_KINDS
        }
        assert app == cli
    raised = {k for p in (a, b) for k, _ in kinds(p)}
    assert {"lapse", "missed_checkins", "deterioration"} <= raised
