"""Audit chain verification speed: SECURITY.md asks for 1 M events in under 60 s.

Fills a fresh SQLite database with a valid chain of N events (hashes computed exactly
as ``tandem.services.audit`` does, inserted in bulk for speed), then times
``tandem audit verify``'s check (``verify_chain``) and checks one edit is found.

    .venv/bin/python bench/audit_verify.py --events 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from throwaway_app import start_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start_django("tandem-bench-audit-")
    from django.db import connection, transaction

    from tandem.services.audit import GENESIS, _keyed, event_hash, head_mac, verify_chain
    from tandem.storage.models import AuditChainHead, AuditEvent

    started = time.perf_counter()
    keyed, prev, at = _keyed(), GENESIS, dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    batch: list[AuditEvent] = []
    with transaction.atomic():
        for seq in range(1, args.events + 1):
            event = AuditEvent(
                seq=seq,
                at=at + dt.timedelta(seconds=seq),
                actor=f"staff-{seq % 25}",
                action="patient.view",
                patient_id=seq % 2150,
                record_type="patient",
                record_id=str(seq % 2150),
                ip="127.0.0.1",
                outcome="ok",
                prev_hash=prev,
            )
            event.hash = prev = event_hash(event, prev, keyed)
            batch.append(event)
            if len(batch) == 10_000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
        AuditChainHead.objects.update_or_create(
            id=1, defaults={"seq": args.events, "hash": prev, "mac": head_mac(args.events, prev)}
        )
    print(f"filled {args.events} events in {time.perf_counter() - started:.0f} s")
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        report = verify_chain()
        times.append(time.perf_counter() - started)
        if not report.ok or report.events != args.events:
            raise SystemExit(f"unexpected report: {report}")
    print(
        f"verify {args.events} events: median {statistics.median(times):.1f} s "
        f"(runs: {', '.join(f'{t:.1f}' for t in times)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE storage_auditevent SET actor = 'x' WHERE seq = %s", [args.events // 2]
        )
    print(f"after one edit: first break at {verify_chain().first_break_seq}")


if __name__ == "__main__":
    main()
