"""Characters no database should be handed, and dates that are not dates (issue 13,
probe finding 2): refused at the edge with the field named, 400/422, never 500 and
never stored, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tandem.services import patients, referrals
from tandem.services.actors import Actor
from tandem.services.errors import ValidationFailed
from tandem.storage.models import Patient
from tests.integration.support import World, signed_in_client
from tests.integration.test_api import api, assert_error, post

pytestmark = pytest.mark.django_db
PATIENTS = "/api/v1/patients"


def _patient(**changes: Any) -> dict[str, Any]:
    return {"display_name": "Robin Vale", "date_of_birth": "1980-02-03", "sex": "female"} | changes


@pytest.mark.parametrize(
    "name", ["Robin\x00Vale", "Robin \ud800Vale"], ids=["nul", "lone-surrogate"]
)
def test_unstorable_characters_in_api_text_are_400_naming_the_field(
    world: World, name: str
) -> None:
    before = Patient.objects.count()
    response = post(api(world), PATIENTS, _patient(display_name=name))
    assert_error(response, 400, "invalid", "display_name")
    assert Patient.objects.count() == before


def test_a_nul_deep_in_a_plan_update_names_its_place(world: World) -> None:
    client = api(world)
    plan = client.get(f"/api/v1/patients/{world.a.patient.pk}/plan").json()
    items = [{**plan["interventions"][0], "reason": "weekly\x00"}, *plan["interventions"][1:]]
    update = {"expected_version": plan["version"], "interventions": items, "review_on": None}
    response = client.put(
        f"/api/v1/plans/{plan['id']}", json.dumps(update), content_type="application/json"
    )
    assert_error(response, 400, "invalid", "interventions.0.reason")
    assert client.get(f"/api/v1/plans/{plan['id']}").json()["version"] == plan["version"]


def test_a_nul_in_a_query_or_a_web_form_is_400(world: World) -> None:
    assert_error(api(world).get(PATIENTS, {"status": "active\x00"}), 400, "invalid", "status")
    response = Client().post("/accounts/login", {"username": "alex\x00", "password": "x"})
    assert response.status_code == 400
    assert b"username: NUL characters" in response.content


@pytest.mark.parametrize(
    "name",
    ["Robin\u202eelaV", "Robin\u2066Vale", "Robin\u200fVale", "Robin\tVale", "Robin\x1bVale"],
    ids=["rtl-override", "isolate", "rtl-mark", "tab", "escape"],
)
def test_control_characters_in_names_are_refused_naming_the_field(world: World, name: str) -> None:
    response = post(api(world), PATIENTS, _patient(display_name=name))
    assert_error(response, 422, "invalid", "display_name")
    with pytest.raises(ValidationFailed) as refused:  # the web form and CLI path too
        patients.register_patient(
            Actor(user=world.a.staff["intake"].user), **_patient(display_name=name)
        )
    assert refused.value.field == "display_name"


def test_names_from_other_scripts_are_accepted(world: World) -> None:
    for name in ("Zoë O'Brien-Łukasz", "مریم\u200cرضایی", "山田 太郎"):
        assert post(api(world), PATIENTS, _patient(display_name=name)).status_code == 201


def test_a_referral_contact_name_is_a_name_too(world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        referrals.submit_referral(
            organization_id=world.a.patient.organization_id,
            contact_name="Sam\u202e",
            phone="555 0100 200",
            email="",
            preferred_contact="phone",
            shared={},
            consent_text="yes",
            consented_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
            ip="127.0.0.1",
        )
    assert refused.value.field == "contact_name"


@pytest.mark.parametrize("value", [0, 19800101, "1980-02-03T00:00", "03/02/1980", True])
def test_a_date_of_birth_must_be_a_yyyy_mm_dd_string(world: World, value: Any) -> None:
    before = Patient.objects.count()
    response = post(api(world), PATIENTS, _patient(date_of_birth=value))
    error = assert_error(response, 422, "invalid", "date_of_birth")
    assert "YYYY-MM-DD" in error["message"]
    assert Patient.objects.count() == before


def test_plan_free_text_keeps_new_lines_but_not_overrides(world: World) -> None:
    client = api(world)
    plan = client.get(f"/api/v1/patients/{world.a.patient.pk}/plan").json()
    url = f"/api/v1/plans/{plan['id']}"
    for reason, status in (("line one\nline two", 200), ("evil \u202e text", 422)):
        current = client.get(url).json()
        items = [{**current["interventions"][0], "reason": reason}, *current["interventions"][1:]]
        body = {"expected_version": current["version"], "interventions": items, "review_on": None}
        response = client.put(url, json.dumps(body), content_type="application/json")
        assert response.status_code == status, response.content


def test_the_web_registration_form_shows_the_refusal(world: World) -> None:
    client = signed_in_client(world.a.staff["intake"], world)
    before = Patient.objects.count()
    response = client.post(
        "/clinic/patients/new",
        {"display_name": "Robin\u202eelaV", "date_of_birth": "1980-02-03", "sex": "female"},
    )
    assert response.status_code in (200, 400, 422)
    assert Patient.objects.count() == before
