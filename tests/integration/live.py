"""A real server for the CI harnesses: ``tandem serve`` (gunicorn) on 127.0.0.1 over a
throwaway database of its own — a new SQLite folder, or, when DATABASE_URL is PostgreSQL,
a new database on that server (dropped afterwards). Seeded with one clinic, one therapist
with an API token and one patient on the therapist's care team, enrolled in the portal
with a patient token of their own (``extra["patient_token"]``; synthetic names only)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]

SEED = """
import json
from tandem.cli.server import setup_django
setup_django()
from tandem.services import accounts
from tandem.services.actors import Actor
from tandem.services.patients import register_patient, set_care_team
org = accounts.ensure_organization(slug="live", name="Live", levels_offered=["iop", "php"])
staff = accounts.ensure_staff(organization=org, username="live-therapist", role="therapist",
                              password=None)
director = accounts.ensure_staff(organization=org, username="live-director", role="director",
                                 password=None)
patient = register_patient(Actor(user=director.user), display_name="Live Synthetic",
                           date_of_birth="1990-05-05", sex="female")
set_care_team(Actor(user=director.user), patient.pk, [staff.pk])
from tandem.services import portal_accounts
_, code, _ = portal_accounts.invite(Actor(user=staff.user), patient.pk)
portal_user = portal_accounts.enrol(code, username="live-patient", password="a long pass phrase 42")
me = portal_accounts.patient_actor(portal_user)
print(json.dumps({"token": accounts.create_api_token(Actor(user=staff.user)),
                  "patient": patient.pk,
                  "patient_token": portal_accounts.create_patient_api_token(me)}))
"""


@dataclass
class LiveServer:
    env: dict[str, str]
    token: str
    patient: int
    port: int = 0
    process: subprocess.Popen | None = None
    starts: int = 0
    extra: dict = field(default_factory=dict)

    def start(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(BIN / "tandem"), "serve", "--port", str(self.port), "--workers", "2"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill takes master and workers
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    self.starts += 1
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        """SIGKILL the whole server (gunicorn master and workers) at once."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            self.process = None

    def request(self, method: str, path: str, body: object = None, **headers: str) -> tuple:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            data = None if body is None else json.dumps(body)
            conn.request(
                method,
                path,
                data,
                {
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                    **headers,
                },
            )
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_database() -> Iterator[dict[str, str]]:
    """Environment for a server on a database nobody else uses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.pop("DATABASE_URL", None)
    data_dir = tempfile.mkdtemp(prefix="tandem-live-")
    env.update(
        TANDEM_DATA_DIR=data_dir,
        TANDEM_ENV="test",
        TANDEM_LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="tandem.web.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])),
    )
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield env
        return
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'tandem'}_live_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def live_server() -> Iterator[LiveServer]:
    with throwaway_database() as env:
        subprocess.run([str(BIN / "tandem"), "migrate"], env=env, check=True, capture_output=True)
        seeded = subprocess.run(
            [sys.executable, "-c", SEED], env=env, check=True, capture_output=True, text=True
        )
        made = json.loads(seeded.stdout.strip().splitlines()[-1])
        server = LiveServer(
            env=env,
            token=made["token"],
            patient=made["patient"],
            extra={"patient_token": made["patient_token"]},
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()
