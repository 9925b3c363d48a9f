"""Self-check benchmark: whole anonymous flows through Django in-process (self-check.md).

Each flow is the four POSTs a person makes (about you, PHQ-9, overdose risks, safety
screen -> result), answers carried in the signed hidden field. Measures the server-side
time per flow with Django's test client (no network, no browser), on a fresh SQLite
database, and checks that no table gained a row (nothing stored).

    .venv/bin/python bench/selfcheck_pages.py --flows 200 --runs 3

Prints the median and p95 milliseconds per flow for each run and the medians over runs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

from throwaway_app import start_django

ABOUT = {
    "started_first": "stimulant_use", "crash_after_use": "often",
    "use_to_lift_mood": "almost_always", "low_mood_without_use": "no_stretch",
    "days_used_past_30": "4-8",
}  # fmt: skip
PHQ9 = {f"item_{n}": v for n, v in enumerate("222211112", start=1)}
SEALED = re.compile(rb'name="answers" value="([^"]+)"')


def one_flow(client: object) -> None:
    post = client.post  # type: ignore[attr-defined]
    page = post("/check/about", ABOUT)
    page = post("/check/feelings", {"answers": SEALED.search(page.content)[1].decode(), **PHQ9})
    page = post("/check/safety", {"answers": SEALED.search(page.content)[1].decode()})
    page = post("/check/result", {"answers": SEALED.search(page.content)[1].decode()})
    assert page.status_code == 200
    assert b"Your result" in page.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start_django("tandem-bench-selfcheck-")
    from django.apps import apps
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()

    def counts() -> dict[str, int]:
        return {m._meta.db_table: m.objects.count() for m in apps.get_models()}

    before = counts()
    client = Client()
    medians = []
    for run in range(1, args.runs + 1):
        times = []
        for _ in range(args.flows):
            start = time.perf_counter()
            one_flow(client)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        medians.append((statistics.median(times), p95))
        print(
            f"run {run}: median {medians[-1][0]:.1f} ms/flow, p95 {p95:.1f} ms ({args.flows} flows)"
        )
    assert counts() == before, "the self-check stored something"
    print(
        f"median of runs: {statistics.median(m for m, _ in medians):.1f} ms/flow, "
        f"p95 {statistics.median(p for _, p in medians):.1f} ms; rows added: 0"
    )


if __name__ == "__main__":
    main()
