"""Input files are bounded and must be text; output cells are formula-safe (issue 9 item 1)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tandem.cli import main
from tandem.domain.errors import InvalidInput
from tandem.formats import read_input
from tandem.formats.text import quoted


def test_a_text_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,i1\nx,1\n")
    assert read_input(path) == b"id,i1\nx,1\n"


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(InvalidInput, match=r"big\.csv: larger than the limit"):
        read_input(path, limit=1024)


def test_binary_input_is_refused_without_quoting_it(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"secret\x00stuff")
    with pytest.raises(InvalidInput) as caught:
        read_input(path)
    assert str(caught.value) == "photo.csv: not a text file (it holds NUL bytes); give a CSV file"


def test_dev_zero_is_refused_at_once() -> None:
    began = time.perf_counter()
    with pytest.raises(InvalidInput, match="not a text file"):
        read_input(Path("/dev/zero"))
    assert time.perf_counter() - began < 5  # it used to read forever


@pytest.mark.parametrize(
    "args",
    [
        ["score", "phq9", "--input", "/dev/zero", "--output", "{out}"],
        ["tlfb", "--tlfb", "/dev/zero", "--visits", "/dev/zero", "--protocol-days", "1:2",
         "--at", "1", "--output", "{out}"],
        ["assess", "/dev/zero"],
    ],
)  # fmt: skip
def test_commands_refuse_dev_zero_in_one_line(tmp_path: Path, args: list[str]) -> None:
    args = [a.replace("{out}", str(tmp_path / "out.csv")) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "not a text file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'),
        ("+1-555", "'+1-555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("p-001", "p-001"),
        ("a,b", '"a,b"'),
    ],
)
def test_text_cells_are_formula_safe(cell: str, written: str) -> None:
    assert quoted(cell) == written


def test_score_output_escapes_a_formula_in_an_id(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,i1,i2,i3,i4,i5,i6,i7,i8,i9\n=1+1,0,0,0,0,0,0,0,0,0\n", "utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main, ["score", "phq9", "--input", str(source), "--output", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_text("utf-8").splitlines()[1].startswith("'=1+1,")


def test_instrument_errors_carry_their_item() -> None:
    """Issue 9 item 7: the item is an attribute; the message is unchanged."""
    from tandem.domain.errors import InvalidAnswer, WrongAnswerCount
    from tandem.domain.instruments import score

    with pytest.raises(InvalidAnswer) as bad:
        score("phq9", [0, 0, 7, 0, 0, 0, 0, 0, 0])
    assert (bad.value.instrument, bad.value.item) == ("phq9", 3)
    assert str(bad.value) == f"phq9: item 3: {bad.value.problem}"
    with pytest.raises(WrongAnswerCount) as short:
        score("phq9", [0])
    assert short.value.instrument == "phq9"


def test_analyze_refuses_binary_input_and_escapes_formula_ids(tmp_path: Path) -> None:
    binary = tmp_path / "checkins.csv"
    binary.write_bytes(b"patient_id,date\x00")
    result = CliRunner().invoke(
        main, ["analyze", "--checkins", str(binary), "--today", "2026-11-02", "--json"]
    )
    assert result.exit_code == 2
    assert "checkins.csv: not a text file" in result.stderr
    rows = ["patient_id,date,mood,sleep_hours,craving,used"]
    rows += [f"=cmd,2026-10-{d:02d},5,7,2,0" for d in range(1, 29)]
    checkins = tmp_path / "c.csv"
    checkins.write_text("\n".join(rows) + "\n", "utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main,
        ["analyze", "--checkins", str(checkins), "--today", "2026-11-02", "--output", str(out)],
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_text("utf-8").splitlines()[1].startswith("'=cmd,")
