"""Benchmark ``tandem score``: 1,000,000 PHQ-9 rows CSV to CSV, and one --json call.

    .venv/bin/python bench/score_phq9.py [--rows 1000000] [--runs 3] [--single-runs 15]

Both timings run the installed command in a subprocess, so they include interpreter
start-up and go through exactly the code path users get. The input has 1% invalid
rows (an answer of 4 in a random item) so the per-row error path is exercised. Each
run's output is checked (row count, invalid count). Medians are printed as markdown
for bench/results/instruments.md, with the load average: the 2-core machine is shared,
so the median CPU time (user + system) is printed too, as the figure that load does
not inflate. Targets (issue 2): batch < 5 s wall, single < 0.3 s wall.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TANDEM = Path(sys.executable).with_name("tandem")
HEADER = "id,i1,i2,i3,i4,i5,i6,i7,i8,i9\n"


def make_answers(path: Path, rows: int, seed: int = 20261124) -> int:
    """Write ``rows`` synthetic PHQ-9 rows; return how many are invalid."""
    random = np.random.default_rng(seed)
    answers = random.integers(0, 4, size=(rows, 9))
    invalid = random.random(rows) < 0.01
    answers[invalid, random.integers(0, 9, size=int(invalid.sum()))] = 4
    digits = (answers + ord("0")).astype(np.uint8)
    body = np.full((rows, 18), ord(","), dtype=np.uint8)
    body[:, 0:18:2] = digits
    body[:, 17] = ord("\n")
    with path.open("wb") as out:
        out.write(HEADER.encode())
        ids = [f"p{n:07d}," for n in range(rows)]
        out.write(b"".join(i.encode() + line.tobytes() for i, line in zip(ids, body, strict=True)))
    return int(invalid.sum())


CPU_SECONDS: list[float] = []  # user + system time of each timed run, in order


def timed(
    args: list[str], env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall seconds of one run; its CPU seconds go to ``CPU_SECONDS`` (load-independent)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, done


def bench_batch(rows: int, runs: int, folder: Path) -> list[float]:
    source, target = folder / "answers.csv", folder / "scores.csv"
    invalid = make_answers(source, rows)
    times = []
    for _ in range(runs):
        seconds, done = timed([str(TANDEM), "score", "phq9", "--input", str(source),
                               "--output", str(target)])  # fmt: skip
        assert done.stderr.strip() == f"phq9: {rows} rows scored, {invalid} invalid", done.stderr
        times.append(seconds)
    with target.open("rb") as scores:
        assert sum(1 for _ in scores) == rows + 1
    return times


def bench_single(runs: int, env: dict[str, str] | None) -> list[float]:
    args = [str(TANDEM), "score", "phq9", "--answers", "1,2,0,3,1,0,2,0,1", "--json"]
    timed(args, env)  # warm the file cache (and, with a cache prefix, write the .pyc)
    return [timed(args, env)[0] for _ in range(runs)]


def compiled_env(cache: Path) -> dict[str, str]:
    """The environment of an installed Tandem: bytecode cached (here, outside the tree)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(cache)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--single-runs", type=int, default=15)
    options = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as folder:
        batch = bench_batch(options.rows, options.runs, Path(folder))
        batch_cpu = CPU_SECONDS[-options.runs :]
        source_only = bench_single(options.single_runs, None)
        source_only_cpu = CPU_SECONDS[-options.single_runs :]
        compiled = bench_single(options.single_runs, compiled_env(Path(folder) / "pycache"))
        compiled_cpu = CPU_SECONDS[-options.single_runs :]
    print(f"load average before/after: {load} / {os.getloadavg()}")
    print("| measurement | size | runs | median wall (s) | min wall (s) | median CPU (s) |")
    print("|---|---|---|---|---|---|")
    single = "`tandem score phq9 --answers ... --json`"
    for name, size, times, cpu in (
        ("`tandem score phq9 --input --output`", f"{options.rows:,} rows", batch, batch_cpu),
        (f"{single}, no .pyc (PYTHONDONTWRITEBYTECODE=1)", "1 answer set", source_only,
         source_only_cpu),
        (f"{single}, bytecode cached (as installed)", "1 answer set", compiled, compiled_cpu),
    ):  # fmt: skip
        print(f"| {name} | {size} | {len(times)} | {statistics.median(times):.3f} "
              f"| {min(times):.3f} | {statistics.median(cpu):.3f} |")  # fmt: skip


if __name__ == "__main__":
    main()
