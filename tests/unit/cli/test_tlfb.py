"""``tandem tlfb`` (monitoring.md s8): output layout, both CSV readers, errors, no Django."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.cli import main
from tandem.domain.errors import InvalidTimeline
from tandem.formats import timeline

TLFB = """id,date,amount
a,2026-03-01,0
a,2026-03-02,0
a,2026-03-03,1
a,2026-03-04,0
a,2026-03-05,0
a,2026-03-07,0
a,2026-03-08,0
a,2026-03-09,0
a,2026-03-10,0
a,2026-03-11,0
b,2026-03-01,0
b,2026-03-02,2.5
"""
VISITS = """id,visit,date
a,0,2026-03-01
a,1,2026-03-03
a,2,2026-03-11
b,1,2026-03-03
"""
UDS = """id,date,amount
a,2026-03-09,450
"""


def write(folder: Path, **files: str) -> dict[str, Path]:
    paths = {}
    for name, text in files.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def tlfb(folder: Path, *extra: str, **files: str) -> tuple[int, str, str]:
    paths = write(folder, **({"tlfb": TLFB, "visits": VISITS} | files))
    args = ["tlfb", "--tlfb", str(paths["tlfb"]), "--visits", str(paths["visits"])]
    if "uds" in paths:
        args += ["--uds", str(paths["uds"])]
    out = folder / "out.csv"
    args += ["--protocol-days", "1:2,2:10", "--at", "2", "--pp", "3,7", "--output", str(out)]
    result = CliRunner().invoke(main, [*args, *extra])
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    return result.exit_code, text, result.stderr


def test_outcomes_for_a_hand_worked_caseload(tmp_path: Path) -> None:
    # a: v0 03-01 (day 0), v1 day 2, v2 day 10; use day 2; day 5 unreported.
    # pp3 [7,10) 1; pp7 [3,10) holds day 5 -> ITT 0; cont [2,10) 0; prolonged grace 2:
    # [4,10) holds day 5 -> 0. pda 9 of 10 reported days; first use from v1 (day 2): 0;
    # longest run days 6..10 = 5. b has no visit 0: empty row.
    code, text, _ = tlfb(tmp_path, "--grace", "2")
    assert code == 0
    assert text.splitlines() == [
        "id,pp3_v2,pp7_v2,cont_v1_v2,prolonged_v1_v2,pda,days_to_first_use,longest_abstinent_run",
        "a,1,0,0,0,90.00,0,5",
        "b,,,,,,,",
    ]


def test_responders_only_and_urine_verification(tmp_path: Path) -> None:
    # the urine on day 8 (03-09) makes days 6..8 use: pp3 [7,10) becomes 0; windows
    # holding the unreported day 5 are empty; pda 6 of 10; runs of 2 at most
    code, text, _ = tlfb(tmp_path, "--mode", "ro", "--grace", "2", uds=UDS)
    assert code == 0
    assert text.splitlines()[1] == "a,0,,,,60.00,0,2"


def test_quoted_file_is_read_like_a_plain_one(tmp_path: Path) -> None:
    quoted = TLFB.replace("a,2026-03-01,0", '"a",2026-03-01,"0"')
    _, plain, _ = tlfb(tmp_path)
    code, text, _ = tlfb(tmp_path, tlfb=quoted)
    assert code == 0
    assert text == plain


def test_crlf_bom_and_trailing_blank_lines_are_accepted(tmp_path: Path) -> None:
    _, plain, _ = tlfb(tmp_path)
    odd = "\ufeff" + TLFB.replace("\n", "\r\n") + "\r\n\r\n"
    code, text, _ = tlfb(tmp_path, tlfb=odd)
    assert code == 0
    assert text == plain


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"tlfb": TLFB.replace("a,2026-03-04,0", "a,2026-02-30,0")},
         "tlfb.csv, row 5, column date: '2026-02-30' is not a date"),
        ({"tlfb": TLFB.replace("a,2026-03-04,0", "a,03/04/2026,0")},
         "tlfb.csv, row 5, column date: '03/04/2026' is not a date"),
        ({"tlfb": TLFB.replace("b,2026-03-02,2.5", "b,2026-03-02,-1")},
         "tlfb.csv, row 13, column amount: '-1' is not an amount"),
        ({"tlfb": TLFB.replace("b,2026-03-02,2.5", "b,2026-03-02,")},
         "tlfb.csv, row 13, column amount: '' is not an amount"),
        ({"tlfb": TLFB + "a,2026-03-02,1\n"},
         "tlfb.csv, row 14, column date: '2026-03-02' repeats a day"),
        ({"tlfb": TLFB.replace("b,2026-03-01,0", ",2026-03-01,0")},
         "tlfb.csv, row 12, column id: '' is empty"),
        ({"tlfb": TLFB.replace("id,date,amount", "id,day,amount")},
         "tlfb.csv, row 1: the header must be id,date,amount"),
        ({"tlfb": TLFB.replace("a,2026-03-04,0", '"a,x",2026-03-04,0,9')},
         "tlfb.csv, row 5: expected 3 columns"),
        ({"visits": VISITS + "a,2,2026-03-12\n"},
         "visits.csv, row 6, column visit: '2' repeats a visit"),
        ({"visits": VISITS.replace("a,1,2026-03-03", "a,,2026-03-03")},
         "visits.csv, row 3, column visit: '' is empty"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_file_row_and_column(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    code, _, stderr = tlfb(tmp_path, **files)
    assert code == 2
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lapse", "days:0"], "lapse: 'days:0' is not allowed"),
        (["--at", "3"], "--protocol-days: visit '3' has no protocol day"),
        (["--pp", "7,x"], "--pp: 'x' must be a whole number"),
        (["--grace", "-1"], "--grace: -1 must be 0 or more"),
        (["--pp", "7,7"], "--pp: '7,7' must be a comma-separated list without repeats"),
        (["--output", "/nonexistent-dir/out.csv"], "out.csv: cannot be written"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, extra: list[str], message: str) -> None:
    code, _, stderr = tlfb(tmp_path, *extra)
    assert code == 2
    assert message in stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    args = ["tlfb", "--tlfb", str(tmp_path / "nope.csv"), "--visits", str(tmp_path / "v.csv")]
    args += ["--protocol-days", "1:2", "--at", "1", "--output", str(tmp_path / "o.csv")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "nope.csv: cannot be read" in result.stderr


def test_tlfb_command_does_not_import_django(tmp_path: Path) -> None:
    paths = write(tmp_path, tlfb=TLFB, visits=VISITS, uds=UDS)
    out = tmp_path / "out.csv"
    code = (
        "import sys\nfrom tandem.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    args = ["tlfb", "--tlfb", str(paths["tlfb"]), "--visits", str(paths["visits"])]
    args += ["--uds", str(paths["uds"]), "--protocol-days", "1:2,2:10", "--at", "2"]
    args += ["--output", str(out)]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("id,pp7_v2,pp28_v2,")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.dates(), min_size=1, max_size=50))
def test_fast_date_reading_equals_the_standard_library(
    tmp_path_factory: pytest.TempPathFactory, days: list[date]
) -> None:
    path = tmp_path_factory.mktemp("dates") / "tlfb.csv"
    path.write_text("id,date,amount\n" + "".join(f"x,{d.isoformat()},0\n" for d in days))
    columns = timeline.read_columns(path, ("id", "date", "amount"))
    assert timeline.day_numbers(columns, 1).tolist() == [d.toordinal() for d in days]


@pytest.mark.parametrize(
    "text", ["2026-02-29", "2026-04-31", "0000-01-01", "2026-00-01", "2026-1-01x"]
)
def test_impossible_dates_are_refused_by_the_fast_reader(tmp_path: Path, text: str) -> None:
    path = tmp_path / "tlfb.csv"
    path.write_text(f"id,date,amount\nx,2026-01-01,0\nx,{text},0\n")
    columns = timeline.read_columns(path, ("id", "date", "amount"))
    with pytest.raises(InvalidTimeline, match=f"row 3, column date: '{text}' is not a date"):
        timeline.day_numbers(columns, 1)


def test_a_file_read_in_several_chunks_equals_the_csv_module(tmp_path: Path) -> None:
    # ~7 MB: more than one 4 MB chunk, with ids growing wider from one chunk to the next
    rows = [
        f"{'p' * (1 + i // 100_000)}{i % 1000},2026-01-{1 + i % 28:02d},{i % 3}"
        for i in range(300_000)
    ]
    path = tmp_path / "tlfb.csv"
    path.write_text("id,date,amount\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > 1 << 22
    columns = timeline.read_columns(path, ("id", "date", "amount"))
    subjects = timeline.Subjects(ids=[], index={})
    numbers = timeline.subject_numbers(columns, 0, subjects)
    expected = [row.split(",") for row in rows]
    assert [subjects.ids[k] for k in numbers[::997].tolist()] == [r[0] for r in expected[::997]]
    ordinals = timeline.day_numbers(columns, 1)[::997].tolist()
    assert ordinals == [date.fromisoformat(r[1]).toordinal() for r in expected[::997]]
    assert timeline.amounts(columns, 2).tolist() == [float(r[2]) for r in expected]


def _table(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_every_mode_and_lapse_in_one_call_equals_the_separate_runs(tmp_path: Path) -> None:
    """Issue 9 item 8: --mode itt,ro --lapse none,days:2,run:7 computes every combination
    in one pass; each column, prefixed by mode and lapse rule, equals the single run."""
    lapses = ("none", "days:2", "run:7")
    code, combined, err = tlfb(tmp_path, "--mode", "itt,ro", "--lapse", ",".join(lapses),
                               uds=UDS)  # fmt: skip
    assert code == 0, err
    rows = _table(combined)
    header = combined.splitlines()[0].split(",")
    assert header[:3] == ["id", "itt_none_pp3_v2", "itt_none_pp7_v2"]
    assert "ro_run7_prolonged_v1_v2" in header
    assert header[-4:] == ["pda", "itt_days_to_first_use", "ro_days_to_first_use",
                           "longest_abstinent_run"]  # fmt: skip
    for mode in ("itt", "ro"):
        for lapse in lapses:
            code, single, err = tlfb(tmp_path, "--mode", mode, "--lapse", lapse, uds=UDS)
            assert code == 0, err
            tag = lapse.replace(":", "")
            for one, many in zip(_table(single), rows, strict=True):
                for column, value in one.items():
                    if column in ("id", "pda", "longest_abstinent_run"):
                        assert many[column] == value
                    elif column == "days_to_first_use":
                        assert many[f"{mode}_{column}"] == value
                    else:
                        assert many[f"{mode}_{tag}_{column}"] == value, (mode, lapse, column)


def test_an_unknown_mode_in_a_list_is_named(tmp_path: Path) -> None:
    code, _, err = tlfb(tmp_path, "--mode", "itt,per-protocol")
    assert code == 2
    assert "--mode: 'per-protocol' is not one of itt, ro" in err
