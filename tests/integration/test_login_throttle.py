"""Sign-in throttling per account-and-address and per address (issue 13, probe
finding 3), and what a failed sign-in leaves in the audit log (finding 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client, override_settings

from tandem.services import accounts
from tandem.services.clock import FixedClock, use_clock
from tandem.storage.models import AuditEvent, StaffMember
from tests.integration.support import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login"


class CountingHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 hasher (cheap here), counting each hash it computes."""

    iterations = 1000
    calls: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        CountingHasher.calls.append("hash")
        return super().encode(password, salt, iterations)


@pytest.fixture
def staff() -> StaffMember:
    org = accounts.ensure_organization(slug="signin", name="Sign-in", levels_offered=["iop"])
    return accounts.ensure_staff(
        organization=org, username="alex", role="therapist", password=PASSWORD
    )


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


@override_settings(TANDEM_DEMO=True)
def test_a_stranger_cannot_lock_a_known_account_out(staff: StaffMember) -> None:
    stranger = _from("203.0.113.9")
    for _ in range(6):
        assert _login(stranger, "alex", "wrong password").status_code == 400
    # The stranger's own attempts are locked, even with the right password...
    assert _login(stranger, "alex", PASSWORD).status_code == 400
    # ...but the account's owner, from their own address, signs in.
    assert _login(_from("198.51.100.4"), "alex", PASSWORD).status_code == 302


@override_settings(
    TANDEM_DEMO=True,
    PASSWORD_HASHERS=["tests.integration.test_login_throttle.CountingHasher"],
)
def test_one_address_spraying_names_is_stopped_before_any_password_is_hashed(
    staff: StaffMember,
) -> None:
    sprayer = _from("203.0.113.7")
    clock = FixedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    with use_clock(clock):
        for n in range(accounts.CLIENT_MAX_FAILURES):
            assert _login(sprayer, f"random-{n}", "guess").status_code == 400
        CountingHasher.calls.clear()
        for n in range(5):
            refused = _login(sprayer, f"other-{n}", "guess")
            assert refused.status_code == 400
        refused = _login(sprayer, "alex", PASSWORD)  # even the right password
        assert refused.status_code == 400
        assert CountingHasher.calls == []  # refused before PBKDF2 ran
        # Another address is not affected; the sprayer's lock lifts after 15 minutes.
        assert _login(_from("198.51.100.4"), "alex", PASSWORD).status_code == 302
        clock.advance(minutes=16)
        assert _login(sprayer, "alex", PASSWORD).status_code == 302


@override_settings(TANDEM_DEMO=True)
def test_failures_from_long_ago_do_not_add_up(staff: StaffMember) -> None:
    client = _from("203.0.113.5")
    clock = FixedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    with use_clock(clock):
        for _ in range(4):
            _login(client, "alex", "wrong password")
        clock.advance(minutes=20)
        for _ in range(4):
            _login(client, "alex", "wrong password")
        assert _login(client, "alex", PASSWORD).status_code == 302


def test_a_failed_sign_in_records_the_name_only_when_it_is_an_account(
    staff: StaffMember,
) -> None:
    client = _from("203.0.113.3")
    _login(client, "alex", "wrong password")
    _login(client, "MySecretPassw0rd!", "x")  # a password typed into the name field
    known, unknown = AuditEvent.objects.filter(action="login").order_by("seq")
    assert (known.record_id, known.outcome) == ("alex", "denied")
    assert (unknown.record_id, unknown.outcome) == ("", "denied")
    assert unknown.ip == "203.0.113.3"
    stored = list(AuditEvent.objects.values_list("record_id", "actor", "patient_ids"))
    assert not any("MySecretPassw0rd" in str(row) for row in stored)
