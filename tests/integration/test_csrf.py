"""CSRF protection on the main POST flows, with the test client's CSRF checks switched on
(Django's test client skips them by default, so the other tests cannot show this).

For each flow: a POST without the token is refused (403) and changes nothing; the same
POST with the token from the page works.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tandem.storage.models import InstrumentAdministration, Organization, Referral
from tests.integration.support import PASSWORD, World, build_world, signed_in_client
from tests.integration.test_selfcheck import LOW_PHQ9, walk_to_overdose

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world(referrals=True)


def _token(client: Client, page: str) -> str:
    """Open a page with a form; the CSRF cookie it sets is the token to send back."""
    assert client.get(page).status_code == 200
    return str(client.cookies["csrftoken"].value)


def _checked(**extra: Any) -> Client:
    return Client(enforce_csrf_checks=True, **extra)


def test_sign_in_needs_the_csrf_token(world: World) -> None:
    from tandem.services import accounts

    org = world.a.staff["intake"].organization
    accounts.ensure_staff(
        organization=org, username="csrf-user", role="therapist", password=PASSWORD
    )
    form = {"username": "csrf-user", "password": PASSWORD}
    client = _checked()
    assert client.post("/accounts/login", form).status_code == 403
    assert "_auth_user_id" not in client.session
    token = _token(client, "/accounts/login")
    response = client.post("/accounts/login", {**form, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa"


def test_recording_an_instrument_needs_the_csrf_token(world: World) -> None:
    client = signed_in_client(world.a.staff["therapist"], world, enforce_csrf_checks=True)
    client.defaults.pop("HTTP_AUTHORIZATION", None)  # the page flow: session cookie only
    url = f"/clinic/patients/{world.a.patient.pk}/intake/instruments/phq9"
    items = {f"item_{n}": "0" for n in range(1, 10)}
    before = InstrumentAdministration.objects.count()
    assert client.post(url, items).status_code == 403
    assert InstrumentAdministration.objects.count() == before
    token = _token(client, url)
    response = client.post(url, {**items, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302), response.content[:300]
    assert InstrumentAdministration.objects.count() == before + 1


def test_changing_a_referral_needs_the_csrf_token(world: World) -> None:
    client = signed_in_client(world.a.staff["intake"], world, enforce_csrf_checks=True)
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    referral = world.a.referral
    assert referral is not None
    url = f"/clinic/referrals/{referral.pk}/status"
    assert client.post(url, {"status": "contacted"}).status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == "new"
    token = _token(client, "/clinic/referrals")
    response = client.post(url, {"status": "contacted", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "contacted"


def test_signing_out_needs_the_csrf_token(world: World) -> None:
    client = signed_in_client(world.a.staff["therapist"], world, enforce_csrf_checks=True)
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    assert client.post("/accounts/logout").status_code == 403
    assert "_auth_user_id" in client.session
    token = _token(client, "/clinic/")
    assert client.post("/accounts/logout", {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_self_check_needs_the_csrf_token() -> None:
    Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=[])
    plain = Client()  # walk the steps without checks, then send the last form with them
    answers = walk_to_overdose(plain, LOW_PHQ9)
    client = _checked()
    assert client.post("/check/safety", {"answers": answers}).status_code == 403
    token = _token(client, "/check/about")
    response = client.post("/check/safety", {"answers": answers, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert Referral.objects.count() == 0
