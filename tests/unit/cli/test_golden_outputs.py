"""The outputs of ``tandem analyze``, ``cm``, ``tlfb``, ``score`` and ``assess`` on fixed
inputs, byte for byte (issue 9: moving the file formats into ``tandem.formats`` changes
no output).

The inputs in ``tests/golden/cli`` hold the shapes the readers take different paths for:
quoted cells (the ``csv`` module path), ids that start like a formula, optional columns,
empty cells, skipped and invalid answers. The expected outputs were written by the code
before the move; to write them again after an intended change of output::

    PYTHONPATH=src python tests/unit/cli/test_golden_outputs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tandem.cli import main

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "cli"
FORMULATION = Path(__file__).resolve().parents[2] / "golden" / "formulation"
TLFB = ["--protocol-days", "1:14,2:42,3:89", "--at", "2,3"]

# name of the expected output -> (arguments, True when the output is stdout)
COMMANDS: dict[str, tuple[list[str], bool]] = {
    "analyze.csv": (["analyze", "--checkins", "{in}/checkins.csv", "--instruments",
                     "{in}/instruments.csv", "--screens", "{in}/screens.csv", "--patients",
                     "{in}/patients.csv", "--today", "2026-03-01", "--output", "{out}"], False),
    "analyze.json": (["analyze", "--checkins", "{in}/checkins.csv", "--instruments",
                      "{in}/instruments.csv", "--screens", "{in}/screens.csv",
                      "--today", "2026-02-15", "--json"], True),
    "cm-escalating.csv": (["cm", "--screens", "{in}/screens.csv", "--patients",
                           "{in}/patients.csv", "--schedule", "escalating", "--bonus-every",
                           "3", "--bonus", "10.00", "--output", "{out}"], False),
    "cm-prize.json": (["cm", "--screens", "{in}/screens.csv", "--schedule", "prize",
                       "--seed", "7", "--json"], True),
    "cm-prize.csv": (["cm", "--screens", "{in}/screens.csv", "--schedule", "prize",
                      "--seed", "7", "--output", "{out}"], False),
    "tlfb.csv": (["tlfb", "--tlfb", "{in}/tlfb.csv", "--visits", "{in}/visits.csv", "--uds",
                  "{in}/uds.csv", *TLFB, "--mode", "itt,ro", "--lapse", "none,days:2,run:7",
                  "--output", "{out}"], False),
    "tlfb-plain.csv": (["tlfb", "--tlfb", "{in}/tlfb.csv", "--visits", "{in}/visits.csv",
                        *TLFB, "--output", "{out}"], False),
    "score-phq9.csv": (["score", "phq9", "--input", "{in}/phq9.csv", "--output", "{out}"],
                       False),
    "score-phq9-quoted.csv": (["score", "phq9", "--input", "{in}/phq9-quoted.csv",
                               "--output", "{out}"], False),
    "score-auditc.csv": (["score", "auditc", "--input", "{in}/auditc.csv", "--sex", "female",
                          "--output", "{out}"], False),
    "assess.jsonl": (["assess", "--input", f"{FORMULATION}/vignette-cases.jsonl",
                      "--output", "{out}"], False),
}  # fmt: skip


def run(name: str, folder: Path) -> bytes:
    """The output of the command ``name`` stands for, run on the golden inputs."""
    args, to_stdout = COMMANDS[name]
    target = folder / name
    argv = [a.replace("{in}", str(GOLDEN)).replace("{out}", str(target)) for a in args]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, (name, result.stderr)
    return result.stdout_bytes if to_stdout else target.read_bytes()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_is_byte_identical(name: str, tmp_path: Path) -> None:
    assert run(name, tmp_path) == (GOLDEN / "expected" / name).read_bytes()


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN / "expected"
    out.mkdir(parents=True, exist_ok=True)
    for command in sorted(COMMANDS):
        (out / command).write_bytes(run(command, out))
