"""Group start in the patient portal (issue 10; SECURITY.md "Load").

Target: 30 patients check in within 5 seconds while 150 portal patients and 25
clinicians use the app: all acknowledged within 10 s, none lost or doubled, check-in
p95 under 150 ms with the alert evaluation inline.

Seeds a fresh database through the services (``web_load``'s harness: a throwaway SQLite
file, or a new database on ``--database-url``'s PostgreSQL server): one clinic, 25
clinicians of the clinical roles (5 intake, 10 therapists, 5 prescribers, 5 peer
specialists; each patient's care team is one of each, spread round-robin), 180 patients
with intake, formulation, placement and plan as ``web_load`` makes them (``--light``:
registered only, which check-ins do not need), and a portal account for each
(``portal_accounts.invite`` + ``enrol``).

Seeding shortcut, for speed only: the staff accounts and the enrolments are made with
Django's MD5 hasher, then every bench account is given one PBKDF2 hash (Django's default,
1,000,000 iterations) of the same password, computed once. The server checks that real
hash at every sign-in, so sign-in costs what it costs in production (about half a second
of a worker each, spent before the measured window).

``tandem serve`` (gunicorn) serves it on 127.0.0.1. Every patient signs in at
/me/sign-in and every clinician at /accounts/login (demo mode: password only), through
the real forms. Each run then has:

- background: 150 portal patients requesting /me/ (40%), /me/check-in (40%) or /me/help
  (20%), and 25 clinicians requesting /clinic/ (30%) or one of their own patients'
  charts (70%), each user one request every ``--pace`` seconds (3.5: the middle of a
  human 2-5 s; about 50 requests/s in all), at random phases, for ``--seconds`` seconds
  (``web_load.run``: a user who falls behind catches up, so a backlog persists);
- the group, ``--warmup`` seconds in: 30 other patients, each having opened the check-in
  form (its hidden "on" field is their clinic-local day), POST it at a uniformly random
  moment within a 5-second window; 3 answer yes to the safety question, raising the
  urgent suicide_risk alert in the check-in's transaction. A check-in is acknowledged by
  a 302 to /me/?thanks=1, /me/help or /me/coping.

After each run the database is checked: exactly one CheckIn per group patient for their
day, 30 CheckInSubmission rows, 3 suicide_risk alerts. Each run takes 30 patients who
have not checked in yet (the others are its background), so 180 patients give 6 runs.

    .venv/bin/python bench/portal_load.py --runs 3 [--workers 2] [--light]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--out FILE]
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from web_load import PASSWORD, _active_patient, app_env, run, serve, sign_in, summary

TARGET_CHECKIN_P95_MS = 150
TARGET_LAST_ACK_S = 10
GROUP = 30
SAFETY_YES = 3
ROLES = ("intake",) * 5 + ("therapist",) * 10 + ("prescriber",) * 5 + ("peer_specialist",) * 5
ACKNOWLEDGED = ("/me/?thanks=1", "/me/help", "/me/coping")


@dataclass
class Seeded:
    patients: list[tuple[int, str]]  # (patient id, portal user name)
    clinicians: list[tuple[str, list[int]]]  # (user name, their care-team patients)


@dataclass
class CheckInResult:
    patient_id: int
    at: float  # when the POST was sent, seconds after the group window opened
    ms: float
    location: str
    status: int
    safety: bool
    day: str
    error: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status == 302 and self.location in ACKNOWLEDGED


@dataclass
class RunResult:
    checkins: list[CheckInResult]
    background: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    load: str = ""
    server: dict = field(default_factory=dict)


def server_times(log: Path, offset: int) -> dict:
    """p50/p95/max of the server's own time (ms) per request since ``offset``: the
    check-in POSTs and the background GETs."""
    with log.open("rb") as f:
        f.seek(offset)
        lines = f.read().decode(errors="replace").splitlines()
    times: dict[str, list[float]] = {"check-in POST": [], "background GET": []}
    for line in lines:
        match = re.match(r'^"?(GET|POST) (\S+) \S+ (\d{3}) (\d+)', line)
        if match is None:
            continue
        kind = "check-in POST" if match.group(1) == "POST" else "background GET"
        times[kind].append(float(match.group(4)))
    return summary({k: v for k, v in times.items() if v})


# ---------------------------------------------------------------- seeding


def seed(patients: int, light: bool) -> Seeded:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test import override_settings

    from tandem.services import accounts, intake, placement, plans, portal_accounts
    from tandem.services.actors import Actor
    from tandem.services.patients import register_patient, set_care_team

    call_command("migrate", verbosity=0)
    org = accounts.ensure_organization(slug="bench", name="Bench", levels_offered=["iop", "php"])
    director = Actor(
        user=accounts.ensure_staff(
            organization=org, username="bench-director", role="director", password=None
        ).user
    )
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seeding only (docstring)
    with override_settings(PASSWORD_HASHERS=fast):
        staff = [
            accounts.ensure_staff(
                organization=org, username=f"bench-{role}-{n}", role=role, password=PASSWORD
            )
            for n, role in enumerate(ROLES)
        ]
        by_role = {r: [s for s in staff if s.role == r] for r in dict.fromkeys(ROLES)}
        registrar = Actor(user=by_role["intake"][0].user)
        seeded = []
        caseloads: dict[int, list[int]] = {s.pk: [] for s in staff}
        for n in range(patients):
            if light:
                pid = register_patient(
                    registrar,
                    display_name=f"Synthetic patient {n}",
                    date_of_birth="1990-01-01",
                    sex="female",
                ).pk
            else:
                pid = _active_patient(registrar, n, intake, placement, plans, register_patient)
            team = [members[n % len(members)] for members in by_role.values()]
            set_care_team(director, pid, [s.pk for s in team])
            for member in team:
                caseloads[member.pk].append(int(pid))
            _, code, _ = portal_accounts.invite(None, pid)
            name = f"bench-patient-{n}"
            portal_accounts.enrol(code, username=name, password=PASSWORD)
            seeded.append((int(pid), name))
    shared = make_password(PASSWORD)  # one real PBKDF2 hash for every bench account
    get_user_model().objects.filter(username__startswith="bench-").update(password=shared)
    return Seeded(seeded, [(s.user.username, caseloads[s.pk]) for s in staff])


# ---------------------------------------------------------------- the group


def open_form(port: int, cookie: str) -> tuple[str, str]:
    """GET the check-in form: its CSRF token and its hidden "on" (the clinic-local day)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/me/check-in", headers={"Cookie": cookie})
    body = conn.getresponse().read().decode()
    conn.close()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    day = re.search(r'name="on" value="([^"]+)"', body)
    if token is None or day is None:
        raise SystemExit("the check-in form has no CSRF token or day: not signed in?")
    return token.group(1), day.group(1)


def answers(rng: random.Random, day: str, safety: bool) -> dict[str, object]:
    used = rng.random() < 0.2
    form: dict[str, object] = {
        "on": day,
        "mood": rng.randint(0, 10),
        "sleep_hours": f"{rng.randint(0, 28) / 2:g}",
        "craving": rng.randint(0, 10),
        "used": "yes" if used else "no",
        "safety": "yes" if safety else "no",
    }
    if used:
        form["use_days"] = day
    return form


def check_in(
    port: int, pid: int, cookie: str, form: tuple[str, str], safety: bool, start: float, at: float
) -> CheckInResult:
    token, day = form
    body = urlencode(
        {"csrfmiddlewaretoken": token, **answers(random.Random(pid), day, safety)}, doseq=True
    )
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    # Not connected ahead: a gunicorn sync worker would wait on an idle connection.
    time.sleep(max(0.0, start + at - time.monotonic()))
    sent, at = time.perf_counter(), time.monotonic() - start
    try:
        conn.request("POST", "/me/check-in", body, headers)
        answer = conn.getresponse()
        answer.read()
        status, location, error = answer.status, answer.getheader("Location", ""), ""
    except (OSError, http.client.HTTPException) as exc:
        status, location, error = 0, "", type(exc).__name__
    ms = (time.perf_counter() - sent) * 1000
    conn.close()
    parts = urlsplit(location)
    where = parts.path + (f"?{parts.query}" if parts.query else "")
    return CheckInResult(pid, at, ms, where, status, safety, day, error)


def group_start(port: int, group: list[tuple[int, str]], rng: random.Random) -> list:
    forms = [open_form(port, cookie) for _, cookie in group]
    yes = set(rng.sample(range(len(group)), SAFETY_YES))
    moments = [rng.uniform(0, 5) for _ in group]
    start = time.monotonic() + 0.5
    with ThreadPoolExecutor(max_workers=len(group)) as pool:
        futures = [
            pool.submit(check_in, port, pid, cookie, forms[i], i in yes, start, moments[i])
            for i, (pid, cookie) in enumerate(group)
        ]
        return [f.result() for f in futures]


def verify(results: list[CheckInResult]) -> list[str]:
    """What the database says about the group: one check-in each, none lost or doubled."""
    from django.db import connection

    from tandem.storage.models import Alert, CheckIn, CheckInSubmission

    connection.close()  # a fresh connection sees every commit
    problems = []
    days = {r.patient_id: r.day for r in results}
    for pid, day in days.items():
        n = CheckIn.objects.filter(patient_id=pid, on=day).count()
        if n != 1:
            problems.append(f"patient {pid}: {n} check-ins for {day}")
    submissions = CheckInSubmission.objects.filter(checkin__patient_id__in=list(days)).count()
    if submissions != len(results):
        problems.append(f"{submissions} check-in submissions for {len(results)} check-ins")
    said_yes = sum(r.safety for r in results)
    raised = Alert.objects.filter(patient_id__in=list(days), kind="suicide_risk").count()
    if raised != said_yes:
        problems.append(f"{raised} suicide_risk alerts for {said_yes} yes answers")
    without_recipients = Alert.objects.filter(
        patient_id__in=list(days), kind="suicide_risk", recipients__isnull=True
    ).count()
    if without_recipients:
        problems.append(f"{without_recipients} suicide_risk alerts reached nobody")
    for r in results:
        if not r.acknowledged:
            problems.append(f"patient {r.patient_id}: {r.status} {r.location} {r.error}")
    return problems


# ---------------------------------------------------------------- a run


def one_run(args, port: int, group, background, clinicians, rng) -> RunResult:
    """Background users for ``--seconds``; the group's window opens ``--warmup`` in."""
    users = [("patient", cookie, []) for _, cookie in background]
    users += [("clinician", cookie, ids) for cookie, ids in clinicians]

    def paths(r: random.Random, i: int) -> tuple[str, str]:
        kind, _, ids = users[i]
        pick = r.random()
        if kind == "patient":
            if pick < 0.4:
                return "patient: today", "/me/"
            return (
                ("patient: check-in form", "/me/check-in")
                if pick < 0.8
                else (
                    "patient: help",
                    "/me/help",
                )
            )
        if pick < 0.3 or not ids:
            return "clinician: caseload", "/clinic/"
        return "clinician: chart", f"/clinic/patients/{r.choice(ids)}/"

    merged: dict = {}

    def background_load() -> None:
        merged.update(
            run(
                port,
                len(users),
                args.seconds,
                lambda i: {"Cookie": users[i][1]},
                paths,
                len(users) / args.pace,
            )
        )

    loads = [_loadavg()]
    thread = threading.Thread(target=background_load)
    thread.start()
    time.sleep(args.warmup)
    loads.append(_loadavg())
    results = group_start(port, group, rng)
    loads.append(_loadavg())
    thread.join()
    loads.append(_loadavg())
    merged["all background"] = [
        v for k, vs in merged.items() if ":" in k for v in vs
    ]  # every named request
    return RunResult(results, summary(merged), verify(results), " -> ".join(loads))


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def checkin_stats(run_result: RunResult) -> dict[str, float]:
    results = run_result.checkins
    ms = sorted(r.ms for r in results)
    acked = [r.at + r.ms / 1000 for r in results if r.acknowledged]
    return {
        "p50": ms[len(ms) // 2],
        "p95": ms[int(len(ms) * 0.95) - 1],
        "max": ms[-1],
        "last_ack_s": max(acked) if acked else float("inf"),
        "acknowledged": len(acked),
        "safety_max": max(r.ms for r in results if r.safety),
    }


def render(args, seed_s: float, sign_in_s: float, runs: list[RunResult]) -> str:
    stats = [checkin_stats(r) for r in runs]

    def med(key: str) -> float:
        return statistics.median(s[key] for s in stats)

    def bg(key: str) -> float:
        return statistics.median(r.background["all background"][key] for r in runs)

    errors = sum(r.background["errors"] for r in runs)
    locked = sum(r.background["locked"] for r in runs)
    problems = [p for r in runs for p in r.problems]
    met_p95 = med("p95") < TARGET_CHECKIN_P95_MS
    met_ack = max(s["last_ack_s"] for s in stats) <= TARGET_LAST_ACK_S
    database = "PostgreSQL" if args.database_url else "SQLite (WAL, synchronous=FULL)"
    lines = [
        f"Group start: {GROUP} check-ins ({SAFETY_YES} with safety yes) at uniformly random "
        f"moments in 5 s, {args.seconds:.0f} s of background from 150 portal patients and "
        f"25 clinicians (one request each every {args.pace:g} s), {args.runs} runs "
        f"(medians), gunicorn {args.workers} sync workers, {database}, 180 patients "
        f"({'registered only' if args.light else 'intake, formulation, placement, plan'}). "
        f"Seeded in {seed_s:.0f} s; 205 sign-ins in {sign_in_s:.0f} s.",
        "",
        "| measure | median of runs | runs | target | result |",
        "|---|---|---|---|---|",
        f"| check-in p50 ms | {med('p50'):.0f} | "
        + ", ".join(f"{s['p50']:.0f}" for s in stats)
        + " | - | - |",
        f"| check-in p95 ms | {med('p95'):.0f} | "
        + ", ".join(f"{s['p95']:.0f}" for s in stats)
        + f" | < {TARGET_CHECKIN_P95_MS} | {'met' if met_p95 else 'missed'} |",
        f"| check-in max ms | {med('max'):.0f} | "
        + ", ".join(f"{s['max']:.0f}" for s in stats)
        + " | - | - |",
        "| slowest check-in with safety yes, ms | "
        f"{med('safety_max'):.0f} | "
        + ", ".join(f"{s['safety_max']:.0f}" for s in stats)
        + " | - | - |",
        f"| last acknowledgement, s after the window opened | {med('last_ack_s'):.2f} | "
        + ", ".join(f"{s['last_ack_s']:.2f}" for s in stats)
        + f" | <= {TARGET_LAST_ACK_S} | {'met' if met_ack else 'missed'} |",
        f"| acknowledged | {med('acknowledged'):.0f} of {GROUP} | "
        + ", ".join(f"{s['acknowledged']:.0f}" for s in stats)
        + f" | {GROUP} | {'met' if all(s['acknowledged'] == GROUP for s in stats) else 'missed'} |",
        f"| background requests per run | {bg('n'):.0f} | "
        + ", ".join(str(r.background["all background"]["n"]) for r in runs)
        + " | - | - |",
        f"| background p50 / p95 ms | {bg('p50'):.0f} / {bg('p95'):.0f} | "
        + ", ".join(f"{r.background['all background']['p95']:.0f}" for r in runs)
        + " (p95) | - | - |",
        f"| background errors, database is locked | {errors}, {locked} (all runs) | - | 0 | "
        f"{'met' if not errors and not locked else 'missed'} |",
        f"| database check (1 check-in per patient, {GROUP} submissions, {SAFETY_YES} "
        f"alerts) | {'passed' if not problems else 'FAILED'} | - | no loss, no doubles | "
        f"{'met' if not problems else 'missed'} |",
        "",
        "Load average (1 min) per run, at start -> group start -> group end -> end: "
        + "; ".join(r.load for r in runs),
        "",
        "The server's own time per request (gunicorn's access log; no wait in the "
        "client), ms, per run: "
        + "; ".join(
            ", ".join(
                f"{k} p50 {v['p50']:.0f} p95 {v['p95']:.0f} max {v['max']:.0f}"
                for k, v in r.server.items()
                if isinstance(v, dict)
            )
            for r in runs
        ),
        "",
        "Background per page as the client measured it (median of runs), ms:",
        "",
        "| page | requests/run | p50 | p95 | max |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(k for k in runs[0].background if ":" in k):
        rows = [r.background[name] for r in runs if name in r.background]
        m = {k: statistics.median(x[k] for x in rows) for k in ("n", "p50", "p95", "max")}
        lines.append(
            f"| {name} | {m['n']:.0f} | {m['p50']:.0f} | {m['p95']:.0f} | {m['max']:.0f} |"
        )
    if problems:
        lines += ["", "Problems:", *[f"- {p}" for p in problems]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seconds", type=float, default=25, help="background per run")
    parser.add_argument("--warmup", type=float, default=5, help="background before the group")
    parser.add_argument("--pace", type=float, default=3.5, help="seconds between a user's requests")
    parser.add_argument("--light", action="store_true", help="patients without intake and plan")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server URL; the bench makes (and leaves) a new database on it",
    )
    args = parser.parse_args()
    if args.runs * GROUP > 180:
        raise SystemExit("at most 6 runs: each takes 30 patients who have not checked in")
    env, data_dir = app_env("tandem-bench-portal-", args.database_url)
    # The server's own time per request (ms) in its access log: what the client measures
    # also holds the wait for a core in this 200-thread client process.
    env.setdefault("GUNICORN_CMD_ARGS", '--access-logformat "%(r)s %(s)s %(M)s"')
    log = Path(data_dir) / "server.log"
    print(f"load average before seeding: {Path('/proc/loadavg').read_text().strip()}")
    started = time.perf_counter()
    seeded = seed(180, args.light)
    seed_s = time.perf_counter() - started
    print(f"seeded in {seed_s:.0f} s ({data_dir})", file=sys.stderr)
    server = serve(args.port, args.workers, env, log)
    rng = random.Random(args.seed)
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            patients = list(
                pool.map(
                    lambda p: (p[0], sign_in(args.port, p[1], PASSWORD, "/me/sign-in")),
                    seeded.patients,
                )
            )
            clinicians = list(
                pool.map(lambda c: (sign_in(args.port, c[0]), c[1]), seeded.clinicians)
            )
        sign_in_s = time.perf_counter() - started
        print(f"205 sign-ins in {sign_in_s:.0f} s", file=sys.stderr)
        runs = []
        for n in range(args.runs):
            group = patients[n * GROUP : (n + 1) * GROUP]
            background = patients[: n * GROUP] + patients[(n + 1) * GROUP :]
            seen = log.stat().st_size
            result = one_run(args, args.port, group, background, clinicians, rng)
            result.server = server_times(log, seen)
            runs.append(result)
            print(f"run {n + 1}: {checkin_stats(result)} load {result.load}", file=sys.stderr)
            print(f"       background {result.background['all background']}", file=sys.stderr)
            for problem in result.problems:
                print(f"       PROBLEM {problem}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=20)
    report = render(args, seed_s, sign_in_s, runs)
    print(report)
    if args.out:
        args.out.write_text(report)


if __name__ == "__main__":
    main()
