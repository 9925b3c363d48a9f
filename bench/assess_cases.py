"""Benchmark: ``tandem assess --input cases.jsonl --output formulations.jsonl``, end to end.

    .venv/bin/python bench/assess_cases.py [--cases 10000] [--runs 3] [--case-schema 1|2]
        [--ruleset tandem-default/2|tandem-default/1]

Generates valid intake cases (seeded: every agreement of ruleset-v1.md s1 holds, with
PHQ-9 and C-SSRS answers on most, partial dates, prior treatment) plus 1% malformed
ones, writes them as JSONL to a temporary folder, then times the real command in a
subprocess (start-up, JSON parsing, schema validation, scoring, formulation, output)
and prints the median of the runs. Target (issue 3): under 5 s for 10,000 cases.
It also times the two halves in-process (parse_case vs formulate) to show where time
goes. Results go to bench/results/formulation.md by hand.

``--case-schema 2`` writes tandem.case/2 cases (ruleset-v2.md s1) with unknown answers
in about a fifth of each optional field, binge periods, remission and the new clinical
fields; ``--ruleset`` is passed to the command (default: the default rule set, v2).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TANDEM = Path(sys.executable).with_name("tandem")
ASSESSED_ON = date(2026, 11, 2)
CSSRS = ([0, 0, "-", "-", "-", 0], [1, 0, "-", "-", "-", 0], [1, 1, 1, 0, 0, 0], [1, 1, 0, 1, 0, 0])


def _timeline(rng: random.Random, first: int, last: int, key: str) -> list[dict[str, Any]]:
    years = sorted(rng.sample(range(first, last + 1), rng.choice((0, 2, 4))))
    items: list[dict[str, Any]] = []
    for a, b in zip(years[::2], years[1::2], strict=True):
        start = f"{a}-{rng.randint(1, 12):02d}" if rng.random() < 0.5 else str(a)
        items.append({key: start, "end": str(b)})
    if items and rng.random() < 0.6:
        items[-1]["end"] = None
    return items


def make_case(rng: random.Random) -> dict[str, Any]:
    since = rng.choice((None, rng.randint(0, 29), rng.randint(30, 700)))
    days = 0 if since is None or since >= 30 else rng.randint(1, 30 - since)
    instruments: dict[str, Any] = {}
    if rng.random() < 0.9:
        instruments["phq9"] = [rng.randint(0, 3) for _ in range(9)]
    if rng.random() < 0.7:
        instruments["cssrs"] = rng.choice(CSSRS)
    return {
        "schema": "tandem.case/1",
        "assessed_on": ASSESSED_ON.isoformat(),
        "patient": {"age": rng.randint(18, 70), "sex": rng.choice(("male", "female"))},
        "stimulant": {
            "substance": rng.choice(("cocaine", "amphetamine_type", "other_stimulant")),
            "use_periods": _timeline(rng, 2005, 2023, "start"),
            "last_use": None if since is None else (ASSESSED_ON - timedelta(since)).isoformat(),
            "days_used_past_30": days,
            "dsm_criteria_past_12_months": sorted(rng.sample(range(1, 12), rng.randint(0, 11))),
            "route": rng.choice(("intranasal", "smoked", "injected", "oral")),
            "uses_alone": rng.random() < 0.2,
        },
        "depressive_episodes": _timeline(rng, 2000, 2025, "onset"),
        "instruments": instruments,
        "clinical": {
            "functional_impairment": rng.choice(("none", "mild", "moderate", "severe")),
            "recovery_environment": rng.choice(("supportive", "unsupportive", "unsafe")),
            "prior_treatment": [{"level": "iop", "response": rng.choice(("none", "full"))}],
        },
    }


def as_case_2(rng: random.Random, case: dict[str, Any]) -> dict[str, Any]:
    """The same case as tandem.case/2, with unknowns and the new fields (ruleset-v2.md s1)."""
    case["schema"] = "tandem.case/2"
    s, c = case["stimulant"], case["clinical"]
    unknown = 0.2
    for period in s["use_periods"]:
        period["pattern"] = rng.choice(("regular", "binge"))
    if rng.random() < unknown:
        s["days_used_past_30"] = None
    if rng.random() < unknown:
        s["dsm_criteria_past_12_months"] = None
    for name in ("uses_alone", "opioid_co_use", "overdose_past_12_months"):
        s[name] = None if rng.random() < unknown else rng.random() < 0.2
    for name in ("psychosis", "medically_unstable", "mania_history"):
        c[name] = None if rng.random() < unknown else rng.random() < 0.05
    c["homicidal_ideation"] = rng.choice(("none",) * 18 + ("ideation", "plan_or_intent"))
    case["patient"]["pregnant"] = None if rng.random() < unknown else rng.random() < 0.05
    case["patient"]["sex"] = rng.choice(("male", "female", "other", "unknown"))
    return case


def write_cases(path: Path, count: int, schema: int = 1) -> None:
    rng = random.Random(20261102)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            case = make_case(rng)
            if schema == 2:
                case = as_case_2(rng, case)
            if n % 100 == 99:  # 1% malformed: an unknown field
                case["stimulant"]["dose_mg"] = 50
            out.write(json.dumps(case) + "\n")


def time_command(source: Path, target: Path, ruleset: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of the real command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    command = [str(TANDEM), "assess", "--input", str(source), "--output", str(target)]
    done = subprocess.run(
        [*command, "--ruleset", ruleset], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"  wall {elapsed:.2f} s, cpu {cpu:.2f} s  ({done.stderr.strip()})")
    return elapsed, cpu


def time_halves(source: Path, ruleset_id: str) -> tuple[float, float]:
    from tandem.domain.errors import InvalidInput
    from tandem.domain.formulation import formulate, parse_case
    from tandem.rulesets import load_ruleset

    ruleset = load_ruleset(ruleset_id)
    data = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    began = time.perf_counter()
    cases = []
    for item in data:
        with contextlib.suppress(InvalidInput):
            cases.append(parse_case(item))
    parsed = time.perf_counter()
    for case in cases:
        formulate(case, ruleset).as_dict()
    return parsed - began, time.perf_counter() - parsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case-schema", type=int, choices=(1, 2), default=1)
    parser.add_argument("--ruleset", default="tandem-default/2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "cases.jsonl", Path(folder) / "out.jsonl"
        write_cases(source, args.cases, args.case_schema)
        print(f"tandem assess --input ({args.cases} case/{args.case_schema}) --ruleset "
              f"{args.ruleset}")  # fmt: skip
        runs = [time_command(source, target, args.ruleset) for _ in range(args.runs)]
        print(f"median wall: {statistics.median(r[0] for r in runs):.2f} s, "
              f"median cpu: {statistics.median(r[1] for r in runs):.2f} s "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")  # fmt: skip
        halves = [time_halves(source, args.ruleset) for _ in range(args.runs)]
        print(f"in-process median: parse_case {statistics.median(h[0] for h in halves):.2f} s, "
              f"formulate + as_dict {statistics.median(h[1] for h in halves):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
