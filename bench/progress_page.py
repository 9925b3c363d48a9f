"""Progress and timeline page benchmark: the patient's ``/me/progress`` (issue 10) and
the clinician's ``/clinic/patients/<id>/timeline`` (issue 11), each with 365 days of
data, p95 under 300 ms (``--page progress|timeline``; the timeline at 20 users).

Seeds a throwaway SQLite database (or PostgreSQL with ``--database-url``): one clinic,
``--patients`` portal patients (light: registered, enrolled), each with 365 days of
check-ins (about 1 in 10 days missed, use days early on) and a weekly PHQ-9, written in
bulk after the check-in service's own validator (as the demo seeds them). Serves it with
``tandem serve`` (gunicorn), signs ``--users`` patients in through the real form, and has
each request their own progress page, one after another, for ``--seconds``. The page
draws three charts on the server, computes what is shifting over all 365 days and reads
every PHQ-9.

    PYTHONPATH=src .venv/bin/python bench/progress_page.py --runs 3 [--users 20] [--out FILE]

Reports p50/p95/max per run and the medians over runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_load import PASSWORD, app_env, run, serve, sign_in, summary

DAYS = 365


def seed(patients: int) -> tuple[list[str], list[int]]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test import override_settings

    from tandem.services import accounts, checkins, intake, portal_accounts
    from tandem.services.actors import Actor
    from tandem.services.calendar import patient_today
    from tandem.services.clock import get_clock
    from tandem.services.patients import register_patient
    from tandem.storage.models import CheckIn, CheckInSubmission, InstrumentAdministration

    call_command("migrate", verbosity=0)
    org = accounts.ensure_organization(slug="bench", name="Bench", levels_offered=["iop"])
    staff = accounts.ensure_staff(
        organization=org, username="bench-intake", role="intake", password=None
    )
    accounts.ensure_staff(
        organization=org, username="bench-director", role="director", password=PASSWORD
    )
    actor = Actor(user=staff.user)
    names = []
    ids = []
    now = get_clock().now()
    rng = random.Random(365)
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seeding only
    with override_settings(PASSWORD_HASHERS=fast):
        for n in range(patients):
            patient = register_patient(
                actor, display_name=f"Progress patient {n}", date_of_birth="1990-01-01", sex="male"
            )
            _, code, _ = portal_accounts.invite(actor, patient.pk)
            name = f"bench-patient-{n}"
            portal_accounts.enrol(code, username=name, password=PASSWORD)
            names.append(name)
            ids.append(patient.pk)
            today = patient_today(patient)
            rows = []
            for back in range(DAYS - 1, -1, -1):
                day = today - dt.timedelta(days=back)
                if rng.random() < 0.1:
                    continue
                used = back > 200 and rng.random() < 0.2
                raw = {
                    "mood": rng.randint(2, 8) if back > 100 else rng.randint(4, 8),
                    "sleep_hours": str(rng.randint(8, 16) / 2),
                    "craving": rng.randint(0, 8),
                    "used": used,
                    "use_days": [day.isoformat()] if used else [],
                    "safety": False,
                }
                a = checkins.clean_answers(raw, day)
                rows.append(
                    CheckIn(
                        patient=patient,
                        on=day,
                        mood=a.mood,
                        sleep_hours=a.sleep_hours,
                        craving=a.craving,
                        energy=a.energy,
                        used=a.used,
                        use_days=[d.isoformat() for d in a.use_days],
                        safety=a.safety,
                        source="portal",
                        created_at=now,
                        updated_at=now,
                    )
                )
            made = CheckIn.objects.bulk_create(rows)
            CheckInSubmission.objects.bulk_create(
                CheckInSubmission(checkin=c, submitted_at=now, submitted_by=name, answers={})
                for c in made
            )
            version = "bench"
            InstrumentAdministration.objects.bulk_create(
                InstrumentAdministration(
                    patient=patient,
                    instrument_id="phq9",
                    instrument_version=version,
                    answers=[],
                    result={},
                    total=max(0, 16 - week // 4),
                    band="",
                    administered_on=today - dt.timedelta(days=DAYS - 1 - 7 * week),
                    recorded_by=None,
                    recorded_at=now,
                    source="portal",
                )
                for week in range(DAYS // 7)
            )
    del intake
    shared = make_password(PASSWORD)
    get_user_model().objects.filter(username__startswith="bench-").update(password=shared)
    return names, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--page", choices=("progress", "timeline"), default="progress")
    parser.add_argument(
        "--rate", type=float, default=0, help="total requests/s over the users (0: saturate)"
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    env, _ = app_env("tandem-progress-", args.database_url)
    started = time.perf_counter()
    names, ids = seed(args.patients)
    seeded = time.perf_counter() - started
    port = args.port
    server = serve(port, args.workers, env)
    try:
        if args.page == "progress":
            cookies = [
                sign_in(port, names[i % len(names)], path="/me/sign-in") for i in range(args.users)
            ]
        else:
            cookies = [sign_in(port, "bench-director") for _ in range(args.users)]
        runs = []
        for _ in range(args.runs):
            merged = run(
                port,
                args.users,
                args.seconds,
                lambda i: {"Cookie": cookies[i]},
                lambda rng, i: (
                    (args.page, "/me/progress")
                    if args.page == "progress"
                    else (args.page, f"/clinic/patients/{rng.choice(ids)}/timeline")
                ),
                args.rate,
            )
            runs.append(summary(merged))
            print(runs[-1], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    p95 = statistics.median(r[args.page]["p95"] for r in runs)
    p50 = statistics.median(r[args.page]["p50"] for r in runs)
    errors = sum(r["errors"] for r in runs)
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    text = (
        f"{args.page} page, {args.patients} patients x {DAYS} days, {args.users} users, "
        f"{args.workers} workers, {args.rate or 'no'} pacing (requests/s), "
        f"{args.runs} runs of {args.seconds:g} s "
        f"(seed {seeded:.0f} s, load average {load}): median p50 {p50:.0f} ms, "
        f"median p95 {p95:.0f} ms (target 300 ms: {'met' if p95 < 300 else 'NOT met'}), "
        f"errors {errors}\n"
    )
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
