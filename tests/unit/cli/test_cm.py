"""``tandem cm`` (monitoring.md s7, s8): JSON and CSV ledgers, options, errors, no Django."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tandem.cli import main

SCREENS = """patient_id,date,result,benzoylecgonine_ng_ml
p1,2026-01-05,negative,
p1,2026-01-07,negative,
p1,2026-01-09,negative,
p1,2026-01-12,positive,2400
p1,2026-01-14,negative,
p1,2026-01-16,negative,
p1,2026-01-19,negative,
p2,2026-01-06,invalid,
p2,2026-01-06,negative,
"""


def cm(folder: Path, *extra: str, screens: str = SCREENS) -> tuple[int, str, str]:
    path = folder / "screens.csv"
    path.write_text(screens, encoding="utf-8")
    result = CliRunner().invoke(main, ["cm", "--screens", str(path), *extra])
    return result.exit_code, result.stdout, result.stderr


def test_escalating_json_reproduces_the_worked_example(tmp_path: Path) -> None:
    # ruleset-v2.md s7 worked example, pacing off so that three negatives in week 1 pay
    code, out, _ = cm(tmp_path, "--schedule", "escalating", "--eligible-per-week", "all", "--json")
    assert code == 0
    data = json.loads(out)
    assert [e["earned"] for e in data["p1"]["ledger"]] == [
        "10.00", "10.50", "11.00", "0.00", "10.00", "10.50", "11.50",
    ]  # fmt: skip
    assert data["p1"]["total"] == "63.50"
    assert data["p1"]["ledger"][3] == {
        "date": "2026-01-12", "result": "positive", "earned": "0.00", "draws": 0, "prizes": [],
        "note": None, "week": 2, "day_result": "positive",
    }  # fmt: skip
    # two screens on one day in file order: the day is negative; its first entry (the
    # invalid screen, shown as invalid) carries the day's reward, the second earns 0
    p2 = data["p2"]["ledger"]
    assert [(e["result"], e["day_result"], e["earned"], e["note"]) for e in p2] == [
        ("invalid", "negative", "10.00", None), ("negative", "negative", "0.00", "same_day"),
    ]  # fmt: skip


def test_default_pacing_pays_two_negative_days_in_week_1(tmp_path: Path) -> None:
    # 2@1-12: 01-09 is week 1's third negative: 0.00, level and run unchanged (11.00 next);
    # P saves 11.00; 01-14 and 01-16 (week 2) pay 10.00, 10.50 and recover the level to
    # 11.00; 01-19 (week 3) pays 11.00. 36 eligible days in all, 5 used.
    code, out, _ = cm(tmp_path, "--schedule", "escalating", "--json")
    assert code == 0
    p1 = json.loads(out)["p1"]
    assert [(e["earned"], e["note"]) for e in p1["ledger"]] == [
        ("10.00", None), ("10.50", None), ("0.00", "not_eligible_this_week"), ("0.00", None),
        ("10.00", None), ("10.50", None), ("11.00", None),
    ]  # fmt: skip
    assert [e["week"] for e in p1["ledger"]] == [1, 1, 1, 2, 2, 2, 3]
    assert p1["total"] == "52.00"
    assert p1["cap_reached_on"] is None
    # 31 eligible days left (1 in week 3, 2 a week in 4-12, 1 a week in 13-24), every one
    # negative from level 11.50: 11.50 .. 19.00 (16 days, 244.00) then 15 x 19.00 (285.00)
    assert p1["max_still_possible"] == "529.00"


def test_escalating_options_and_csv_output(tmp_path: Path) -> None:
    out = tmp_path / "ledger.csv"
    args = ["--schedule", "escalating", "--start", "5", "--step", "2.25", "--cap", "20.00"]
    code, _, _ = cm(tmp_path, *args, "--eligible-per-week", "all", "--output", str(out))
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "patient_id,date,result,earned,draws,prizes,note,week,day_result,"
        "cap_reached_on,max_still_possible"
    )
    # 5.00, 7.25, then min(9.50, 20.00 - 12.25) = 7.75, then nothing fits
    assert [line.split(",")[3] for line in lines[1:8]] == [
        "5.00", "7.25", "7.75", "0.00", "0.00", "0.00", "0.00",
    ]  # fmt: skip
    assert len(lines) == 1 + 9  # one entry per input screen
    # the ledger's figures as of its last screen, on the patient's last row only
    assert lines[6].endswith(",negative,,")
    assert lines[7] == "p1,2026-01-19,negative,0.00,0,,,3,negative,2026-01-09,0.00"


def test_prize_ledger_is_replayed_by_the_same_seed(tmp_path: Path) -> None:
    first = cm(tmp_path, "--schedule", "prize", "--seed", "2026", "--json")
    again = cm(tmp_path, "--schedule", "prize", "--seed", "2026", "--json")
    assert first[0] == 0
    assert first[1] == again[1]
    ledger = json.loads(first[1])["p1"]["ledger"]
    # prize draws follow the pacing too: week 1's third negative draws nothing
    assert [e["draws"] for e in ledger] == [1, 2, 0, 0, 1, 2, 3]
    assert ledger[2]["note"] == "not_eligible_this_week"
    assert all(len(e["prizes"]) == e["draws"] for e in ledger)
    assert {p["prize"] for e in ledger for p in e["prizes"]} <= {
        "good job",
        "small",
        "large",
        "jumbo",
    }


def test_custom_bowl_and_cap_in_csv(tmp_path: Path) -> None:
    out = tmp_path / "ledger.csv"
    args = ["--schedule", "prize", "--seed", "1", "--bowl", "voucher:5.00:1", "--cap", "12.00"]
    code, _, _ = cm(tmp_path, *args, "--output", str(out))
    assert code == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[1] == "p1,2026-01-05,negative,5.00,1,voucher:5.00,,1,negative,,"
    assert rows[2] == (
        "p1,2026-01-07,negative,5.00,2,voucher:5.00;voucher:5.00:not awarded,,1,negative,,"
    )


@pytest.mark.parametrize(
    ("screens", "extra", "message"),
    [
        (SCREENS.replace("p1,2026-01-07,negative", "p1,2026-01-07,neg"), [],
         "screens.csv, row 3, column result: 'neg' is not one of negative, positive"),
        (SCREENS.replace("2026-01-09", "09/01/2026"), [],
         "screens.csv, row 4, column date: '09/01/2026' is not a date"),
        (SCREENS.replace("p1,2026-01-14", ",2026-01-14"), [],
         "screens.csv, row 6, column patient_id: is empty"),
        (SCREENS.replace("patient_id,", "patient,"), [], "screens.csv, row 1: the header"),
        (SCREENS + "p3,2026-01-05\n", [], "screens.csv, row 11: expected 4 columns"),
        (SCREENS, ["--cap", "1.005"], "--cap: '1.005' must be dollars"),
        (SCREENS, ["--start", "-1"], "--start: '-1' must be dollars"),
        (SCREENS, ["--window-days", "0"], "window_days: must be 1 or more"),
    ],
)  # fmt: skip
def test_bad_input_exits_2(tmp_path: Path, screens: str, extra: list[str], message: str) -> None:
    code, _, err = cm(tmp_path, "--schedule", "escalating", *extra, screens=screens)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_prize_without_seed_and_bad_bowl_are_refused(tmp_path: Path) -> None:
    code, _, err = cm(tmp_path, "--schedule", "prize")
    assert (code, "--seed: required") == (2, err.split("tandem cm: ")[1][:16])
    code, _, err = cm(tmp_path, "--schedule", "prize", "--seed", "1", "--bowl", "small:1")
    assert code == 2
    assert "--bowl: 'small:1' must be name:dollars:count" in err


def test_cm_command_does_not_import_django(tmp_path: Path) -> None:
    path = tmp_path / "screens.csv"
    path.write_text(SCREENS, encoding="utf-8")
    code = (
        "import sys\nfrom tandem.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    args = ["cm", "--screens", str(path), "--schedule", "prize", "--seed", "3", "--json"]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert '"p1"' in done.stdout


# --- ruleset-v2.md s7: panels, the patient's own stimulant, the schedule check ----------

PANEL = """patient_id,date,result,cocaine,amphetamine,methamphetamine,fentanyl
c1,2026-01-05,negative,negative,,,
c1,2026-01-07,negative,,negative,,
c1,2026-01-12,negative,negative,negative,negative,positive
a1,2026-01-05,negative,,negative,,
a1,2026-01-07,negative,negative,,,
a1,2026-01-12,positive,negative,,positive,
"""


def test_a_negative_counts_only_when_the_patients_own_stimulant_was_tested(
    tmp_path: Path,
) -> None:
    patients = tmp_path / "patients.csv"
    patients.write_text("patient_id,last_use,substance\nc1,,\na1,2025-12-20,amphetamine_type\n")
    code, out, err = cm(
        tmp_path, "--schedule", "escalating", "--patients", str(patients), "--json", screens=PANEL
    )
    assert code == 0, err
    data = json.loads(out)
    # c1 (cocaine, the default when substance is empty): an amphetamine-only negative is
    # invalid for CM and resets; a fentanyl positive does not block the reward (ruleset-v2
    # s7: other substances do not block rewards; overdose_risk is analyze's).
    assert [(e["result"], e["earned"]) for e in data["c1"]["ledger"]] == [
        ("negative", "10.00"), ("invalid", "0.00"), ("negative", "10.00"),
    ]  # fmt: skip
    # a1 (amphetamine-type): a cocaine-only negative is invalid; methamphetamine positive
    assert [(e["result"], e["earned"]) for e in data["a1"]["ledger"]] == [
        ("negative", "10.00"), ("invalid", "0.00"), ("positive", "0.00"),
    ]  # fmt: skip


def test_without_patients_every_patient_is_read_as_a_cocaine_patient(tmp_path: Path) -> None:
    code, out, _ = cm(tmp_path, "--schedule", "escalating", "--json", screens=PANEL)
    assert code == 0
    a1 = json.loads(out)["a1"]["ledger"]
    assert [e["result"] for e in a1] == ["invalid", "negative", "positive"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("c1,2026-01-14,negative,neg,,,",
         "screens.csv, row 5, column cocaine: 'neg' is not one of positive, negative"),
        ("c1,2026-01-14,positive,negative,,,",
         "screens.csv, row 5, column result: 'positive' but no stimulant analyte"),
        ("c1,2026-01-14,negative,,,positive,",
         "screens.csv, row 5, column result: 'negative' but methamphetamine is positive"),
        ("c1,2026-01-14,missed,negative,,,",
         "screens.csv, row 5, column result: 'missed' but the row records analyte results"),
    ],
)  # fmt: skip
def test_bad_panel_cells_name_file_row_and_column(tmp_path: Path, row: str, message: str) -> None:
    screens = "\n".join([*PANEL.splitlines()[:4], row]) + "\n"
    code, _, err = cm(tmp_path, "--schedule", "escalating", screens=screens)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_patient_missing_from_patients_csv_is_refused(tmp_path: Path) -> None:
    patients = tmp_path / "patients.csv"
    patients.write_text("patient_id,last_use\nc1,\n")
    code, _, err = cm(
        tmp_path, "--schedule", "escalating", "--patients", str(patients), screens=PANEL
    )
    assert code == 2
    assert "screens.csv, row 5, column patient_id: 'a1' is not in patients.csv" in err


def test_two_negatives_the_same_day_pay_once(tmp_path: Path) -> None:
    screens = "patient_id,date,result\np1,2026-01-05,negative\np1,2026-01-05,negative\n"
    code, out, _ = cm(tmp_path, "--schedule", "escalating", screens=screens)
    assert code == 0
    assert out.splitlines()[1:] == [
        "p1,2026-01-05,negative,10.00,0,,,1,negative,,",
        # 35 eligible days left from level 10.50: 598.50 - 10.00
        "p1,2026-01-05,negative,0.00,0,,same_day,1,negative,,588.50",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2", "--eligible-per-week: '2' must be 'all' or N@FIRST-LAST"),
        ("2@1-12,1@10-24", "--eligible-per-week: week 10 is named twice"),
    ],
)
def test_bad_eligible_per_week_names_the_option_and_form(
    tmp_path: Path, value: str, message: str
) -> None:
    code, _, err = cm(tmp_path, "--schedule", "escalating", "--eligible-per-week", value)
    assert code == 2
    assert message in err


def check(*extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["cm", "--check-schedule", *extra])
    return result.exit_code, result.stdout, result.stderr


def test_check_schedule_passes_on_the_defaults() -> None:
    code, out, err = check()
    assert (code, err) == (0, "")
    assert "36 rewarded days pay 598.50" in out
    assert "cap 599.00: not reached before the window ends" in out
    assert "the schedule fits" in out


def test_check_schedule_fails_on_the_v1_defaults_at_three_a_week() -> None:
    code, out, err = check(
        "--step", "1.50", "--max-per-screen", "26.50", "--eligible-per-week", "3@1-24"
    )
    assert code == 1
    assert "cap 599.00: reached in week 9 (program day 58, rewarded day 27 of 72)" in out
    assert err == (
        "tandem cm: --check-schedule: the cap 599.00 is reached in week 9, before the window "
        "ends (168 days): 46 of 72 rewarded days would be paid less than their amount\n"
    )


def test_check_schedule_json_and_refusals(tmp_path: Path) -> None:
    code, out, _ = check("--json", "--eligible-per-week", "all")
    data = json.loads(out)
    assert code == 1
    assert (data["fits"], data["rewarded_days"], data["total"]) == (False, 168, "599.00")
    assert data["cap_reached"] == {"week": 6, "program_day": 36, "rewarded_day": 37}
    assert check("--json")[0] == 0
    code, _, err = check("--schedule", "prize")
    assert code == 2
    assert "checks the escalating schedule" in err
    code, _, err = check("--screens", str(tmp_path / "screens.csv"))
    assert code == 2
    assert "leave out --screens" in err


def test_csv_quotes_a_patient_id_and_prize_names_that_need_it(tmp_path: Path) -> None:
    screens = 'patient_id,date,result\n"p,1",2026-01-05,negative\n'
    args = ["--schedule", "prize", "--seed", "1", "--bowl", 'say "yes":1.00:1']
    code, out, _ = cm(tmp_path, *args, screens=screens)
    assert code == 0
    assert out.splitlines()[1].startswith('"p,1",2026-01-05,negative,1.00,1,"say ""yes"":1.00",')


def test_a_capitalised_result_reads_as_analyze_reads_it(tmp_path: Path) -> None:
    """Issue 9: one screen-result vocabulary; "Negative" was accepted by tandem analyze and
    refused by tandem cm."""
    from tandem.formats.screens import read_screens

    path = tmp_path / "screens.csv"
    path.write_text("patient_id,date,result\np1,2026-01-05,Negative\n", "utf-8")
    (row,) = read_screens(path)["p1"]
    assert row.result.value == "negative"
