"""Progress charts benchmark: the four "My progress" charts for a year of data (portal.md).

Draws mood and craving, sleep, PHQ-9 and gift card credit for 365 days of synthetic,
seeded data (about 85% of days checked in, use on about 1 day in 10, weekly PHQ-9, CM
credit twice a week up to the program cap), in-process, as the progress page would. The
page's target is p95 under 300 ms for the whole page, so the charts should stay well
under 200 ms together.

    .venv/bin/python bench/progress_charts.py --runs 50

Prints, per chart and for all four together, the median and p95 wall milliseconds, the
median CPU milliseconds (the load-independent figure on a shared machine), and the SVG
sizes. With ``--profile`` it prints where the time goes instead.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from tandem.domain.monitoring.progress import DailyEntry, Earning, Period, ScorePoint
from tandem.reports.charts import (
    Chart,
    credit_chart,
    mood_craving_chart,
    phq9_chart,
    sleep_chart,
)

START = date(2026, 1, 1)
DAYS = 365
CAP_CENTS = 59_900  # ruleset-v2.md s7 default cap


def synthetic_year(
    seed: int = 20261204,
) -> tuple[list[DailyEntry], list[ScorePoint], list[Earning]]:
    rng = np.random.default_rng(seed)
    entries = []
    mood = 5.0
    for t in range(DAYS):
        mood = float(np.clip(mood + rng.normal(0, 1.2), 0, 10))
        if rng.random() < 0.15:
            continue  # a day without a check-in: a gap
        entries.append(
            DailyEntry(
                START + timedelta(days=t),
                round(mood),
                int(rng.integers(0, 11)),
                float(rng.integers(8, 19)) / 2,
                bool(rng.random() < 0.1),
            )
        )
    scores = [
        ScorePoint(START + timedelta(days=7 * k), int(rng.integers(0, 28))) for k in range(52)
    ]
    earned, cents = [], 0
    for k in range(36):
        step = 1000 + 50 * k
        cents += step
        if cents > CAP_CENTS:
            break
        earned.append(Earning(START + timedelta(days=3 * k + 1), step))
    return entries, scores, earned


def all_four(
    entries: list[DailyEntry], scores: list[ScorePoint], earned: list[Earning]
) -> dict[str, Callable[[], Chart]]:
    period = Period(START, START + timedelta(days=DAYS - 1))
    return {
        "mood and craving": lambda: mood_craving_chart(entries, period),
        "sleep": lambda: sleep_chart(entries, period),
        "phq9": lambda: phq9_chart(scores, period),
        "credit": lambda: credit_chart(earned, period, cap_cents=CAP_CENTS),
    }


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    charts = all_four(*synthetic_year())
    for draw in charts.values():
        draw()  # warm: fonts and caches, as in a running server
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(10):
            for draw in charts.values():
                draw()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    wall: dict[str, list[float]] = {name: [] for name in [*charts, "all four"]}
    cpu: list[float] = []
    sizes: dict[str, int] = {}
    for _ in range(args.runs):
        c0, t0 = time.process_time(), time.perf_counter()
        for name, draw in charts.items():
            t = time.perf_counter()
            sizes[name] = len(draw().svg)
            wall[name].append((time.perf_counter() - t) * 1000)
        wall["all four"].append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(f"{args.runs} runs, {DAYS} days, load average {os.getloadavg()[0]:.2f}")
    for name, times in wall.items():
        size = (
            f"{sizes[name] / 1000:.1f} kB"
            if name in sizes
            else f"{sum(sizes.values()) / 1000:.1f} kB"
        )
        print(
            f"{name:>17}: median {statistics.median(times):6.1f} ms, "
            f"p95 {p95(times):6.1f} ms, svg {size}"
        )
    print(f"{'all four, CPU':>17}: median {statistics.median(cpu):6.1f} ms")


if __name__ == "__main__":
    main()
