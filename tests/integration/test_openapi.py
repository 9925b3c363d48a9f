"""Every API answer in the one error shape, 405 and unknown URLs included, and an
OpenAPI document that carries the enums and ranges (issue 13, probe finding 6)."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from django.test import Client

from tandem.api import schemas
from tandem.storage.models import LEVELS
from tandem.storage.models.alerts import ALERT_STATES, SEVERITIES
from tandem.storage.models.patients import PATIENT_STATUSES, SEXES
from tandem.storage.models.plans import PLAN_STATUSES
from tandem.storage.models.portal import CHECKIN_SOURCES
from tests.integration.support import World
from tests.integration.test_api import api, assert_error

pytestmark = pytest.mark.django_db


def _spec() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def test_a_method_not_allowed_is_405_in_the_error_shape(world: World) -> None:
    response = api(world).delete("/api/v1/patients")
    error = assert_error(response, 405, "method_not_allowed")
    assert "DELETE" in error["message"]
    assert set(response["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert_error(Client().patch("/api/v1/caseload"), 405, "method_not_allowed")


def test_an_unknown_api_url_is_404_in_the_error_shape(world: World) -> None:
    assert_error(api(world).get("/api/v1/no-such-thing"), 404, "not_found")


def test_an_id_beyond_the_database_range_is_not_found_not_a_crash(world: World) -> None:
    # No record can have it: 404 like any record the caller cannot see.
    for wanted in ("99999999999999999999", "0", "-3"):
        assert_error(api(world).get(f"/api/v1/patients/{wanted}"), 404, "not_found")


def test_openapi_carries_enums(world: World) -> None:
    components = _spec()["components"]["schemas"]
    assert components["PatientIn"]["properties"]["sex"]["enum"] == list(SEXES)
    assert components["PatientOut"]["properties"]["status"]["enum"] == list(PATIENT_STATUSES)
    assert components["PlanOut"]["properties"]["status"]["enum"] == list(PLAN_STATUSES)
    assert set(components["CaseloadRowOut"]["properties"]["level"]["enum"]) == {"", *LEVELS}
    assert "method_not_allowed" in components["ErrorBody"]["properties"]["code"]["enum"]
    parameters = _spec()["paths"]["/api/v1/patients"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")
    assert status["schema"]["anyOf"][0]["enum"] == list(PATIENT_STATUSES)


def test_openapi_carries_ranges(world: World) -> None:
    spec = _spec()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"]["minimum"] == 1, (path, parameter)
                    assert parameter["schema"]["maximum"] == 2**63 - 1, (path, parameter)
    post = spec["paths"]["/api/v1/patients/{patient_id}/administrations"]["post"]
    key = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["anyOf"][0]["maxLength"] == 200
    plan = spec["components"]["schemas"]["PlanUpdateIn"]["properties"]
    assert plan["expected_version"]["minimum"] == 1
    assert plan["interventions"]["maxItems"] == 50


def test_the_api_literals_are_the_stored_choices() -> None:
    assert typing.get_args(schemas.Sex) == SEXES
    assert typing.get_args(schemas.PatientStatus) == PATIENT_STATUSES
    assert typing.get_args(schemas.PlanStatus) == PLAN_STATUSES
    assert typing.get_args(schemas.Level) == ("", *LEVELS)
    assert typing.get_args(schemas.AlertState) == ALERT_STATES
    assert typing.get_args(schemas.InboxState) == (*ALERT_STATES, "active")
    assert typing.get_args(schemas.Severity) == SEVERITIES
    assert typing.get_args(schemas.CheckInSource) == CHECKIN_SOURCES


def test_openapi_documents_the_portal_endpoints_and_their_tokens(world: World) -> None:
    spec = _spec()
    paths = spec["paths"]
    for path in (
        "/api/v1/me/checkins",
        "/api/v1/me/progress",
        "/api/v1/patients/{patient_id}/checkins",
        "/api/v1/patients/{patient_id}/alerts",
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}/acknowledge",
        "/api/v1/alerts/{alert_id}/resolve",
    ):
        assert path in paths, path
    assert paths["/api/v1/me/progress"]["get"]["security"] == [{"PatientToken": []}]
    assert paths["/api/v1/alerts"]["get"]["security"] == [{"StaffToken": []}]
    checkin = spec["components"]["schemas"]["CheckInIn"]
    assert checkin["additionalProperties"] is False
    assert (checkin["properties"]["mood"]["minimum"], checkin["properties"]["mood"]["maximum"]) == (
        0,
        10,
    )
    assert checkin["properties"]["sleep_hours"]["multipleOf"] == 0.5
    assert checkin["examples"]
    help_first = spec["components"]["schemas"]["CheckInRecordedOut"]["properties"]["help_first"]
    assert "safety" in help_first["description"]


def test_every_label_sits_beside_its_id(world: World) -> None:
    """A ``*_label`` field adds words for people; it never replaces the id (issue 9)."""
    components = _spec()["components"]["schemas"]
    # The source of a label whose id is not the field of the same name without "_label".
    sources = {
        "instrument_label": "instrument_id",
        "intervention_label": "intervention_id",
        "FormulationOut.level_label": "output",  # output.placement.level
    }
    found = set()
    for name, schema in components.items():
        properties = schema.get("properties", {})
        for field in (f for f in properties if f.endswith("_label")):
            where = f"{name}.{field}"
            found.add(where)
            source = sources.get(where) or sources.get(field) or field.removesuffix("_label")
            assert source in properties, where
            assert field in schema.get("required", []), where
    assert {
        "AlertOut.kind_label",
        "CaseloadRowOut.level_label",
        "InterventionOut.category_label",
        "AdministrationOut.instrument_label",
        "GroupSessionOut.level_label",
    } <= found
