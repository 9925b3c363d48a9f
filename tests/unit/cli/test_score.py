"""``tandem score`` as instruments.md specifies it: JSON shape, exit 2, batch CSV."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tandem.cli import main

PHQ9_HEADER = "id,i1,i2,i3,i4,i5,i6,i7,i8,i9\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["score", *args])


def test_json_output_is_the_contract_object() -> None:
    result = run("phq9", "--answers", "1,2,0,3,1,0,2,0,1", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "instrument": "phq9",
        "total": 10,
        "band": "moderate",
        "positive": True,
        "flags": ["suicide_item_positive"],
        "subscores": {},
    }
    assert result.stdout.count("\n") == 1


def test_json_nulls_and_subscores() -> None:
    cssrs = json.loads(run("cssrs", "--answers", "1,0,-,-,-,0", "--json").stdout)
    assert (cssrs["total"], cssrs["band"], cssrs["positive"]) == (None, "low", True)
    pcl5 = json.loads(run("pcl5", "--answers", ",".join(["2"] * 20), "--json").stdout)
    assert pcl5["subscores"] == {"B": 10, "C": 4, "D": 14, "E": 12}
    assert pcl5["flags"] == ["provisional_ptsd"]


def test_human_readable_output() -> None:
    result = run("auditc", "--answers", "1,1,1", "--sex", "female")
    assert result.exit_code == 0
    assert result.stdout == "auditc: total 3, positive screen\n"
    phq9 = run("phq9", "--answers", "3,3,3,3,3,0,0,0,1").stdout
    assert phq9 == (
        "phq9: total 16, band moderately_severe, positive screen; "
        "flags: major_depressive_syndrome, suicide_item_positive\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["phq9", "--answers", "1,2,4,3,1,0,2,0,1"], "phq9: item 3: 4 is not one of 0, 1, 2, 3"),
        (
            ["phq9", "--answers", "1,2,0,3,1,0,2,0", "--json"],
            "phq9: expected 9 answers (10 with the difficulty item), got 8",
        ),
        (["auditc", "--answers", "1,1,1"], "auditc: sex is required: one of male, female"),
        (
            ["sds", "--answers", "0,0,0,0,0", "--substance", "tobacco"],
            "sds: substance: tobacco is not one of cocaine, amphetamine",
        ),
        (
            ["cssrs", "--answers", "1,1,-,0,0,0"],
            "cssrs: item 3: - is not one of 0, 1 (a skip is allowed only when item 2 is 0)",
        ),
        (["phq9"], "give --answers 1,2,0,... or --input answers.csv --output scores.csv"),
        (["phq9", "--input", "x.csv"], "--input and --output go together"),
    ],
)
def test_invalid_input_exits_2_with_one_line_and_nothing_on_stdout(
    args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"


def test_unknown_instrument() -> None:
    result = run("phq10", "--answers", "1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("phq10: unknown instrument; one of phq9, phq2, gad7,")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_batch_keeps_errors_in_place_and_scores_the_rest(tmp_path: Path) -> None:
    source = write(
        tmp_path / "answers.csv",
        PHQ9_HEADER + "a,1,2,0,3,1,0,2,0,1\nb,1,2,4,3,1,0,2,0,1\nc,0,0,0,0,0,0,0,0,0\n",
    )
    target = tmp_path / "scores.csv"
    result = run("phq9", "--input", str(source), "--output", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "phq9: 3 rows scored, 1 invalid\n"
    assert target.read_text().splitlines() == [
        "id,total,band,positive,flags,error",
        "a,10,moderate,true,suicide_item_positive,",
        'b,,,,,"phq9: item 3: 4 is not one of 0, 1, 2, 3"',
        "c,0,none_minimal,false,,",
    ]
    assert sorted(tmp_path.iterdir()) == sorted([source, target])  # no partial file left


def test_a_sex_column_overrides_the_command_row_by_row(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", "id,i1,i2,i3,sex\nm,1,1,1,\nf,1,1,1,female\nx,1,1,1,X\n")
    target = tmp_path / "out.csv"
    result = run("auditc", "--input", str(source), "--output", str(target), "--sex", "male")
    assert result.exit_code == 0
    assert target.read_text().splitlines()[1:] == [
        "m,3,,false,,",
        "f,3,,true,,",
        'x,,,,,"auditc: sex: X is not one of male, female"',
    ]


def test_a_substance_column_overrides_the_command_row_by_row(tmp_path: Path) -> None:
    rows = "id,substance,i1,i2,i3,i4,i5,i6\nc,,2,1,1,0,0,0\na,alcohol,2,1,1,0,0,0\n"
    source, target = write(tmp_path / "in.csv", rows), tmp_path / "out.csv"
    assert run("assist", "--input", str(source), "--output", str(target)).exit_code == 0
    assert target.read_text().splitlines()[1:] == ["c,10,moderate,true,,", "a,10,low,false,,"]


def test_a_file_that_cannot_be_read_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", "id,i1\np,1\n")
    target = tmp_path / "out.csv"
    result = run("phq2", "--input", str(source), "--output", str(target))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "phq2: input: missing answer columns i2\n"
    assert not target.exists()
    missing = run("phq2", "--input", str(tmp_path / "nope.csv"), "--output", str(target))
    assert missing.exit_code == 2
    assert missing.stderr.startswith("phq2: input: ")
    assert list(tmp_path.iterdir()) == [source]


SINGLE_SCORE_PROBE = """
import sys
from tandem.cli import main
try:
    main(["score", "phq9", "--answers", "1,2,0,3,1,0,2,0,1", "--json"])
except SystemExit as done:
    heavy = sorted(m for m in ("django", "numpy", "rich") if m in sys.modules)
    print("loaded:", ",".join(heavy), "exit:", done.code, file=sys.stderr)
"""


def test_score_does_not_import_django_numpy_or_rich() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", SINGLE_SCORE_PROBE], capture_output=True, text=True, check=True
    )
    assert json.loads(probe.stdout)["total"] == 10
    assert probe.stderr.strip() == "loaded:  exit: 0"


BATCH_PROBE = """
import sys
from tandem.cli import main
try:
    main(["score", "phq9", "--input", sys.argv[1], "--output", sys.argv[2]])
except SystemExit as done:
    print("django" in sys.modules, "rich" in sys.modules, done.code, file=sys.stderr)
"""


def test_batch_does_not_import_django_nor_rich_off_a_terminal(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", PHQ9_HEADER + "a,0,0,0,0,0,0,0,0,0\n")
    probe = subprocess.run(
        [sys.executable, "-c", BATCH_PROBE, str(source), str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stderr.splitlines()[-1] == "False False 0"


def test_a_progress_bar_shows_when_stderr_is_a_terminal(tmp_path: Path) -> None:
    rows = "".join(f"p{n},1,2,0,3,1,0,2,0,1\n" for n in range(20_000))
    source = write(tmp_path / "in.csv", PHQ9_HEADER + rows)
    parent, child = pty.openpty()
    tandem = Path(sys.executable).with_name("tandem")
    args = [str(tandem), "score", "phq9", "--input", str(source), "--output", str(tmp_path / "o")]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    shown = b""
    while True:  # read until the command closes the terminal (EIO on Linux)
        try:
            piece = os.read(parent, 65536)
        except OSError:
            break
        if not piece:
            break
        shown += piece
    os.close(parent)
    assert process.wait(timeout=60) == 0
    assert b"scoring phq9" in shown
    assert b"phq9: 20000 rows scored, 0 invalid" in shown
