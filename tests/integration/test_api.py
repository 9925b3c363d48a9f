"""The JSON API: one error shape (pinned), idempotent submissions, 409 on a stale plan,
OpenAPI served, validation errors that name the field and the allowed values."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.test import Client

from tandem.cli import main
from tandem.services import accounts
from tandem.services.clock import FixedClock, use_clock
from tandem.storage.models import ApiToken, InstrumentAdministration
from tests.integration.support import World

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "field"}


def api(world: World, role: str = "therapist", clinic: str = "a") -> Client:
    staff = getattr(world, clinic).staff[role]
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[staff.pk]}")


def post(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["code"] == code
    if field is not None:
        assert body["error"]["field"] == field
    return body["error"]


def test_the_error_shape_is_the_same_everywhere(world: World) -> None:
    client = api(world)
    patient = world.a.patient.pk
    assert_error(Client().get("/api/v1/patients"), 401, "unauthenticated")
    assert_error(
        Client(HTTP_AUTHORIZATION="Bearer tdm_not-a-token").get("/api/v1/patients"),
        401,
        "unauthenticated",
    )
    assert_error(client.get("/api/v1/patients/987654321"), 404, "not_found")
    assert_error(client.get(f"/api/v1/patients/{world.b.patient.pk}"), 404, "not_found")
    assert_error(client.get("/api/v1/patients/not-a-number"), 422, "invalid", "patient_id")
    bad_json = client.post(
        f"/api/v1/patients/{patient}/administrations", "{", content_type="application/json"
    )
    assert bad_json.status_code in (400, 422)
    assert set(bad_json.json()["error"]) == ERROR_KEYS


def test_validation_errors_name_the_field_and_the_allowed_values(world: World) -> None:
    client = api(world)
    url = f"/api/v1/patients/{world.a.patient.pk}/administrations"
    error = assert_error(
        post(client, url, {"instrument_id": "phq10", "answers": [0]}), 422, "invalid"
    )
    assert error["field"] == "instrument_id"
    assert "phq9" in error["message"]
    answers = assert_error(
        post(client, url, {"instrument_id": "phq9", "answers": [0]}), 422, "invalid"
    )
    assert answers["field"] == "answers"  # a wrong count names the whole list
    item = assert_error(
        post(client, url, {"instrument_id": "phq9", "answers": [0, 0, 7, 0, 0, 0, 0, 0, 0]}),
        422,
        "invalid",
    )
    assert item["field"] == "answers[2]"  # a bad answer names its index (item 3)
    assert "item 3: 7 is not one of 0, 1, 2, 3" in item["message"]
    missing = assert_error(post(client, url, {"answers": [0]}), 422, "invalid")
    assert missing["field"] == "instrument_id"
    sex = assert_error(
        post(
            client,
            "/api/v1/patients",
            {"display_name": "New", "date_of_birth": "1990-01-01", "sex": "robot"},
        ),
        422,
        "invalid",
        "sex",
    )
    assert "'female'" in sex["message"]
    assert "'male'" in sex["message"]


def test_a_retried_submission_returns_the_first_result_and_one_row(world: World) -> None:
    client = api(world)
    url = f"/api/v1/patients/{world.a.patient.pk}/administrations"
    body = {"instrument_id": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 0]}
    before = InstrumentAdministration.objects.count()
    first = post(client, url, body, HTTP_IDEMPOTENCY_KEY="retry-1")
    second = post(client, url, body, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 201
    assert second.status_code == 201
    assert first.json() == second.json()
    assert first.json()["result"]["total"] == 8
    assert InstrumentAdministration.objects.count() == before + 1
    reused = post(client, url, {**body, "answers": [0] * 9}, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert_error(reused, 409, "conflict", "Idempotency-Key")
    assert InstrumentAdministration.objects.count() == before + 1


def test_without_a_key_each_submission_is_new(world: World) -> None:
    client = api(world)
    url = f"/api/v1/patients/{world.a.patient.pk}/administrations"
    body = {"instrument_id": "phq9", "answers": [0] * 9}
    before = InstrumentAdministration.objects.count()
    post(client, url, body)
    post(client, url, body)
    assert InstrumentAdministration.objects.count() == before + 2


def test_a_stale_plan_update_gets_409(world: World) -> None:
    client = api(world)
    plan = client.get(f"/api/v1/patients/{world.a.patient.pk}/plan").json()
    update = {
        "expected_version": plan["version"],
        "interventions": plan["interventions"],
        "review_on": None,
    }
    url = f"/api/v1/plans/{plan['id']}"
    first = client.put(url, json.dumps(update), content_type="application/json")
    assert first.status_code == 200
    assert first.json()["version"] == plan["version"] + 1
    stale = client.put(url, json.dumps(update), content_type="application/json")
    assert_error(stale, 409, "conflict", "expected_version")
    assert client.get(url).json()["version"] == plan["version"] + 1


def test_formulations_are_read_as_stored(world: World) -> None:
    client = api(world)
    listed = client.get(f"/api/v1/patients/{world.a.patient.pk}/formulations").json()
    assert [f["id"] for f in listed] == [world.a.formulation.pk]
    one = client.get(f"/api/v1/formulations/{world.a.formulation.pk}").json()
    assert one["output"] == world.a.formulation.output
    assert one["ruleset_version"] == "tandem-default/2"


def test_openapi_is_served(world: World) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/patients/{patient_id}/administrations" in spec["paths"]
    assert "/api/v1/plans/{plan_id}" in spec["paths"]


def test_tandem_token_create_prints_a_working_token(world: World) -> None:
    made = CliRunner().invoke(main, ["token", "create", "north-director"])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"/api/v1/patients/{world.a.patient.pk}").status_code == 200
    unknown = CliRunner().invoke(main, ["token", "create", "nobody"])
    assert unknown.exit_code == 2


def test_a_body_over_the_upload_limit_is_413_in_the_error_shape(world: World) -> None:
    """Review defect 9: Django's RequestDataTooBig was answered 500 by the catch-all."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[world.a.staff['therapist'].pk]}")
    url = f"/api/v1/patients/{world.a.patient.pk}/administrations"
    huge = {"instrument_id": "phq9", "answers": ["x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)]}
    assert_error(post(client, url, huge), 413, "too_large", "body")


@pytest.mark.parametrize("key", ["k" * 201, "with space", "caf\u00e9", "tab\there"])
def test_an_idempotency_key_must_be_short_printable_ascii(world: World, key: str) -> None:
    before = InstrumentAdministration.objects.count()
    body = {"instrument_id": "phq9", "answers": [0] * 9}
    url = f"/api/v1/patients/{world.a.patient.pk}/administrations"
    response = post(api(world), url, body, HTTP_IDEMPOTENCY_KEY=key)
    assert_error(response, 422, "invalid", "Idempotency-Key")
    assert InstrumentAdministration.objects.count() == before
    ok = post(api(world), url, body, HTTP_IDEMPOTENCY_KEY="k" * 200)
    assert ok.status_code == 201


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2999-01-01"])
def test_an_administration_date_outside_1900_to_today_is_refused(world: World, day: str) -> None:
    url = f"/api/v1/patients/{world.a.patient.pk}/administrations"
    body = {"instrument_id": "phq9", "answers": [0] * 9, "administered_on": day}
    error = assert_error(post(api(world), url, body), 422, "invalid", "administered_on")
    assert "1900-01-01" in error["message"]


@pytest.mark.parametrize("answers", [[True] * 9, [1.0] * 9, ["1"] * 9, [0] * 8 + [False]])
def test_answers_must_be_whole_numbers_not_booleans_or_text(world: World, answers: list) -> None:
    before = InstrumentAdministration.objects.count()
    url = f"/api/v1/patients/{world.a.patient.pk}/administrations"
    response = post(api(world), url, {"instrument_id": "phq9", "answers": answers})
    error = assert_error(response, 422, "invalid")
    assert error["field"].startswith("answers")
    assert InstrumentAdministration.objects.count() == before


def test_a_skipped_item_is_still_accepted(world: World) -> None:
    url = f"/api/v1/patients/{world.a.patient.pk}/administrations"
    body = {"instrument_id": "cssrs", "answers": [1, 0, "-", "-", "-", 0]}
    assert post(api(world), url, body).status_code == 201


def test_plan_text_over_its_column_is_refused_not_cut(world: World) -> None:
    client = api(world)
    plan = client.get(f"/api/v1/patients/{world.a.patient.pk}/plan").json()
    assert plan["interventions"]
    item = {**plan["interventions"][0], "measure": "m" * 201}
    update = {"expected_version": plan["version"], "interventions": [item], "review_on": None}
    response = client.put(
        f"/api/v1/plans/{plan['id']}", json.dumps(update), content_type="application/json"
    )
    error = assert_error(response, 422, "invalid")
    assert error["field"] == "interventions.0.measure"
    assert client.get(f"/api/v1/plans/{plan['id']}").json()["version"] == plan["version"]


def _bare(token: str) -> Client:
    """A client with the bearer token only: no session cookie can keep it signed in."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert not client.cookies
    return client


def test_a_token_expires_after_its_days(world: World) -> None:
    """Review defect 11: tokens used to live for ever."""
    url = f"/api/v1/patients/{world.a.patient.pk}"
    clock = FixedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    with use_clock(clock):
        made = CliRunner().invoke(main, ["token", "create", "north-therapist", "--days", "2"])
        assert made.exit_code == 0, made.output
        client = _bare(made.output.strip())
        assert client.get(url).status_code == 200
        token = ApiToken.objects.order_by("-pk").first()
        assert token is not None
        assert token.last_used_at == clock.now()
        clock.advance(hours=47)
        assert client.get(url).status_code == 200
        clock.advance(hours=1, seconds=1)
        assert_error(client.get(url), 401, "unauthenticated")
        assert not client.cookies


def test_tokens_default_to_90_days() -> None:
    from tandem.services.accounts import TOKEN_DAYS

    assert TOKEN_DAYS == 90
    org = accounts.ensure_organization(slug="tok", name="Tok", levels_offered=["iop"])
    staff = accounts.ensure_staff(organization=org, username="tok", role="therapist", password=None)
    accounts.create_api_token_for("tok")
    token = ApiToken.objects.get(staff=staff)
    assert token.expires_at - token.created_at == dt.timedelta(days=90)


def test_a_revoked_token_stops_working_by_prefix_or_by_username(world: World) -> None:
    url = f"/api/v1/patients/{world.a.patient.pk}"
    raw = CliRunner().invoke(main, ["token", "create", "north-director"]).output.strip()
    client = _bare(raw)
    assert client.get(url).status_code == 200
    revoked = CliRunner().invoke(main, ["token", "revoke", raw[:12]])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked 1 token" in revoked.output
    assert_error(client.get(url), 401, "unauthenticated")
    other = _bare(world.tokens[world.a.staff["therapist"].pk])
    assert other.get(url).status_code == 200  # only the named token went
    by_name = CliRunner().invoke(main, ["token", "revoke", "north-therapist"])
    assert by_name.exit_code == 0, by_name.output
    assert_error(other.get(url), 401, "unauthenticated")
    assert CliRunner().invoke(main, ["token", "revoke", "north-therapist"]).exit_code == 2
    assert CliRunner().invoke(main, ["token", "revoke", "tdm_"]).exit_code == 2


def test_documents_carry_words_beside_the_ids_people_read(world: World) -> None:
    """Issue 9 item 3: the labels the pages show (tandem.domain.labels), beside the id."""
    from tandem.domain.labels import label

    client = api(world)
    patient = world.a.patient.pk
    done = post(client, f"/api/v1/patients/{patient}/administrations",
                {"instrument_id": "phq9", "answers": [0] * 9}).json()  # fmt: skip
    assert (done["instrument_id"], done["instrument_label"]) == ("phq9", "PHQ-9")
    plan = client.get(f"/api/v1/patients/{patient}/plan").json()
    for item in plan["interventions"]:
        assert item["intervention_label"] == label("intervention", item["intervention_id"])
        assert item["category_label"] == label("category", item["category"])
        assert "_" not in item["intervention_label"]
    one = client.get(f"/api/v1/formulations/{world.a.formulation.pk}").json()
    assert one["level_label"] == label("level", world.a.formulation.recommended_level)
    row = next(r for r in client.get("/api/v1/caseload").json() if r["patient_id"] == patient)
    assert row["level_label"] == label("level", row["level"])
    assert row["suicide_risk_label"] == label("suicide_risk", row["suicide_risk"])
