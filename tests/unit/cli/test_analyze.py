"""``tandem analyze`` end to end (monitoring.md s8): output shapes, errors, no Django."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.cli import main
from tandem.formats.caseload import read_caseload
from tandem.formats.outputs import FLAT_COLUMNS

HEADER = "patient_id,date,mood,sleep_hours,craving,used,energy,safety"
R3 = "checkins.csv, row 3, column "


def checkins(days: int = 30, patient: str = "A", used: tuple[int, ...] = ()) -> list[str]:
    return [
        f"{patient},2026-01-{d + 1:02d},6,7.5,3,{int(d in used)},5,0" if d < 31 else ""
        for d in range(days)
    ]


def write(path: Path, header: str, lines: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["analyze", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "checkins": write(tmp_path / "checkins.csv", HEADER, checkins() + checkins(patient="B")),
        "instruments": write(
            tmp_path / "instruments.csv",
            "patient_id,date,instrument,total," + ",".join(f"i{k}" for k in range(1, 10)),
            [
                "A,2026-01-01,phq9,15,3,3,3,3,3,0,0,0,0",
                "A,2026-01-29,PHQ-9,6,1,1,1,1,1,0,0,0,1",
                "C,2026-01-05,gad7,12,,,,,,,,,",
            ],
        ),
        "screens": write(
            tmp_path / "screens.csv",
            "patient_id,date,result,benzoylecgonine_ng_ml",
            ["A,2026-01-05,negative,", "A,2026-01-08,negative,", "A,2026-01-12,positive,820"],
        ),
    }


def test_json_is_keyed_by_patient_with_every_part(files: dict[str, Path]) -> None:
    code, out, err = run(
        "--checkins", files["checkins"], "--instruments", files["instruments"],
        "--screens", files["screens"], "--today", "2026-01-30", "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert list(result) == ["A", "B", "C"]  # C has only a GAD-7
    parts = {"cycle", "early_markers", "early_markers_trend", "recovery", "mbc", "alerts",
             "suggestion", "cssrs_current"}  # fmt: skip
    assert all(set(r) == parts for r in result.values())
    a = result["A"]
    assert set(a["cycle"]) >= {"baseline_mood", "surge", "crash", "crash_days", "chase",
                               "deepening", "deepening_flag"}  # fmt: skip
    assert set(a["cycle"]["chase"]) == {"after_low", "after_other", "ratio", "n_low", "n_other"}
    assert a["mbc"]["phq9"]["change"] == -9
    # The PHQ-9 of 15 (day 0) holds until the next one (day 28); day 18 is the 7th day
    # after the positive screen of day 11: early sobriety depression (s5).
    kinds = {"lapse", "suicide_risk", "early_sobriety_depression"}
    assert {x["kind"] for x in a["alerts"]} == kinds
    for alert in a["alerts"]:
        assert set(alert) == {"kind", "severity", "date", "evidence", "action", "recipients"}
    assert result["C"]["cycle"] == {
        "insufficient_data": True,
        "reason": "fewer_than_28_checkins",
        "checkins": 0,
    }
    assert result["C"]["mbc"]["gad7"]["baseline"] == 12


def test_output_writes_one_flat_row_per_patient(files: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    code, out, _ = run(
        "--checkins", files["checkins"], "--instruments", files["instruments"],
        "--today", "2026-01-30", "--output", target,
    )  # fmt: skip
    assert (code, out) == (0, "")
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == FLAT_COLUMNS
    table = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [r["patient_id"] for r in table] == ["A", "B", "C"]
    assert table[0]["phq9_baseline"] == "15"
    assert table[0]["phq9_response"] == "1"
    assert table[0]["baseline_mood"] == "6.0"
    assert table[0]["blocks"] == "3"  # 14 + 14 + 2 days
    assert table[2]["insufficient_data"] == "1"
    assert table[2]["phq9_baseline"] == ""


def test_checkins_after_today_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "checkins.csv", HEADER, checkins(30, used=(29,)))
    _, out, _ = run("--checkins", path, "--today", "2026-01-29")
    assert json.loads(out)["A"]["cycle"]["surge"] is None
    _, out, _ = run("--checkins", path, "--today", "2026-01-30")
    assert json.loads(out)["A"]["cycle"]["surge"] == 0.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("A,2026-01-02,11,7,3,0,5,0", R3 + "mood: 11 is not between 0 and 10"),
        ("A,2026-01-02,6,25,3,0,5,0", R3 + "sleep_hours: 25 is not between 0 and 24"),
        ("A,2026-01-02,6,7,3,2,5,0", R3 + "used: 2 is not 0 or 1"),
        ("A,2026-01-02,6,7,3,,5,0", R3 + "used: '' is empty; a number is required"),
        ("A,2026-01-02,six,7,3,0,5,0", R3 + "mood: 'six' is not a number"),
        ("A,2026-02-30,6,7,3,0,5,0", R3 + "date: '2026-02-30' is not a date (YYYY-MM-DD)"),
        ("A,2026-01-01,5,7,3,0,5,0", R3 + "date: a second check-in for this patient on "
         "2026-01-01 (the first is row 2); at most one is allowed"),
        ("A,2026-01-02,6,7,3,0", "checkins.csv, row 3: 6 columns where the header has 8"),
        (",2026-01-02,6,7,3,0,5,0", R3 + "patient_id: '' is empty"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path / "checkins.csv", HEADER, ["A,2026-01-01,6,7,3,0,5,0", line])
    code, out, err = run("--checkins", path, "--today", "2026-01-30")
    assert (code, out) == (2, "")
    assert err == message + "\n"


@pytest.mark.parametrize(
    ("name", "header", "line", "message"),
    [
        ("instruments.csv", "patient_id,date,instrument,total", "A,2026-01-01,bdi,10",
         "instruments.csv, row 2, column instrument: 'bdi' is not one of"),
        ("instruments.csv", "patient_id,date,instrument,total", "A,2026-01-01,phq9,28",
         "instruments.csv, row 2, column total: 28 is not between 0 and 27"),
        ("instruments.csv", "patient_id,date,instrument,total,i1,i2,i3,i4,i5,i6,i7,i8,i9",
         "A,2026-01-01,phq9,12,1,1,1,1,1,1,1,1,1",
         "instruments.csv, row 2, column total: 12 is not the sum of the phq9 items (9)"),
        ("instruments.csv", "patient_id,date,instrument,total,i1,i2,i3,i4,i5,i6",
         "A,2026-01-01,cssrs,,1,0,1,-,-,0",
         "instruments.csv, row 2, column i3: 1 is not one of -, 0 (item 2 is 0, so item 3 "
         "is skipped)"),
        ("instruments.csv", "patient_id,date,instrument,total,i1,i2,i3,i4,i5,i6",
         "A,2026-01-01,cssrs,,1,1,-,0,0,0",
         "instruments.csv, row 2, column i3: - is not one of 0, 1 (a skip is allowed only "
         "when item 2 is 0)"),
        ("instruments.csv", "patient_id,date,instrument,total",
         "A,2026-01-01,gad7,",
         "instruments.csv, row 2, column total: is empty and the gad7 items are not given"),
        ("screens.csv", "patient_id,date,result", "A,2026-01-01,dilute",
         "screens.csv, row 2, column result: 'dilute' is not one of negative, positive"),
        ("screens.csv", "patient_id,date,outcome", "A,2026-01-01,negative",
         "screens.csv, row 1, column outcome: unknown column"),
    ],
)  # fmt: skip
def test_bad_instruments_and_screens(
    tmp_path: Path, name: str, header: str, line: str, message: str
) -> None:
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(3))
    other = write(tmp_path / name, header, [line])
    option = "--instruments" if name.startswith("instruments") else "--screens"
    code, _, err = run("--checkins", ci, option, other, "--today", "2026-01-30")
    assert code == 2
    assert err.startswith(message)
    assert err.count("\n") == 1


ITEMS12 = "patient_id,date,instrument,total," + ",".join(f"i{k}" for k in range(1, 13))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        # instruments.md: a missing scored item means not scorable; '-' only where the
        # instrument's branching allows (PHQ-9 item 9 is never skipped).
        ("A,2026-01-01,phq9,9,1,1,1,1,1,1,1,1,-,,,",
         "row 2, column i9: - is not one of 0, 1, 2, 3"),
        ("A,2026-01-01,phq9,8,1,1,1,1,1,1,1,1,,,,",
         "row 2, column i9: is empty; a phq9 row gives all scored items or none"),
        ("A,2026-01-01,phq9,1,,,,,,,,,1,,,",
         "row 2, column i1: is empty; a phq9 row gives all scored items or none"),
        ("A,2026-01-01,phq9,10,1,1,4,1,1,1,1,0,0,,,",
         "row 2, column i3: 4 is not one of 0, 1, 2, 3"),
        ("A,2026-01-01,phq9,9,1,1,1,1,1,1,1,1,1,,,1",
         "row 2, column i12: must be empty; phq9 has 10 items"),
        ("A,2026-01-01,gad7,7,1,1,1,1,1,1,1,,-,,,",
         "row 2, column i9: must be empty; gad7 has 8 items"),
        ("A,2026-01-01,phq9,12,1,1,1,1,1,1,1,1,1,,,",
         "row 2, column total: 12 is not the sum of the phq9 items (9)"),
    ],
)  # fmt: skip
def test_a_row_gives_all_scored_items_or_none(tmp_path: Path, line: str, message: str) -> None:
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(3))
    ins = write(tmp_path / "instruments.csv", ITEMS12, [line])
    code, _, err = run("--checkins", ci, "--instruments", ins, "--today", "2026-01-30")
    assert (code, err) == (2, f"instruments.csv, {message}\n")


def test_a_total_only_phq9_leaves_item_9_unknown(tmp_path: Path) -> None:
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(3) + checkins(3, patient="B"))
    lines = [
        "A,2026-01-01,phq9,9,,,,,,,,,,,,",  # total only: item 9 unknown
        "B,2026-01-01,phq9,9,1,1,1,1,1,1,1,2,0,-,,",  # every item (10th optional, '-')
    ]
    ins = write(tmp_path / "instruments.csv", ITEMS12, lines)
    code, out, err = run("--checkins", ci, "--instruments", ins, "--today", "2026-01-03", "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["A"]["mbc"]["phq9"]["latest_item9"] is None  # unknown, not 0
    assert result["B"]["mbc"]["phq9"]["latest_item9"] == 0
    assert result["A"]["mbc"]["phq9"]["latest"] == result["B"]["mbc"]["phq9"]["latest"] == 9


def test_an_empty_file_and_a_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "checkins.csv"
    empty.write_bytes(b"")
    code, _, err = run("--checkins", empty, "--today", "2026-01-30")
    assert (code, err) == (
        2,
        "checkins.csv, row 1: the header row is missing (the file is empty)\n",
    )
    code, _, err = run("--checkins", tmp_path / "none.csv", "--today", "2026-01-30")
    assert code == 2
    assert err.startswith("none.csv: cannot be read")


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "checkins.csv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + "\r\n".join(checkins(28)) + "\r\n").encode())
    code, out, _ = run("--checkins", path, "--today", "2026-01-30")
    assert code == 0
    assert json.loads(out)["A"]["cycle"]["checkins"] == 28


def test_bad_today_and_conflicting_outputs(tmp_path: Path) -> None:
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(3))
    code, _, err = run("--checkins", ci, "--today", "30/01/2026")
    assert (code, err) == (2, "--today: '30/01/2026' is not a date (YYYY-MM-DD)\n")
    code, _, _ = run("--checkins", ci, "--today", "2026-01-30", "--json", "--output", "x.csv")
    assert code == 2


def test_quoted_files_read_like_plain_ones(files: dict[str, Path], tmp_path: Path) -> None:
    quoted = tmp_path / "quoted.csv"
    with files["checkins"].open(newline="") as src, quoted.open("w", newline="") as dst:
        csv.writer(dst, quoting=csv.QUOTE_ALL).writerows(csv.reader(src))
    _, plain, _ = run("--checkins", files["checkins"], "--today", "2026-01-30")
    _, again, _ = run("--checkins", quoted, "--today", "2026-01-30")
    assert json.loads(plain) == json.loads(again)


CELL = st.sampled_from(["0", "1", "10", "7.5", "7.25", " 6 ", "3.", "0.5", ""])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(["A", "Bee", "patient-0123456789"]),
                          st.integers(0, 27), CELL, CELL), min_size=1, max_size=25))  # fmt: skip
def test_fast_and_csv_module_paths_agree(
    tmp_path: Path, rows: list[tuple[str, int, str, str]]
) -> None:
    seen: set[tuple[str, int]] = set()
    lines = []
    for pid, d, sleep, energy in rows:
        if (pid, d) not in seen:
            seen.add((pid, d))
            mood = energy.strip() or "5"
            lines.append([pid, f"2026-02-{d + 1:02d}", mood, sleep.strip() or "7", "2", "0",
                          energy, ""])  # fmt: skip
    plain, quoted = tmp_path / "p.csv", tmp_path / "q.csv"
    plain.write_text(HEADER + "\n" + "\n".join(",".join(r) for r in lines) + "\n")
    with quoted.open("w", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(HEADER.split(","))
        writer.writerows(lines)
    a, b = read_caseload(plain), read_caseload(quoted)
    assert a.patient_ids == b.patient_ids
    for name in ("patient", "day", "mood", "sleep_hours", "energy", "safety"):
        np.testing.assert_array_equal(getattr(a.checkins, name), getattr(b.checkins, name))
    expected = [float(r[3]) for r in lines]
    np.testing.assert_array_equal(a.checkins.sleep_hours, expected)


def test_analyze_does_not_import_django(files: dict[str, Path]) -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tandem.cli import main\n"
        f"r = CliRunner().invoke(main, ['analyze', '--checkins', {str(files['checkins'])!r},"
        f" '--screens', {str(files['screens'])!r}, '--today', '2026-01-30'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_flat_row_names_every_instrument_with_a_total() -> None:
    from tandem.domain.monitoring.rows import TOTALLED
    from tandem.formats.outputs import OTHER_TOTALS, SCORED

    assert set(SCORED) | set(OTHER_TOTALS) == set(TOTALLED)


ITEMS16 = "patient_id,date,instrument,total," + ",".join(f"i{k}" for k in range(1, 17))
QIDS_ROW = "A,2026-01-02,QIDS-SR16,,1,0,0,0,1,1,0,0,0,1,1,3,1,1,0,0"


def test_every_instrument_of_the_library_is_read(tmp_path: Path) -> None:
    """ruleset-v2.md s7 "All instruments" (finding 4): no row is dropped, and a QIDS-SR16
    item 12 of 3 raises suicide_risk (review reproduction 3, through the CLI)."""
    lines = [
        QIDS_ROW,
        "A,2026-01-03,phq2,4,2,2,,,,,,,,,,,,,,",
        "A,2026-01-03,auditc,,2,1,0,,,,,,,,,,,,,",
        "A,2026-01-03,dast10,3,,,,,,,,,,,,,,,,",
        "A,2026-01-03,sds,5,,,,,,,,,,,,,,,,",
        "A,2026-01-03,assist,12,,,,,,,,,,,,,,,,",
        "A,2026-01-03,isi,,1,1,1,1,1,1,1,,,,,,,,,",
    ]
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(5))
    ins = write(tmp_path / "instruments.csv", ITEMS16, lines)
    code, out, err = run("--checkins", ci, "--instruments", ins, "--today", "2026-01-05")
    assert (code, err) == (0, "")
    a = json.loads(out)["A"]
    latest = {k: (v or {}).get("latest") for k, v in a["mbc"].items()}
    assert latest == {
        "phq9": None, "gad7": None, "pcl5": None, "phq2": 4, "auditc": 3, "dast10": 3,
        "sds": 5, "assist": 12, "qids_sr16": 10, "isi": 7,
    }  # fmt: skip
    alerts = [x for x in a["alerts"] if x["kind"] == "suicide_risk"]
    assert [x["date"] for x in alerts] == ["2026-01-02"]
    assert alerts[0]["evidence"]["signals"][0]["qids_item12"] == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("A,2026-01-01,hamd,10" + "," * 16,
         "row 2, column instrument: 'hamd' is not one of phq9, gad7, pcl5, cssrs, phq2"),
        ("A,2026-01-02,qids_sr16,,1,0,0,0,1,1,0,0,0,1,1,4,1,1,0,0",
         "row 2, column i12: 4 is not one of 0, 1, 2, 3"),
        ("A,2026-01-02,qids_sr16,11,1,0,0,0,1,1,0,0,0,1,1,3,1,1,0,0",
         "row 2, column total: 11 is not the sum of the qids_sr16 items (10)"),
        ("A,2026-01-02,isi,30" + "," * 16, "row 2, column total: 30 is not between 0 and 28"),
    ],
)  # fmt: skip
def test_bad_rows_of_any_instrument_name_file_row_and_column(
    tmp_path: Path, line: str, message: str
) -> None:
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(3))
    ins = write(tmp_path / "instruments.csv", ITEMS16, [line])
    code, _, err = run("--checkins", ci, "--instruments", ins, "--today", "2026-01-30")
    assert code == 2
    assert err.startswith(f"instruments.csv, {message}")


def test_a_total_only_phq9_says_item9_unknown(tmp_path: Path) -> None:
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(3))
    ins = write(tmp_path / "instruments.csv", ITEMS12, ["A,2026-01-01,phq9,9,,,,,,,,,,,,"])
    _, out, _ = run("--checkins", ci, "--instruments", ins, "--today", "2026-01-03")
    phq9 = json.loads(out)["A"]["mbc"]["phq9"]
    assert (phq9["latest_item9"], phq9["item9_unknown"]) == (None, True)


SCREENS_PANEL = "patient_id,date,result,benzoylecgonine_ng_ml,cocaine,fentanyl,methadone"


def test_screen_panels_and_patients_csv(tmp_path: Path) -> None:
    """ruleset-v2.md s7: analyte columns (optional, empty = not tested) raise
    overdose_risk; --patients gives prescribed opioids and the intake's last use."""
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(30) + checkins(30, patient="B"))
    screens = write(
        tmp_path / "screens.csv",
        SCREENS_PANEL,
        ["A,2026-01-05,negative,,negative,Positive,", "B,2026-01-05,negative,,negative,,positive"],
    )
    patients = write(
        tmp_path / "patients.csv",
        "patient_id,last_use,prescribed_opioids",
        ["A,2025-12-01,", "B,,methadone"],
    )
    code, out, err = run(
        "--checkins", ci, "--screens", screens, "--patients", patients, "--today", "2026-01-30"
    )  # fmt: skip
    assert (code, err) == (0, "")
    result = json.loads(out)
    a = [x for x in result["A"]["alerts"] if x["kind"] == "overdose_risk"]
    assert [(x["date"], x["evidence"]["positive_for"]) for x in a] == [("2026-01-05", ["fentanyl"])]
    assert [x for x in result["B"]["alerts"] if x["kind"] == "overdose_risk"] == []
    # A: last use 2025-12-01, so 2026-01-30 is the 60th day without use.
    assert result["A"]["recovery"]["days_without_use"] == 60
    assert result["A"]["recovery"]["run_start"] == "2025-12-02"
    assert result["B"]["recovery"] == {"insufficient_data": True, "reason": "no_use_days"}


@pytest.mark.parametrize(
    ("name", "header", "line", "message"),
    [
        ("screens.csv", SCREENS_PANEL, "A,2026-01-05,negative,,negative,pos,",
         "screens.csv, row 2, column fentanyl: 'pos' is not positive, negative or empty"),
        ("patients.csv", "patient_id,last_use,prescribed_opioids", "A,2025-13-01,",
         "patients.csv, row 2, column last_use: '2025-13-01' is not a date"),
    ],
)  # fmt: skip
def test_bad_panels_and_patients(
    tmp_path: Path, name: str, header: str, line: str, message: str
) -> None:
    ci = write(tmp_path / "checkins.csv", HEADER, checkins(3))
    other = write(tmp_path / name, header, [line])
    option = "--screens" if name == "screens.csv" else "--patients"
    code, _, err = run("--checkins", ci, option, other, "--today", "2026-01-30")
    assert code == 2
    assert err.startswith(message)


def test_an_output_that_cannot_be_written_is_one_line_and_no_file(
    files: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "results.csv"
    code, out, err = run("--checkins", files["checkins"], "--today", "2026-01-30",
                         "--output", target)  # fmt: skip
    assert (code, out) == (2, "")
    assert err.startswith("results.csv: cannot be written (")
    assert err.count("\n") == 1
    assert not target.parent.exists()
