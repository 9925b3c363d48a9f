"""Sign-in, second factor, throttling, session time-outs and production headers
(SECURITY.md "Access and identity")."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.cli import main
from tandem.services import accounts
from tandem.services.actors import Actor
from tandem.services.clock import FixedClock, use_clock
from tandem.services.errors import Forbidden, NotFound
from tandem.storage.models import AuditEvent, EnrolmentCode, StaffMember
from tandem.web.accounts.views import FAILED
from tests.integration.support import PASSWORD, World, sign_in, signed_in_client

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login"


@pytest.fixture
def staff() -> StaffMember:
    org = accounts.ensure_organization(slug="signin", name="Sign-in", levels_offered=["iop"])
    return accounts.ensure_staff(
        organization=org, username="alex", role="therapist", password=PASSWORD
    )


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _login(client: Client, username: str, password: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password})


def test_password_alone_does_not_sign_in_outside_demo_mode(staff: StaffMember) -> None:
    client = Client()
    response = _login(client, "alex", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa"
    assert not _signed_in(client)


def _enrol(client: Client, username: str = "alex") -> object:
    """Spend an operator-issued enrolment code (``tandem staff invite``) in this session."""
    made = CliRunner().invoke(main, ["staff", "invite", username])
    assert made.exit_code == 0, made.output
    code = made.output.splitlines()[0].strip()
    response = client.post("/accounts/mfa", {"enrolment_code": code})
    assert response.status_code == 302, response.content[:300]
    return code


def test_password_alone_cannot_enrol_an_authenticator(staff: StaffMember) -> None:
    """Review defect 3: without a confirmed device, the password must not be enough to
    bind a new authenticator (and so take the account over)."""
    client = Client()
    _login(client, "alex", PASSWORD)
    page = client.get("/accounts/mfa")
    assert page.status_code == 200
    assert b"<svg" not in page.content
    assert b"enrolment code" in page.content.lower()
    assert not TOTPDevice.objects.filter(user=staff.user).exists()  # no secret made
    guessed = client.post("/accounts/mfa", {"enrolment_code": "AAAAA-BBBBB-CCCCC-DDDDD"})
    assert guessed.status_code == 400
    assert b"<svg" not in guessed.content
    assert client.post("/accounts/mfa", {"code": "123456"}).status_code == 400
    assert not TOTPDevice.objects.filter(user=staff.user).exists()
    assert not _signed_in(client)


def test_an_enrolment_code_works_once_and_for_72_hours(staff: StaffMember) -> None:
    first = accounts.issue_enrolment_code(None, staff.pk)
    assert accounts.redeem_enrolment_code(staff.user, first.lower())
    assert not accounts.redeem_enrolment_code(staff.user, first)  # spent
    clock = FixedClock(dt.datetime.now(dt.UTC))
    with use_clock(clock):
        late = accounts.issue_enrolment_code(None, staff.pk)
        clock.advance(hours=72, seconds=1)
        assert not accounts.redeem_enrolment_code(staff.user, late)
    old = accounts.issue_enrolment_code(None, staff.pk)
    accounts.issue_enrolment_code(None, staff.pk)  # a new code replaces the old one
    assert not accounts.redeem_enrolment_code(staff.user, old)
    stored = EnrolmentCode.objects.values_list("digest", flat=True)
    assert all(first not in d and old not in d for d in stored)  # only hashes kept


def test_enrolment_codes_are_issued_by_an_admin_of_the_same_clinic(world: World) -> None:
    target = world.a.staff["therapist"]
    code = accounts.issue_enrolment_code(Actor(world.a.staff["admin"].user), target.pk)
    assert accounts.redeem_enrolment_code(target.user, code)
    with pytest.raises(Forbidden):
        accounts.issue_enrolment_code(Actor(world.a.staff["director"].user), target.pk)
    with pytest.raises(NotFound):
        accounts.issue_enrolment_code(Actor(world.b.staff["admin"].user), target.pk)
    unknown = CliRunner().invoke(main, ["staff", "invite", "nobody"])
    assert unknown.exit_code == 2


def test_an_admin_issues_an_enrolment_code_on_a_page(world: World) -> None:
    target = world.a.staff["therapist"]
    url = f"/accounts/staff/{target.pk}/enrolment-code"
    admin = signed_in_client(world.a.staff["admin"])
    assert admin.get(url).status_code == 200
    page = admin.post(url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    code = re.search(rb'class="enrolment-code">([^<]+)<', page.content)
    assert code is not None
    assert accounts.redeem_enrolment_code(target.user, code.group(1).decode())
    for other in (world.a.staff["director"], world.b.staff["admin"]):
        assert signed_in_client(other).post(url).status_code == 404
    assert EnrolmentCode.objects.filter(staff=target).count() == 1


def test_enrolment_shows_an_svg_code_and_a_valid_code_signs_in(staff: StaffMember) -> None:
    client = Client()
    _login(client, "alex", PASSWORD)
    _enrol(client)
    page = client.get("/accounts/mfa")
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert re.search(rb"<script(?![^>]*\bsrc=)", page.content) is None  # no inline script
    device = TOTPDevice.objects.get(user=staff.user)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret.encode() in page.content  # for people who cannot scan
    response = client.post("/accounts/mfa", {"code": _code(device)})
    assert response.status_code == 302
    assert _signed_in(client)
    device.refresh_from_db()
    assert device.confirmed


def test_every_accounts_page_is_never_cached(staff: StaffMember) -> None:
    """Review defect 12: the enrolment page shows a TOTP secret before sign-in."""
    client = Client()
    assert client.get(LOGIN)["Cache-Control"] == "no-store"
    assert _login(client, "alex", "wrong")["Cache-Control"] == "no-store"
    _login(client, "alex", PASSWORD)
    assert client.get("/accounts/mfa")["Cache-Control"] == "no-store"
    _enrol(client)
    page = client.get("/accounts/mfa")
    assert b"<svg" in page.content
    assert page["Cache-Control"] == "no-store"


def test_a_failed_sign_in_records_the_name_tried_never_the_password(
    staff: StaffMember,
) -> None:
    _login(Client(), "alex", "not-the-password-9")
    event = AuditEvent.objects.filter(action="login").order_by("-seq").first()
    assert event is not None
    assert (event.actor, event.record_id, event.outcome) == ("anonymous", "alex", "denied")
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert not any("not-the-password-9" in str(value) for value in row.values())


def test_a_code_works_only_once(staff: StaffMember) -> None:
    client = Client()
    _login(client, "alex", PASSWORD)
    _enrol(client)
    client.get("/accounts/mfa")
    device = TOTPDevice.objects.get(user=staff.user)
    code = _code(device)
    assert client.post("/accounts/mfa", {"code": code}).status_code == 302
    client.post("/accounts/logout")
    assert not _signed_in(client)
    _login(client, "alex", PASSWORD)
    replay = client.post("/accounts/mfa", {"code": code})
    assert replay.status_code == 400
    assert not _signed_in(client)


def test_a_wrong_code_does_not_sign_in(staff: StaffMember) -> None:
    client = Client()
    _login(client, "alex", PASSWORD)
    _enrol(client)
    client.get("/accounts/mfa")
    device = TOTPDevice.objects.get(user=staff.user)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    assert client.post("/accounts/mfa", {"code": wrong}).status_code == 400
    assert not _signed_in(client)


@override_settings(TANDEM_DEMO=True)
def test_demo_mode_signs_in_with_the_password(staff: StaffMember) -> None:
    client = Client()
    response = client.post(LOGIN + "?next=/clinic/", {"username": "alex", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/clinic/"
    assert _signed_in(client)


def test_a_session_without_a_second_factor_is_ended(staff: StaffMember) -> None:
    client = Client()
    client.force_login(staff.user)
    response = client.get("/")
    assert response.status_code == 302
    assert not _signed_in(client)


def _without_tokens(content: bytes, username: str) -> bytes:
    """The page minus what legitimately differs: CSRF tokens and the echoed name."""
    content = content.replace(username.encode(), b"NAME")
    return re.sub(rb'value="[^"]{20,}"', b'value=""', content)


@override_settings(TANDEM_DEMO=True)
def test_login_is_throttled_after_five_failures_alike_for_unknown_names(
    staff: StaffMember,
) -> None:
    client = Client()
    known = [_login(client, "alex", "wrong password") for _ in range(5)]
    unknown = [_login(client, "nobody-here", "wrong password") for _ in range(5)]
    assert {r.status_code for r in known + unknown} == {400}
    assert FAILED.encode() in known[0].content
    assert _without_tokens(known[0].content, "alex") == _without_tokens(
        unknown[0].content, "nobody-here"
    )
    locked = _login(client, "alex", PASSWORD)  # the right password, but locked
    locked_unknown = _login(client, "nobody-here", PASSWORD)
    assert locked.status_code == locked_unknown.status_code == 400
    assert _without_tokens(locked.content, "alex") == _without_tokens(
        locked_unknown.content, "nobody-here"
    )
    assert not _signed_in(client)


@override_settings(TANDEM_DEMO=True)
def test_the_lock_lifts_after_fifteen_minutes(staff: StaffMember) -> None:
    clock = FixedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    with use_clock(clock):
        client = Client()
        for _ in range(5):
            _login(client, "alex", "wrong password")
        assert _login(client, "alex", PASSWORD).status_code == 400
        clock.advance(minutes=16)
        assert _login(client, "alex", PASSWORD).status_code == 302
        assert _signed_in(client)


def test_idle_time_out_after_fifteen_minutes(world: World) -> None:
    clock = FixedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    with use_clock(clock):
        client = sign_in(Client(), world.a.staff["therapist"])
        client.get("/")
        clock.advance(minutes=14)
        client.get("/")
        assert _signed_in(client)
        clock.advance(minutes=15, seconds=1)
        response = client.get("/")
        assert response.status_code == 302
        assert "ended=1" in response["Location"]
        assert not _signed_in(client)


def test_the_idle_time_out_counts_from_the_last_request_to_the_second(world: World) -> None:
    """Probe finding 4: with a one-minute limit an active user was signed out at 60 s,
    because the last request was stored at most once a minute."""
    one_minute = dataclasses.replace(settings.CONFIG, idle_timeout_minutes=1)
    clock = FixedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    with override_settings(CONFIG=one_minute), use_clock(clock):
        client = sign_in(Client(), world.a.staff["therapist"])
        for _ in range(6):  # a request every 59 s for almost 6 minutes
            clock.advance(seconds=59)
            assert client.get("/").status_code == 200
            assert _signed_in(client)
        clock.advance(seconds=60)
        client.get("/")
        assert _signed_in(client)
        clock.advance(seconds=61)
        client.get("/")
        assert not _signed_in(client)


def test_absolute_time_out_after_twelve_hours(world: World) -> None:
    clock = FixedClock(dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC))
    with use_clock(clock):
        client = sign_in(Client(), world.a.staff["therapist"])
        client.get("/")
        for _ in range(71):  # active every 10 minutes: 11 h 50 min
            clock.advance(minutes=10)
            client.get("/")
        assert _signed_in(client)
        clock.advance(minutes=10, seconds=1)
        client.get("/")
        assert not _signed_in(client)


def test_api_session_end_answers_in_the_error_shape(world: World) -> None:
    clock = FixedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    with use_clock(clock):
        client = sign_in(Client(), world.a.staff["therapist"])
        client.get("/")
        clock.advance(minutes=31)
        response = client.get("/api/v1/patients")
        assert response.status_code == 401
        assert set(response.json()["error"]) == {"code", "message", "field"}
        # It was the session policy that answered (the client has a session cookie and no
        # token); token expiry and revocation without any cookie: tests/integration/test_api.py.
        assert response.json()["error"]["message"] == "session ended"


def test_passwords_use_pbkdf2_with_at_least_a_million_iterations(staff: StaffMember) -> None:
    hasher = get_hasher("default")
    assert hasher.algorithm == "pbkdf2_sha256"
    assert hasher.iterations >= 1_000_000
    algorithm, iterations, _salt, _hash = staff.user.password.split("$")
    assert algorithm == "pbkdf2_sha256"
    assert int(iterations) >= 1_000_000


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
page = c.get("/accounts/login", secure=True)
plain = c.get("/accounts/login")
print(json.dumps({
    "status": page.status_code,
    "headers": dict(page.headers),
    "csrf_cookie_secure": bool(page.cookies["csrftoken"]["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
}))
"""


def test_production_response_headers(tmp_path: object) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("TANDEM_") and k != "DATABASE_URL"
    }
    env.update(
        TANDEM_ENV="production",
        TANDEM_SECRET_KEY="s" * 64,
        TANDEM_AUDIT_KEY="a" * 40,
        TANDEM_DATA_DIR=str(tmp_path),
        TANDEM_AUDIT_HEAD_FILE=str(tmp_path) + "/audit-head.log",
        TANDEM_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="tandem.web.settings",
    )
    out = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    headers = probe["headers"]
    assert probe["status"] == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    csp = headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src.group(1)
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert probe["csrf_cookie_secure"] is True
    assert probe["session_cookie_secure"] is True
    assert probe["session_cookie_httponly"] is True
    assert probe["plain_status"] == 301
    assert probe["plain_location"].startswith("https://")
