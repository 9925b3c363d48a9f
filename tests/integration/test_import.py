"""Issue 11 "Import": ``tandem import`` brings a clinic's history in through the services
(all or nothing, errors naming file, row and column), and the app then agrees with
``tandem analyze`` on the same CSV files (alerts by patient, kind and day; MBC)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from tandem.cli import main
from tandem.cli.analyze import run as analyze_run
from tandem.services import monitoring
from tandem.services.actors import Actor
from tandem.services.calendar import local_date
from tandem.services.monitoring import patient_report
from tandem.services.progress import last_use_of
from tandem.storage.models import (
    Alert,
    Attendance,
    AuditEvent,
    CheckIn,
    DrugScreen,
    GroupSession,
    InstrumentAdministration,
    Intake,
)
from tests.integration.support import World, _case_through_services, add_group

LAST = dt.date.today() - dt.timedelta(days=5)
FIRST = LAST - dt.timedelta(days=59)
CHECKIN_HEADER = ["patient_id", "date", "mood", "sleep_hours", "craving", "used", "safety"]


def day(k: int) -> str:
    return (FIRST + dt.timedelta(days=k)).isoformat()


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def phq9(total: int) -> list[int]:
    items = [0] * 9
    for i in range(total):
        items[i % 8] += 1
    return items


def history(pks: list[int], folder: Path) -> tuple[Path, Path, Path]:
    """60 days of check-ins, weekly PHQ-9 and twice-weekly screens for three patients:
    one getting better, one with lapses and a gap, one deepening."""
    patterns = [
        ({12, 30}, {40, 41, 42, 43}, [6, 8, 14, 12, 11, 13, 12, 9, 8], 30),
        ({3, 4, 20}, {10, 11, 12, 50, 51, 52}, [18, 17, 17, 16, 16, 15, 16, 16, 17], 0),
        ({45, 46, 47, 55}, set(), [9, 10, 12, 14, 16, 17, 19, 20, 21], 40),
    ]
    checkins, instruments, screens = [], [], []
    for pk, (use, gaps, scores, low_from) in zip(pks, patterns, strict=True):
        for k in range(60):
            if k not in gaps:
                mood = 3 if k >= low_from else 6
                checkins.append([pk, day(k), mood, "7", 2, int(k in use), 0])
            if k % 7 == 0:
                instruments.append([pk, day(k), "phq9", "", *phq9(scores[k // 7])])
            if k % 7 in (1, 4):
                result = "positive" if any(0 <= k - u <= 2 for u in use) else "negative"
                screens.append([pk, day(k), "missed" if k in gaps else result])
    items = [f"i{k}" for k in range(1, 10)]
    return (
        write(folder / "checkins.csv", CHECKIN_HEADER, checkins),
        write(
            folder / "instruments.csv",
            ["patient_id", "date", "instrument", "total", *items],
            instruments,
        ),
        write(folder / "screens.csv", ["patient_id", "date", "result"], screens),
    )


def tandem(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_imported_history_gives_the_alerts_and_mbc_of_tandem_analyze(
    world: World, tmp_path: Path
) -> None:
    director = world.a.staff["director"]
    third = _case_through_services(Actor(director.user), "Third Patient", [director.pk])
    patients = [world.a.patient, world.a.outsider_patient, third]
    pks = [p.pk for p in patients]
    ci, ins, scr = history(pks, tmp_path)
    slug = world.a.patient.organization.slug
    for kind, path in (("checkins", ci), ("instruments", ins), ("screens", scr)):
        code, out = tandem("import", kind, str(path), "--clinic", slug, "--by",
                           director.user.username)  # fmt: skip
        assert code == 0, out
    assert CheckIn.objects.filter(patient__in=pks).count() == 3 * 60 - 10
    assert DrugScreen.objects.filter(patient__in=pks, source="import").count() == 3 * 17
    assert AuditEvent.objects.filter(action="checkin.import", outcome="ok").count() == 1

    with (tmp_path / "patients.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "last_use"])
        for p in patients:
            w.writerow([p.pk, last_use_of(Intake.objects.get(patient=p).case) or ""])
    results = analyze_run(ci, ins, scr, LAST, patients=tmp_path / "patients.csv")

    loaded = monitoring.load(pks, LAST)
    app = {
        (r.patient_id, r.kind, r.on)
        for r in monitoring.raised_between(loaded, FIRST, LAST, monitoring.DAILY_KINDS)
    }
    cli = {
        (p, x["kind"], dt.date.fromisoformat(x["date"]))
        for p in pks
        for x in results[str(p)]["alerts"]
        if x["kind"] in monitoring.DAILY_KINDS
    }
    assert app == cli
    assert {"lapse", "deterioration"} <= {kind for _, kind, _ in app}
    for p in patients:
        report, problem = patient_report(p, LAST)
        assert problem == ""
        assert report is not None
        assert report["mbc"] == results[str(p.pk)]["mbc"]


def test_a_bad_row_is_named_by_file_row_and_column_and_nothing_is_saved(
    world: World, tmp_path: Path
) -> None:
    director = world.a.staff["director"]
    pk = world.a.patient.pk
    rows = [[pk, day(k), 6, "7", 2, 0, 0] for k in range(5)]
    rows[3][2] = 11
    path = write(tmp_path / "checkins.csv", CHECKIN_HEADER, rows)
    slug = world.a.patient.organization.slug
    code, out = tandem("import", "checkins", str(path), "--clinic", slug, "--by",
                       director.user.username)  # fmt: skip
    assert code == 2
    assert "checkins.csv, row 5, column mood: a whole number from 0 to 10" in out
    assert not CheckIn.objects.filter(patient=pk, on__lt=dt.date.today()).exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["OTHER", day(1), "phq9", "", *phq9(5)], "row 2, column patient_id"),
        ([None, day(1), "phq9", "", *phq9(5)], "row 2, column patient_id"),
        ([None, day(1), "phq9", "7", *phq9(5)], "row 2, column total: 7 but the answers score 5"),
        ([None, day(1), "phq9", "5", "", "", "", "", "", "", "", "", ""], "column answers"),
        ([None, "2999-01-01", "phq9", "", *phq9(5)], "row 2, column date"),
    ],
)
def test_instrument_rows_refused(
    world: World, tmp_path: Path, row: list[object], message: str
) -> None:
    director = world.a.staff["director"]
    other_clinic = world.b.patient.pk
    if row[0] is None:
        row[0] = world.a.patient.pk if "patient_id" not in message else other_clinic
    items = [f"i{k}" for k in range(1, 10)]
    path = write(tmp_path / "instruments.csv",
                 ["patient_id", "date", "instrument", "total", *items], [row])  # fmt: skip
    before = InstrumentAdministration.objects.count()
    slug = world.a.patient.organization.slug
    code, out = tandem("import", "instruments", str(path), "--clinic", slug, "--by",
                       director.user.username)  # fmt: skip
    assert code == 2, out
    assert message in out
    assert InstrumentAdministration.objects.count() == before


# ---------------------------------------------------------------- attendance

ATTENDANCE_HEADER = ["patient_id", "group", "date", "time", "level", "status"]


def import_attendance(world: World, path: Path) -> tuple[int, str]:
    director = world.a.staff["director"]
    slug = world.a.patient.organization.slug
    return tandem("import", "attendance", str(path), "--clinic", slug, "--by",
                  director.user.username)  # fmt: skip


def test_attendance_is_imported_into_the_clinics_sessions_and_new_ones(
    world: World, tmp_path: Path
) -> None:
    pk = world.a.patient.pk
    existing = add_group(world.a)  # "Relapse prevention", an hour ago, the peer's
    existing_day = local_date(existing.starts_at, world.a.patient.organization.time_zone)
    path = write(tmp_path / "attendance.csv", ATTENDANCE_HEADER, [
        [pk, "Coping skills", day(10), "10:00", "iop", "present"],
        [pk, "Coping skills", day(17), "10:00", "iop", "late"],
        [pk, "Relapse prevention", existing_day.isoformat(), "", "", "excused"],
    ])  # fmt: skip
    code, out = import_attendance(world, path)
    assert code == 0, out
    assert "3 attendance stored" in out
    marks = {(a.session.name, a.on): a.status for a in Attendance.objects.filter(patient=pk)}
    assert marks == {
        ("Coping skills", FIRST + dt.timedelta(days=10)): "present",
        ("Coping skills", FIRST + dt.timedelta(days=17)): "late",
        ("Relapse prevention", existing_day): "excused",
    }
    created = GroupSession.objects.filter(name="Coping skills")
    assert {s.facilitator_id for s in created} == {world.a.staff["director"].pk}
    assert {s.level for s in created} == {"iop"}
    events = AuditEvent.objects.filter(outcome="ok")
    assert events.filter(action="group.attendance", patient_id=pk).count() == 3
    assert events.filter(action="group.create").count() == 3  # add_group's and two new
    assert events.filter(action="group.attendance.import").count() == 1
    assert not Alert.objects.filter(kind="missed_groups").exists()


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({5: "absent"}, "row 3, column status: 'absent' is not allowed: present, late, excused"),
        ({2: "someday"}, "row 3, column date: 'someday' is not a date (YYYY-MM-DD)"),
        ({3: ""}, "row 3, column time: the clinic has no session 'Coping skills' on"),
        ({4: "residential"}, "row 3, column level: 'residential' is not allowed: iop, php"),
        ({2: "2999-01-01"}, "row 3, column date:"),
        ({0: "OTHER"}, "row 3, column patient_id: 'OTHER' is not the record number"),
    ],
)
def test_a_bad_attendance_row_refuses_the_whole_file(
    world: World, tmp_path: Path, cells: dict[int, str], message: str
) -> None:
    pk = world.a.patient.pk
    rows: list[list[object]] = [
        [pk, "Coping skills", day(k), "10:00", "iop", "unexcused"] for k in (40, 45, 50)
    ]
    for column, value in cells.items():
        rows[1][column] = value
    code, out = import_attendance(
        world, write(tmp_path / "attendance.csv", ATTENDANCE_HEADER, rows)
    )
    assert code == 2, out
    assert "attendance.csv" in out
    assert message in out
    assert "nothing was saved" in out
    assert not Attendance.objects.exists()
    assert not GroupSession.objects.exists()
    assert not Alert.objects.filter(kind="missed_groups").exists()


def test_imported_unexcused_absences_raise_the_outreach_alert(world: World, tmp_path: Path) -> None:
    pk = world.a.patient.pk
    path = write(tmp_path / "attendance.csv", ATTENDANCE_HEADER, [
        [pk, "Coping skills", day(50), "10:00", "iop", "unexcused"],
        [pk, "Coping skills", day(40), "10:00", "iop", "unexcused"],
        [pk, "Coping skills", day(45), "10:00", "iop", "excused"],
        [pk, "Coping skills", day(20), "10:00", "iop", "unexcused"],
    ])  # fmt: skip
    code, out = import_attendance(world, path)
    assert code == 0, out
    # 20 and 40 are 20 days apart (no alert); 40 and 50 are 10 apart: one, on day 50.
    alert = Alert.objects.get(kind="missed_groups", patient=pk)
    assert alert.raised_on == FIRST + dt.timedelta(days=50)
    assert alert.severity == "routine"
    assert alert.evidence[0]["record_type"] == "group attendance"
