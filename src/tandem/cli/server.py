"""Commands that need Django: ``tandem migrate``, ``serve``, ``demo``, ``token``, ``staff``,
``clinic``, ``patient``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click


def setup_django() -> None:
    """Configure Django from the environment; a bad setting stops with its message."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.web.settings")
    from tandem.web.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        click.echo(f"tandem: configuration error: {exc}", err=True)
        sys.exit(2)


@contextmanager
def service_refusals() -> Iterator[None]:
    """A service's refusal of bad input: its field-named message on stderr, exit 2."""
    from tandem.services.errors import ValidationFailed

    try:
        yield
    except ValidationFailed as exc:
        click.echo(f"tandem: {exc.message}", err=True)
        sys.exit(2)


def refuse_unsafe_database(*, needs_tables: bool = True) -> None:
    """Stop with one line: an unsafe database, or one with no tables yet."""
    from tandem.storage.checks import durability_problems

    problems = durability_problems()
    if problems:
        for problem in problems:
            click.echo(f"tandem: unsafe database: {problem}", err=True)
        sys.exit(2)
    if needs_tables:
        refuse_unmigrated_database()


def refuse_unmigrated_database() -> None:
    """A command run before ``tandem migrate`` (or against another folder's data) says
    what to do in one line instead of a "no such table" traceback."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        where = settings.DATABASES["default"].get("NAME", "")
        click.echo(
            f"tandem: the database ({where}) is not set up yet or is out of date: run "
            "`tandem migrate` first (with the same TANDEM_DATA_DIR or DATABASE_URL)",
            err=True,
        )
        sys.exit(2)


@click.command()
def migrate() -> None:
    """Create or update the database schema."""
    setup_django()
    from django.core.management import call_command

    refuse_unsafe_database(needs_tables=False)
    call_command("migrate", interactive=False, verbosity=1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--dev", is_flag=True, help="Use Django's development server (auto-reload).")
@click.option(
    "--with-worker",
    is_flag=True,
    help="Also run `tandem worker` and `tandem scheduler`, stopped when serving stops.",
)
def serve(host: str, port: int, workers: int, dev: bool, with_worker: bool) -> None:
    """Serve the app (gunicorn; Django's development server only with --dev)."""
    setup_django()
    refuse_unsafe_database()
    if not with_worker:
        _serve(host, port, workers, dev)
        return
    children = _start_task_processes()
    try:
        _serve(host, port, workers, dev)
    finally:
        _stop(children)


# The task processes run as the same `tandem` program, in their own processes: no
# thread in a web worker ever runs a job (ADR 0007).
TASK_PROCESSES = (("worker",), ("scheduler",))


def _start_task_processes() -> list[subprocess.Popen[bytes]]:
    program = [sys.executable, "-c", "from tandem.cli import main; main()"]
    # Our own program with fixed arguments: no input reaches the command line.
    children = [subprocess.Popen([*program, *args]) for args in TASK_PROCESSES]  # noqa: S603
    click.echo(
        "Tandem's worker and scheduler are running (pids "
        + ", ".join(str(c.pid) for c in children)
        + ")"
    )
    return children


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each child (a worker finishes the job in hand), then wait; kill after 30 s."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _serve(host: str, port: int, workers: int, dev: bool) -> None:
    if dev:
        from django.core.management import call_command

        call_command("runserver", f"{host}:{port}")
        return
    from django.conf import settings
    from gunicorn.app.wsgiapp import WSGIApplication

    if not settings.WHITENOISE_USE_FINDERS:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)

    sys.argv = [
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "tandem.web.wsgi:application",
    ]
    click.echo(f"Tandem is serving on http://{host}:{port}/")
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()


@click.command()
@click.option(
    "--reset", is_flag=True, help="Delete the demo's SQLite database and build the demo again."
)
def demo(reset: bool) -> None:
    """Load the demo clinics, staff and 12 synthetic patients (safe to run twice).

    Three of the patients get portal accounts (demo-patient-1 to 3) with 90 days of
    synthetic check-ins and weekly PHQ-9s ending on the day of the first run.

    Runs only with TANDEM_DEMO=true (``make run`` sets it): the demo accounts share one
    published password, which is safe only where sign-in is the demo's."""
    setup_django()
    from django.conf import settings

    if not settings.TANDEM_DEMO:
        click.echo(
            "tandem: demo refuses to run unless TANDEM_DEMO=true (its accounts share a "
            "published password)",
            err=True,
        )
        sys.exit(2)
    if reset:
        _reset_demo_database()
    refuse_unsafe_database()
    from tandem.services.demo import DEMO_PASSWORD, load_demo

    made = load_demo()
    click.echo(f"Demo clinic ready: {made['patients']} synthetic patients ({made['created']} new).")
    click.echo("Sign in at http://127.0.0.1:8000/accounts/login (after `tandem serve`) as:")
    for username in made["usernames"]:
        click.echo(f"  {username}")
    click.echo("Patients sign in to the portal at http://127.0.0.1:8000/me/ as:")
    for username in made["portal_usernames"]:
        click.echo(f"  {username}")
    click.echo(f"Demo password (every account): {DEMO_PASSWORD}")
    click.echo("Demo mode: no second factor. Outside demo mode staff enrol an authenticator")
    click.echo("at first sign-in with a one-time code from `tandem staff invite USERNAME`.")
    click.echo("An API token for a staff account: tandem token create demo-therapist")


def _reset_demo_database() -> None:
    """Start the demo again: only the demo's own SQLite file is removed, then migrated."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        click.echo("tandem: demo --reset works on a SQLite database only", err=True)
        sys.exit(2)
    connections.close_all()
    name = Path(str(database["NAME"]))
    for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
        path.unlink(missing_ok=True)
    refuse_unsafe_database(needs_tables=False)
    call_command("migrate", interactive=False, verbosity=0)
    click.echo(f"Demo database reset: {name}")


@click.group()
def token() -> None:
    """API tokens for staff accounts."""


@token.command("create")
@click.argument("username")
@click.option("--label", default="", help="A note to recognise the token by.")
@click.option(
    "--days",
    default=90,
    show_default=True,
    type=click.IntRange(1, 365),
    help="Days until the token expires.",
)
def create_token(username: str, label: str, days: int) -> None:
    """Create an API token for USERNAME and print it once (send it as Bearer)."""
    setup_django()
    refuse_unmigrated_database()
    from tandem.services.accounts import create_api_token_for

    with service_refusals():
        raw = create_api_token_for(username, label, days)
    click.echo(raw)


@token.command("revoke")
@click.argument("token_prefix_or_username")
def revoke_token(token_prefix_or_username: str) -> None:
    """Revoke a token (by its first characters, e.g. tdm_AbCd1234) or all of a user's."""
    setup_django()
    refuse_unmigrated_database()
    from tandem.services.accounts import revoke_api_tokens

    with service_refusals():
        count = revoke_api_tokens(token_prefix_or_username)
    if count == 0:
        click.echo("tandem: no live token matches", err=True)
        sys.exit(2)
    click.echo(f"revoked {count} token{'s' if count != 1 else ''}")


@click.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("create")
@click.argument("username")
@click.option("--clinic", "clinic_slug", required=True, help="the clinic's slug")
@click.option(
    "--role",
    required=True,
    type=click.Choice(
        ["intake", "therapist", "prescriber", "peer_specialist", "director", "admin"]
    ),
)
@click.option("--name", "display_name", default="", help="name shown to colleagues")
@click.password_option(help="asked for when not given (never put it in shell history)")
def create_staff(
    username: str, clinic_slug: str, role: str, display_name: str, password: str
) -> None:
    """Create a staff account in a clinic; then give them `tandem staff invite` code."""
    setup_django()
    refuse_unmigrated_database()
    from tandem.services.accounts import register_staff

    with service_refusals():
        register_staff(
            clinic_slug=clinic_slug,
            username=username,
            role=role,
            password=password,
            display_name=display_name,
        )
    click.echo(f"created {username} ({role}) in {clinic_slug}")
    click.echo(f"Next: tandem staff invite {username}  (the one-time code to enrol MFA)")


@click.group()
def clinic() -> None:
    """Clinics (organizations) and the levels of care they offer."""


@clinic.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="the clinic's name")
@click.option(
    "--levels",
    default="iop,php",
    show_default=True,
    help="levels offered, comma-separated: outpatient, iop, php, residential",
)
@click.option(
    "--time-zone",
    default=None,
    help="the clinic's IANA time zone, e.g. America/Phoenix (default: TANDEM_TIME_ZONE, or UTC)",
)
def create_clinic(slug: str, name: str, levels: str, time_zone: str | None) -> None:
    """Create a clinic with the levels of care it offers and its time zone."""
    setup_django()
    refuse_unmigrated_database()
    from tandem.services.accounts import register_clinic

    with service_refusals():
        register_clinic(
            slug=slug,
            name=name,
            levels_offered=[x.strip() for x in levels.split(",") if x],
            time_zone=time_zone,
        )
    click.echo(f"created clinic {slug}")


@staff.command("invite")
@click.argument("username")
def invite(username: str) -> None:
    """Print a one-time code with which USERNAME enrols an authenticator (72 hours)."""
    setup_django()
    refuse_unmigrated_database()
    from tandem.services.accounts import invite_staff

    with service_refusals():
        raw = invite_staff(username)
    click.echo(raw)
    click.echo("Give this code to the person in person or by phone; it works once, 72 hours.")


@click.group()
def patient() -> None:
    """Patients' portal accounts."""


@patient.command("invite")
@click.argument("patient_id", type=click.IntRange(1))
def invite_patient(patient_id: int) -> None:
    """Print a one-use code with which patient PATIENT_ID (the record number) enrols in
    the patient portal, or sets a new password (72 hours; a new code ends older ones)."""
    setup_django()
    refuse_unmigrated_database()
    from django.conf import settings

    from tandem.services.portal_accounts import invite as invite_to_portal

    with service_refusals():
        _account, raw, expires = invite_to_portal(None, patient_id)
    click.echo(raw)
    click.echo(f"Expires: {expires.isoformat(timespec='minutes')}")
    click.echo(f"The patient types it at {settings.CONFIG.base_url}/me/enrol")
    click.echo("Give it to the patient in person or by phone; it works once.")
