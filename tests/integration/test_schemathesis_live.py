"""schemathesis against a running server (gunicorn on 127.0.0.1, a throwaway database:
SQLite, or PostgreSQL when DATABASE_URL is PostgreSQL): every operation of
/api/v1/openapi.json with generated bodies, paths, queries and headers, strings that
include NUL and other control characters, valid and invalid inputs: 0 responses of 5xx.
The staff token runs every operation; the patient token runs /me/ (issue 10).
Bounded: a few examples per operation (about 30 s)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.integration.live import BIN, LiveServer, live_server

EXAMPLES = 15  # per operation and phase; raise locally for a longer run


def test_generated_requests_with_nul_and_control_characters_get_no_5xx() -> None:
    with live_server() as server:
        # The edge, deterministically: NUL and a control character in free text are
        # refused with the field named, on both databases (probe finding 2).
        for bad in ("Name\x00with NUL", "Name\x07bell", "Name\u202eoverride"):
            status, body = server.request(
                "POST",
                "/api/v1/patients",
                {"display_name": bad, "date_of_birth": "1990-01-01", "sex": "female"},
            )
            assert status in (400, 422), (status, body[:200])
            assert json.loads(body)["error"]["field"] == "display_name"
        staff = _schemathesis(server, server.token)
        # The patient's own endpoints, with the patient's token (issue 10).
        patient = _schemathesis(
            server, server.extra["patient_token"], "--include-path-regex", "^/api/v1/me/"
        )
        # Still serving (a crash would also show up as connection errors above).
        assert server.request("GET", "/healthz")[0] == 200
    for run, report in (staff, patient):
        summary = run.stdout[-3000:]
        assert run.returncode == 0, summary
        assert "Server error" not in run.stdout, summary
        assert "<testcase" in report.read_text()  # it did test operations
        print(summary, file=sys.stderr)


def _schemathesis(
    server: LiveServer, token: str, *options: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One schemathesis run with ``token``; its result and its JUnit report."""
    scratch = Path(tempfile.mkdtemp(prefix="tandem-st-"))  # its cache and report
    report = scratch / "junit.xml"
    run = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            f"http://127.0.0.1:{server.port}/api/v1/openapi.json",
            *options,
            "--checks",
            "not_a_server_error",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            "13",
            "--generation-allow-x00",
            "true",
            "--generation-codec",
            "utf-8",
            "--generation-database",
            "none",
            "--request-timeout",
            "20",
            "--no-shrink",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
        ],
        env={**server.env, "SCHEMATHESIS_TELEMETRY": "false"},
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=110,
    )
    return run, report
