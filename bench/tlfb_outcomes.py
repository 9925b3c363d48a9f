"""Benchmark ``tandem tlfb`` (monitoring.md s4, s8) and compare it with abstcal 0.9.

    .venv/bin/python bench/tlfb_outcomes.py [--subjects 100000] [--small 1000] [--runs 3]
                                            [--abstcal-runs 3]   (0: skip abstcal)

1. ``tandem tlfb`` on ``--subjects`` subjects x 90 days (TLFB with ~3% unreported days,
   four visits with ~10% missing, a urine result every 7 days): target under 5 s wall.
2. ``tandem tlfb`` and abstcal (``tests/crosscheck/abstcal_runner.py`` in .venv-abstcal,
   ``make abstcal-env``) on the same ``--small`` subjects x 90 days for the same outcome
   set (issue 9): ITT and responders-only, lapse rules none, days:2 and run:7, with urine
   verification: abstcal in one run, Tandem in one call (``--mode itt,ro --lapse
   none,days:2,run:7``); prints both medians, the CPU-time ratio (target: Tandem at least
   300 times less CPU) and whether the two outputs agree on every cell.

Wall times are whole processes (start-up, CSV reading, computing, writing), median of
``--runs``. Prints a markdown table for bench/results/monitoring-tlfb.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TANDEM = ROOT / ".venv" / "bin" / "tandem"
ABSTCAL_PYTHON = ROOT / ".venv-abstcal" / "bin" / "python"
RUNNER = ROOT / "tests" / "crosscheck" / "abstcal_runner.py"
DAYS = 90
OPTIONS = ["--protocol-days", "1:14,2:42,3:89", "--at", "2,3", "--pp", "7,28"]
OUTCOME_SET = ["--mode", "itt,ro", "--lapse", "none,days:2,run:7"]


def generate(folder: Path, n: int, seed: int = 7) -> dict[str, Path]:
    """TLFB, visits and urine CSVs for n subjects x 90 days (vectorised per day column)."""
    rng = np.random.default_rng(seed)
    start = date(2026, 1, 5)
    starts = rng.integers(0, 60, n)
    iso = [(start + timedelta(days=d)).isoformat() for d in range(60 + DAYS + 5)]
    ids = [f"s{i:06d}" for i in range(n)]
    use = (rng.random((n, DAYS)) < rng.choice([0.0, 0.05, 0.3], n)[:, None]).astype(int)
    reported = rng.random((n, DAYS)) > 0.03
    lines = ["id,date,amount\n"]
    for i in range(n):
        s, sid = int(starts[i]), ids[i]
        lines += [f"{sid},{iso[s + d]},{use[i, d]}\n" for d in np.flatnonzero(reported[i])]
    paths = {name: folder / f"{name}.csv" for name in ("tlfb", "visits", "uds")}
    paths["tlfb"].write_text("".join(lines), encoding="utf-8")
    visits = ["id,visit,date\n"]
    for i in range(n):
        for visit, offset in ((0, 0), (1, 14), (2, 42), (3, 89)):
            if visit and rng.random() < 0.1:
                continue
            shift = offset + (int(rng.integers(-2, 1)) if visit else 0)
            visits.append(f"{ids[i]},{visit},{iso[int(starts[i]) + shift]}\n")
    paths["visits"].write_text("".join(visits), encoding="utf-8")
    uds = ["id,date,amount\n"]
    for i in range(n):
        for d in range(3, DAYS, 7):
            amount = 1500 if use[i, max(d - 2, 0) : d + 1].any() else 0
            uds.append(f"{ids[i]},{iso[int(starts[i]) + d]},{amount}\n")
    paths["uds"].write_text("".join(uds), encoding="utf-8")
    return paths


def wall(command: list[str], runs: int) -> list[tuple[float, float]]:
    """(wall, CPU user+system) seconds of each run; CPU time does not grow with the load
    other processes put on the shared 2-core machine, wall time does."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        elapsed = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        times.append((elapsed, cpu))
    return times


def inputs(paths: dict[str, Path]) -> list[str]:
    args = ["--tlfb", str(paths["tlfb"]), "--visits", str(paths["visits"])]
    return [*args, "--uds", str(paths["uds"]), "--uds-cutoff", "300", *OPTIONS]


def disagreements(ours: Path, theirs: Path) -> tuple[int, int]:
    with ours.open() as a, theirs.open() as b:
        mine = {row["id"]: row for row in csv.DictReader(a)}
        other = {row["id"]: row for row in csv.DictReader(b)}
    cells = [(sid, c) for sid, row in other.items() for c in row if c != "id"]
    return sum(mine[sid][c] != other[sid][c] for sid, c in cells), len(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--abstcal-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big, small = folder / "big", folder / "small"
        big.mkdir()
        small.mkdir()
        big_paths, small_paths = generate(big, args.subjects), generate(small, args.small)
        ours = [str(TANDEM), "tlfb", *inputs(big_paths), "--output", str(big / "out.csv")]
        big_times = wall(ours, args.runs)
        every = [*inputs(big_paths), *OUTCOME_SET, "--output", str(big / "all.csv")]
        big_all_times = wall([str(TANDEM), "tlfb", *every], args.runs)
        small_out = ["--output", str(small / "t.csv")]
        ours_small = [str(TANDEM), "tlfb", *inputs(small_paths), *OUTCOME_SET, *small_out]
        small_times = wall(ours_small, args.runs)
        print("| what | size | runs | median wall (s) | median CPU (s) | each wall (s) | load |")
        print("|---|---|---|---|---|---|---|")
        print(_row("tandem tlfb (itt, no lapse rule)", args.subjects, big_times))
        print(_row("tandem tlfb, 6 combinations in one call", args.subjects, big_all_times))
        print(_row("tandem tlfb, 6 combinations in one call", args.small, small_times))
        if args.abstcal_runs == 0:
            return
        if not ABSTCAL_PYTHON.exists():
            print(
                "abstcal: .venv-abstcal missing (make abstcal-env); no comparison", file=sys.stderr
            )
            return
        theirs = [str(ABSTCAL_PYTHON), str(RUNNER), *inputs(small_paths), *OUTCOME_SET]
        abstcal_times = wall([*theirs, "--output", str(small / "a.csv")], args.abstcal_runs)
        print(_row("abstcal 0.9, same 6 combinations in one run", args.small, abstcal_times))
        ratio = statistics.median(t[0] for t in abstcal_times) / statistics.median(
            t[0] for t in small_times
        )
        cpu_ratio = statistics.median(t[1] for t in abstcal_times) / statistics.median(
            t[1] for t in small_times
        )
        differing, cells = disagreements(small / "t.csv", small / "a.csv")
        print(
            f"\nabstcal / tandem on {args.small} x {DAYS}: CPU {cpu_ratio:.0f}x, wall {ratio:.0f}x"
        )
        print(f"cells compared: {cells}; differing: {differing}")


def _row(what: str, n: int, times: list[tuple[float, float]]) -> str:
    walls, cpus = [t[0] for t in times], [t[1] for t in times]
    runs = ", ".join(f"{t:.2f}" for t in walls)
    median_wall, median_cpu = statistics.median(walls), statistics.median(cpus)
    load = os.getloadavg()[0]
    return (
        f"| {what} | {n:,} x {DAYS} days | {len(times)} | {median_wall:.2f} | {median_cpu:.2f} "
        f"| {runs} | {load:.1f} |"
    )


if __name__ == "__main__":
    main()
