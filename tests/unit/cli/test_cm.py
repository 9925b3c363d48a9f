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
