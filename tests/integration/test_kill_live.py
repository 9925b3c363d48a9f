"""The kill test in CI: 200 instrument submissions to a live server (gunicorn on
127.0.0.1, its own throwaway database: SQLite, or PostgreSQL when DATABASE_URL is), with
10 SIGKILLs of the whole server at random moments while writing and a restart after each.
The client retries every unanswered submission with its Idempotency-Key until answered.
Afterwards: every acknowledged submission is stored, none twice, nothing unacknowledged."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import threading
import time

from tests.integration.live import live_server

WRITES = 200
KILLS = 10


def test_sigkills_while_writing_lose_and_duplicate_nothing() -> None:
    rng = random.Random(13)
    today = dt.date.today()
    with live_server() as server:
        url = f"/api/v1/patients/{server.patient}/administrations"
        acknowledged: dict[str, int] = {}  # Idempotency-Key -> administration id
        retries = 0
        down = threading.Event()
        done = threading.Event()

        failures: list[str] = []

        def writer() -> None:
            try:
                write_all()
            except Exception as exc:  # any writer failure fails the test
                failures.append(repr(exc))
            finally:
                done.set()

        def write_all() -> None:
            nonlocal retries
            for n in range(WRITES):
                key = f"kill-test-{n}"
                body = {
                    "instrument_id": "phq9",
                    "answers": [n % 4, 1, 2, 1, 0, 1, n % 3, 0, 0],
                    "administered_on": (today - dt.timedelta(days=n % 30)).isoformat(),
                }
                while True:
                    if down.is_set():
                        time.sleep(0.02)
                        continue
                    try:
                        status, raw = server.request("POST", url, body, **{"Idempotency-Key": key})
                    except (OSError, http.client.HTTPException):
                        # Killed before answering, or while the answer was on the wire
                        # (IncompleteRead): unacknowledged, so send it again.
                        retries += 1
                        time.sleep(0.02)
                        continue
                    assert status == 201, (status, raw[:300])
                    acknowledged[key] = json.loads(raw)["id"]
                    break

        thread = threading.Thread(target=writer)
        thread.start()
        kills = 0
        while kills < KILLS and not done.is_set():
            # A kill lands every ~WRITES/(KILLS+1) acknowledged writes, at a random moment.
            target = (kills + 1) * WRITES // (KILLS + 1)
            while len(acknowledged) < target and not done.is_set():
                time.sleep(0.002)
            time.sleep(rng.random() * 0.05)
            down.set()
            server.kill()
            kills += 1
            server.start()
            down.clear()
        thread.join(timeout=120)
        assert not thread.is_alive()
        assert not failures, failures
        assert kills == KILLS
        assert len(acknowledged) == WRITES

        status, raw = server.request("GET", url)
        assert status == 200
        stored = json.loads(raw)
    print(f"{KILLS} kills, {retries} retried requests, {WRITES} writes")
    ids = [row["id"] for row in stored]
    assert len(ids) == len(set(ids))
    assert len(stored) == WRITES, f"{len(stored)} stored for {WRITES} acknowledged: duplicates"
    assert set(acknowledged.values()) == set(ids), "an acknowledged write was lost"
