"""Benchmark: ``tandem analyze`` on a synthetic caseload, timed end to end.

    .venv/bin/python bench/analyze_caseload.py [--patients 10000] [--days 365] [--runs 3]

Writes check-ins (one a day, about 10% of days missing; each patient uses at an own
rate, most rarely and some often), a weekly PHQ-9 and urine screens twice a week (positive
after use in the 3 days before) for every patient to CSV files in a temporary folder, then times
the whole command (start-up, CSV parsing, analysis, output) with ``--json`` and with
``--output``, and prints the median of the runs. The target (ISSUE 5) is under 5 s for
10,000 patients x 365 days. Results go to bench/results/monitoring-analyze.md by hand.
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
from datetime import date, timedelta
from pathlib import Path

import numpy as np

TANDEM = Path(sys.executable).with_name("tandem")
START = date(2025, 11, 1)


def _iso_days(n_days: int) -> np.ndarray:
    base = np.datetime64(START.isoformat())
    return (base + np.arange(n_days)).astype(str)


def simulate_use(patients: int, days: int, rng: np.random.Generator) -> np.ndarray:
    """Use days: each patient's own rate (skewed: most use rarely, some often)."""
    rate = rng.beta(0.6, 4.0, patients)
    return rng.random((patients, days)) < rate[:, None]


def write_checkins(path: Path, used: np.ndarray, rng: np.random.Generator) -> None:
    """One check-in a day per patient, 10% of days missing; mood surges on use days."""
    patients, days = used.shape
    ids = _ids(patients)
    dates = _iso_days(days)
    keep = rng.random((patients, days)) > 0.10
    mood = np.clip(np.round(rng.normal(6, 1.5, (patients, days)) + used * 2), 0, 10)
    sleep = np.clip(np.round(rng.normal(7, 1.2, (patients, days)) * 2) / 2, 0, 24)
    craving = np.clip(np.round(rng.normal(4, 2, (patients, days))), 0, 10)
    safety = (rng.random((patients, days)) < 0.002).astype(int)
    p, t = np.nonzero(keep)
    cols = [ids[p], dates[t], mood[p, t].astype(int).astype(str), sleep[p, t].astype(str),
            craving[p, t].astype(int).astype(str), used[p, t].astype(int).astype(str),
            safety[p, t].astype(str)]  # fmt: skip
    _write(path, "patient_id,date,mood,sleep_hours,craving,used,safety", cols)


def _ids(patients: int) -> np.ndarray:
    return np.char.add("P", np.char.zfill(np.arange(patients).astype(str), 6))


def write_phq9(path: Path, patients: int, days: int, rng: np.random.Generator) -> None:
    """A weekly PHQ-9 (every item, total given) that drifts down at each patient's own pace.

    A row gives all scored items or none (instruments.md); items 1-8 carry the total
    (3s first), item 9 is 1 in 1% of rows.
    """
    ids = _ids(patients)
    weeks = np.arange(0, days, 7)
    p, w = np.meshgrid(np.arange(patients), np.arange(weeks.size), indexing="ij")
    start = rng.integers(8, 22, patients)
    total = np.clip(start[:, None] - w * rng.random((patients, 1)) * 0.4, 0, 27).astype(int)
    item9 = (rng.random(total.shape) < 0.01).astype(int).ravel()
    total = np.clip(total.ravel(), item9, 24 + item9)  # items 1-8 hold at most 24
    rest = (total - item9)[:, None]
    first = np.clip(rest - 3 * np.arange(8)[None, :], 0, 3)
    cols = [ids[p.ravel()], _iso_days(days)[weeks][w.ravel()], np.full(p.size, "phq9"),
            total.astype(str)]  # fmt: skip
    items = [first[:, k].astype(str) for k in range(8)] + [item9.astype(str)]
    header = "patient_id,date,instrument,total," + ",".join(f"i{k}" for k in range(1, 10))
    _write(path, header, cols + items)


def write_screens(path: Path, used: np.ndarray, rng: np.random.Generator) -> None:
    """Screens twice a week: positive after use in the 3 days before (90%), else 3%."""
    patients, days = used.shape
    ids = _ids(patients)
    screen_days = np.sort(np.concatenate([np.arange(0, days, 7), np.arange(3, days, 7)]))
    recent = used.copy()
    recent[:, 1:] |= used[:, :-1]
    recent[:, 2:] |= used[:, :-2]
    p, k = np.meshgrid(np.arange(patients), np.arange(screen_days.size), indexing="ij")
    draw = rng.random(p.shape)
    chance = np.where(recent[:, screen_days], 0.90, 0.03)
    missed = rng.random(p.shape) < 0.05
    result = np.where(missed, "missed", np.where(draw < chance, "positive", "negative"))
    level = np.where(result == "positive", rng.integers(300, 5000, p.shape).astype(str), "")
    cols = [ids[p.ravel()], _iso_days(days)[screen_days][k.ravel()], result.ravel(),
            level.ravel()]  # fmt: skip
    _write(path, "patient_id,date,result,benzoylecgonine_ng_ml", cols)


def write_caseload(folder: Path, patients: int, days: int, seed: int = 5) -> None:
    """The three CSV files of a synthetic caseload."""
    rng = np.random.default_rng(seed)
    used = simulate_use(patients, days, rng)
    write_checkins(folder / "checkins.csv", used, rng)
    write_phq9(folder / "instruments.csv", patients, days, rng)
    write_screens(folder / "screens.csv", used, rng)


def _write(path: Path, header: str, cols: list[np.ndarray]) -> None:
    line = cols[0].astype(object)
    for c in cols[1:]:
        line = line + "," + c.astype(object)
    path.write_text(header + "\n" + "\n".join(line.tolist()) + "\n", encoding="utf-8")


def timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(done.stderr.decode())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        folder = Path(tmp)
        write_caseload(folder, opts.patients, opts.days)
        today = (START + timedelta(days=opts.days - 1)).isoformat()
        base = [str(TANDEM), "analyze", "--checkins", str(folder / "checkins.csv"),
                "--instruments", str(folder / "instruments.csv"),
                "--screens", str(folder / "screens.csv"), "--today", today]  # fmt: skip
        for label, extra in (("--json", ["--json"]), ("--output", ["--output", f"{tmp}/r.csv"])):
            runs = [timed(base + extra) for _ in range(opts.runs)]
            wall = [round(w, 2) for w, _ in runs]
            cpu = [round(c, 2) for _, c in runs]
            size = f"{opts.patients} patients x {opts.days} days"
            print(
                f"{label}: {size}: wall median {statistics.median(wall):.2f} s {wall}; "
                f"CPU median {statistics.median(cpu):.2f} s {cpu}; load {os.getloadavg()[0]:.1f}"
            )


if __name__ == "__main__":
    main()
