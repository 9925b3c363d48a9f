"""Web load benchmark: caseload and chart p95 at 20 concurrent users (SECURITY.md "Load").

Seeds a fresh SQLite database through the services (150 active patients with intake,
formulation, placement and plan; 2,000 discharged), serves it with ``tandem serve``
(gunicorn) on 127.0.0.1, signs 20 virtual users in (demo mode: password only), and has
each request the caseload page (30%) or a random active patient's chart (70%) as fast
as it can (or, with ``--rate``, paced to that many requests/s in total) for a bounded
time. The same is done for the API equivalents
(/api/v1/caseload, /api/v1/patients/{id}/plan) with a bearer token.

    .venv/bin/python bench/web_load.py --seconds 30 --runs 3 [--workers 2] [--out FILE]

Reports p50/p95/max per endpoint and errors; medians over runs go to ``--out``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv running the bench (.venv/bin/python)
PASSWORD = "bench-password-2026"  # noqa: S105  (a throwaway bench account)


def seed(
    active: int, discharged: int, clinics: int = 1, clinicians: int = 0
) -> tuple[list[int], str, list[tuple[str, list[int]]]]:
    """Build the clinics through the services; returns clinic one's active patient ids,
    its director's token, and (token, that clinic's active ids) per clinician."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    first: tuple[list[int], str] | None = None
    staff: list[tuple[str, list[int]]] = []
    for n in range(clinics):
        ids, token, tokens = _seed_clinic(n, active, discharged, clinicians)
        first = first or (ids, token)
        staff.extend((t, ids) for t in tokens)
    assert first is not None
    return first[0], first[1], staff


def _seed_clinic(
    number: int, active: int, discharged: int, clinicians: int
) -> tuple[list[int], str, list[str]]:
    from tandem.services import accounts, intake, placement, plans
    from tandem.services.actors import Actor
    from tandem.services.patients import discharge_patient, register_patient, set_care_team

    suffix = "" if number == 0 else f"-{number}"
    org = accounts.ensure_organization(
        slug=f"bench{suffix}", name=f"Bench{suffix}", levels_offered=["iop", "php"]
    )
    director = accounts.ensure_staff(
        organization=org, username="bench-director", role="director", password=PASSWORD
    )
    clinician = Actor(
        user=accounts.ensure_staff(
            organization=org, username="bench-intake", role="intake", password=None
        ).user
    )
    ids = [
        _active_patient(clinician, n, intake, placement, plans, register_patient)
        for n in range(active)
    ]
    for n in range(discharged):
        patient = register_patient(
            clinician, display_name=f"Former patient {n}", date_of_birth="1980-01-01", sex="male"
        )
        discharge_patient(clinician, patient.pk)
    team = [
        accounts.ensure_staff(
            organization=org,
            username=f"bench-therapist{suffix}-{c}",
            role="therapist",
            password=None,
        )
        for c in range(clinicians)
    ]
    if team:  # every clinician on every active patient's care team
        intake_member = accounts.ensure_staff(
            organization=org, username=f"bench-intake{suffix}", role="intake", password=None
        )
        for pid in ids:
            set_care_team(Actor(user=director.user), pid, [intake_member.pk] + [t.pk for t in team])
    tokens = [accounts.create_api_token(Actor(user=t.user)) for t in team]
    return ids, accounts.create_api_token(Actor(user=director.user)), tokens


def _active_patient(actor, n, intake, placement, plans, register_patient) -> int:
    import datetime as dt

    today = dt.date.today()
    patient = register_patient(
        actor, display_name=f"Synthetic patient {n}", date_of_birth="1990-01-01", sex="female"
    )
    intake.update_intake(actor, patient.pk, "assessed_on", today.isoformat())
    intake.update_intake(
        actor,
        patient.pk,
        "stimulant",
        {
            "substance": "cocaine",
            "use_periods": [{"start": "2021-01", "end": None}],
            "last_use": (today - dt.timedelta(days=2)).isoformat(),
            "days_used_past_30": 1 + n % 20,
            "dsm_criteria_past_12_months": list(range(1, 2 + n % 10)),
            "uses_alone": False,
            "opioid_co_use": False,
            "overdose_past_12_months": False,
        },
    )
    intake.update_intake(
        actor, patient.pk, "clinical", {"psychosis": False, "medically_unstable": False}
    )
    intake.update_intake(
        actor, patient.pk, "depressive_episodes", [{"onset": "2022-06", "end": None}]
    )
    for week in range(4):
        intake.record_administration(
            actor,
            patient.pk,
            "phq9",
            [n % 4, 1, 2, 1, 0, 1, week % 3, 0, 0],
            administered_on=today - dt.timedelta(days=7 * week),
        )
    intake.record_administration(actor, patient.pk, "cssrs", [n % 2, 0, "-", "-", "-", 0])
    formulation = intake.formulate_patient(actor, patient.pk)
    placement.decide_placement(actor, formulation.pk, level=formulation.recommended_level)
    plans.draft_plan(actor, formulation.pk)
    return int(patient.pk)


def sign_in(
    port: int,
    username: str = "bench-director",
    password: str = PASSWORD,
    path: str = "/accounts/login",
) -> str:
    """Sign in through the real form (demo mode: password only; ``path`` /me/sign-in for
    a portal patient); returns the Cookie header (with the CSRF cookie the login set)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    page = conn.getresponse()
    body = page.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    conn.request(
        "POST",
        path,
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
        },
    )
    answer = conn.getresponse()
    answer.read()
    cookies = answer.getheader("Set-Cookie", "")
    session = re.search(r"sessionid=([^;]+)", cookies).group(1)
    rotated = re.search(r"csrftoken=([^;]+)", cookies)  # login() rotates the CSRF secret
    conn.close()
    return f"csrftoken={rotated.group(1) if rotated else csrf_cookie}; sessionid={session}"


def user(
    port: int, index: int, headers: dict[str, str], paths, until: float, out: dict, pace: float
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    rng = random.Random()
    next_start = time.monotonic() + rng.random() * pace
    while time.monotonic() < until:
        if pace:  # think time: each user starts one request every `pace` seconds
            time.sleep(max(0.0, next_start - time.monotonic()))
            next_start += pace
        name, path, *body = paths(rng, index)
        start = time.perf_counter()
        try:
            if body:  # a write: an instrument submission with its own Idempotency-Key
                conn.request(
                    "POST",
                    path,
                    json.dumps(body[0]),
                    headers={
                        **headers,
                        "Content-Type": "application/json",
                        "Idempotency-Key": f"load-{index}-{rng.getrandbits(64):x}",
                    },
                )
            else:
                conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            text = response.read()
            ok = response.status in (200, 201)
            if b"database is locked" in text:
                out.setdefault("locked", []).append(1)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ok = False
        elapsed = (time.perf_counter() - start) * 1000
        out.setdefault(name, []).append(elapsed)
        if not ok:
            out.setdefault("errors", []).append(1)
    conn.close()


def run(port: int, users: int, seconds: float, headers_for, paths, rate: float) -> dict:
    results: list[dict] = [{} for _ in range(users)]
    until = time.monotonic() + seconds
    pace = users / rate if rate else 0.0
    threads = [
        threading.Thread(
            target=user, args=(port, i, headers_for(i), paths, until, results[i], pace)
        )
        for i in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged: dict[str, list[float]] = {}
    for result in results:
        for name, values in result.items():
            merged.setdefault(name, []).extend(values)
    return merged


def summary(merged: dict) -> dict:
    stats = {}
    for name, values in merged.items():
        if name in ("errors", "locked"):
            continue
        ordered = sorted(values)
        stats[name] = {
            "n": len(ordered),
            "p50": ordered[len(ordered) // 2],
            "p95": ordered[int(len(ordered) * 0.95) - 1],
            "max": ordered[-1],
        }
    stats["errors"] = len(merged.get("errors", []))
    stats["locked"] = len(merged.get("locked", []))
    return stats


def serve(port: int, workers: int, env: dict, log: Path | None = None) -> subprocess.Popen:
    """``tandem serve`` on 127.0.0.1:``port``; its output to ``log`` (else discarded)."""
    output = log.open("ab") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [
            str(BIN / "tandem"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=output,
        stderr=output,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--active", type=int, default=150)
    parser.add_argument("--discharged", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="total requests/s spread over the users (0: no think time, saturate)",
    )
    parser.add_argument(
        "--profile",
        choices=("pages", "mixed"),
        default="pages",
        help="pages: pages then API reads (as before); mixed: SECURITY.md's clinic profile "
        "through the API, one token per clinician, --reads share reads, the rest writes",
    )
    parser.add_argument("--reads", type=float, default=0.7)
    parser.add_argument("--clinics", type=int, default=1, help="each seeded alike")
    parser.add_argument("--clinicians", type=int, default=25, help="per clinic (mixed)")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server URL; the bench makes (and leaves) a new database on it",
    )
    args = parser.parse_args()
    env, data_dir = app_env("tandem-bench-web-", args.database_url)
    started = time.perf_counter()
    clinicians = args.clinicians if args.profile == "mixed" else 0
    ids, token, staff = seed(args.active, args.discharged, args.clinics, clinicians)
    print(
        f"seeded {args.clinics} x {args.active} active + {args.discharged} discharged "
        f"in {time.perf_counter() - started:.0f} s ({data_dir})",
        file=sys.stderr,
    )
    server = serve(args.port, args.workers, env)
    if args.profile == "mixed":
        try:
            runs = mixed(args, staff)
        finally:
            server.terminate()
            server.wait(timeout=20)
        report = render(args, runs)
        print(report)
        if args.out:
            args.out.write_text(report)
        return
    try:
        cookies = [sign_in(args.port) for _ in range(args.users)]

        def pages(rng: random.Random, i: int) -> tuple[str, str]:
            if rng.random() < 0.3:
                return "caseload page", "/clinic/"
            return "chart page", f"/clinic/patients/{rng.choice(ids)}/"

        def api(rng: random.Random, i: int) -> tuple[str, str]:
            if rng.random() < 0.3:
                return "API caseload", "/api/v1/caseload"
            return "API plan", f"/api/v1/patients/{rng.choice(ids)}/plan"

        def cookie_for(i: int) -> dict[str, str]:
            return {"Cookie": cookies[i]}

        runs = []
        for n in range(args.runs):
            page_stats = summary(
                run(args.port, args.users, args.seconds, cookie_for, pages, args.rate)
            )
            api_stats = summary(
                run(
                    args.port,
                    args.users,
                    args.seconds,
                    lambda i: {"Authorization": f"Bearer {token}"},
                    api,
                    args.rate,
                )
            )
            runs.append((page_stats, api_stats))
            print(f"run {n + 1}: pages {page_stats}\n       api {api_stats}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=20)
    report = render(args, runs)
    print(report)
    if args.out:
        args.out.write_text(report)


def app_env(prefix: str, database_url: str = "") -> tuple[dict[str, str], str]:
    """The environment of a throwaway app (demo mode: staff sign in with a password only)
    for this process and its server: a new data folder, and a new database on
    ``database_url``'s PostgreSQL server when given. Returns it and the folder."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = new_postgres_database(database_url)
    env.update(
        TANDEM_DATA_DIR=data_dir,
        TANDEM_DEMO="true",
        TANDEM_ENV="test",
        TANDEM_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="tandem.web.settings",
        PYTHONPATH=str(ROOT / "src"),  # this checkout's code, also in the server
    )
    os.environ.update(env)
    return env, data_dir


def new_postgres_database(server_url: str) -> str:
    import psycopg

    parts = urlsplit(server_url)
    name = f"tandem_bench_{int(time.time())}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def mixed(args: argparse.Namespace, staff: list[tuple[str, list[int]]]) -> list:
    """SECURITY.md's profile: every clinician of every clinic a user, paced to --rate."""
    import datetime as dt

    today = dt.date.today()

    def requests(rng: random.Random, i: int) -> tuple:
        ids = staff[i][1]
        pid = rng.choice(ids)
        if rng.random() >= args.reads:
            answers = [rng.randint(0, 3) for _ in range(9)]
            body = {
                "instrument_id": "phq9",
                "answers": answers,
                "administered_on": (today - dt.timedelta(days=rng.randint(0, 6))).isoformat(),
            }
            return "write: submit PHQ-9", f"/api/v1/patients/{pid}/administrations", body
        pick = rng.random()
        if pick < 0.2:
            return "read: caseload", "/api/v1/caseload"
        if pick < 0.6:
            return "read: plan", f"/api/v1/patients/{pid}/plan"
        return "read: administrations", f"/api/v1/patients/{pid}/administrations"

    runs = []
    for n in range(args.runs):
        merged = run(
            args.port,
            len(staff),
            args.seconds,
            lambda i: {"Authorization": f"Bearer {staff[i][0]}"},
            requests,
            args.rate,
        )
        for kind in ("read", "write"):
            merged[f"all {kind}s"] = [
                v for k, vs in merged.items() if k.startswith(f"{kind}:") for v in vs
            ]
        stats = summary(merged)
        runs.append((stats,))
        print(f"run {n + 1}: {stats}", file=sys.stderr)
    return runs


def render(args: argparse.Namespace, runs: list) -> str:
    lines = [
        "| endpoint | requests/run (median) | p50 ms | p95 ms | max ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    for index in range(len(runs[0])):
        names = [n for n in runs[0][index] if n not in ("errors", "locked")]
        for name in names:
            cells = [r[index][name] for r in runs]
            med = {k: statistics.median(c[k] for c in cells) for k in ("n", "p50", "p95", "max")}
            errors = sum(r[index]["errors"] for r in runs)
            locked = sum(r[index].get("locked", 0) for r in runs)
            lines.append(
                f"| {name} | {med['n']:.0f} | {med['p50']:.0f} | {med['p95']:.0f} | "
                f"{med['max']:.0f} | {errors} (all runs; {locked} database is locked) |"
            )
    users = args.clinics * args.clinicians if args.profile == "mixed" else args.users
    database = "PostgreSQL" if args.database_url else "SQLite (WAL, synchronous=FULL)"
    setup = (
        f"{args.profile} profile, {args.clinics} clinic(s), {users} concurrent users, "
        f"{args.seconds:.0f} s per run, {args.runs} runs "
        f"(medians), gunicorn {args.workers} sync workers, {database}, "
        f"{args.active} active + {args.discharged} discharged patients per clinic, "
        + (f"paced at {args.rate:.0f} requests/s in total" if args.rate else "no think time")
    )
    return setup + "\n\n" + "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
