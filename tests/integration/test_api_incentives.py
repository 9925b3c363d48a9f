"""The API of issue 11's clinic monitoring: a patient's incentive ledger and redemptions
(monitoring.md s7), and the timeline's data, each in the one error shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tandem.services import checkins, incentives, screens
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.storage.models import Redemption
from tests.integration.support import World
from tests.integration.test_api import api, assert_error, post

pytestmark = pytest.mark.django_db

NEG = {"cocaine": "negative", "amphetamine": "negative"}


def _who(world: World, role: str) -> Actor:
    return Actor(user=world.a.staff[role].user, via="test")


def _earned(world: World, kind: str = "escalating") -> dt.date:
    incentives.configure_schedule(_who(world, "director"), kind, {})
    first = patient_today(world.a.patient) - dt.timedelta(days=10)
    for offset in (0, 2):
        raw = {"collected_on": (first + dt.timedelta(days=offset)).isoformat(),
               "specimen": "urine", "kind": "point_of_care", "status": "result",
               "analytes": NEG}  # fmt: skip
        screens.record_screen(_who(world, "therapist"), world.a.patient.pk, raw)
    return first


def _url(world: World, tail: str = "incentives") -> str:
    return f"/api/v1/patients/{world.a.patient.pk}/{tail}"


def test_the_ledger_with_its_rows_and_totals(world: World) -> None:
    first = _earned(world)
    body = api(world).get(_url(world)).json()
    assert (body["kind"], body["cap_cents"]) == ("escalating", 59900)
    assert (body["earned_cents"], body["redeemed_cents"], body["balance_cents"]) == (
        2050,
        0,
        2050,
    )
    rows = body["rows"]
    assert [(r["day"], r["earned_cents"], r["result"]) for r in rows] == [
        (first.isoformat(), 1000, "negative"),
        ((first + dt.timedelta(days=2)).isoformat(), 1050, "negative"),
    ]
    assert rows[0]["screen_id"]
    assert rows[0]["rule"].startswith("escalating")
    assert rows[0]["draw_seed"] == ""
    assert rows[0]["prizes"] == []


def test_no_schedule_is_kind_null(world: World) -> None:
    body = api(world).get(_url(world)).json()
    assert body["kind"] is None
    assert body["rows"] == []
    assert body["balance_cents"] == 0


def test_prize_rows_carry_their_seed_and_draws(world: World) -> None:
    _earned(world, "prize")
    rows = api(world).get(_url(world)).json()["rows"]
    assert rows[0]["draws"] == 1
    assert len(rows[0]["prizes"]) == 1
    assert rows[0]["draw_seed"]


def test_a_clinician_redeems_and_the_balance_falls(world: World) -> None:
    _earned(world)
    client = api(world)
    response = post(client, _url(world, "incentives/redemptions"),
                    {"cents": 1250, "what": "grocery gift card"})  # fmt: skip
    assert response.status_code == 201
    given = response.json()
    assert (given["cents"], given["what"]) == (1250, "grocery gift card")
    assert given["by_id"] == world.a.staff["therapist"].pk
    assert client.get(_url(world)).json()["balance_cents"] == 800


@pytest.mark.parametrize(
    ("body", "field"),
    [({"cents": 99999, "what": "gift card"}, "cents"),
     ({"cents": 0, "what": "gift card"}, "cents"),
     ({"cents": "12.50", "what": "gift card"}, "cents"),
     ({"cents": 100, "what": ""}, "what"),
     ({"cents": 100, "what": "   "}, "what"),
     ({"cents": 100, "what": "gift\u202ecard"}, "what"),
     ({"cents": 100, "what": "gift\ncard"}, "what"),
     ({"cents": 100, "what": "card", "cash": True}, "cash")],
)  # fmt: skip
def test_a_bad_redemption_names_the_field_and_saves_nothing(
    world: World, body: dict[str, object], field: str
) -> None:
    _earned(world)
    response = post(api(world), _url(world, "incentives/redemptions"), body)
    assert_error(response, 422, "invalid", field)
    assert not Redemption.objects.exists()


@pytest.mark.parametrize("role", ["admin", "peer_specialist"])
def test_roles_that_may_not_redeem_are_refused(world: World, role: str) -> None:
    _earned(world)
    response = post(api(world, role), _url(world, "incentives/redemptions"),
                    {"cents": 100, "what": "gift card"})  # fmt: skip
    assert response.status_code in (403, 404)  # 404: not on the care team
    assert not Redemption.objects.exists()
    if role == "admin":
        assert_error(response, 403, "forbidden")


def test_another_clinic_and_anonymous_get_nothing(world: World) -> None:
    _earned(world)
    assert_error(api(world, clinic="b").get(_url(world)), 404, "not_found")
    assert_error(api(world, clinic="b").get(_url(world, "timeline")), 404, "not_found")
    assert_error(Client().get(_url(world)), 401, "unauthenticated")


def test_the_timeline_data(world: World) -> None:
    _earned(world)
    yesterday = patient_today(world.a.patient) - dt.timedelta(days=1)
    raw = {"collected_on": yesterday.isoformat(), "specimen": "urine",
           "kind": "point_of_care", "status": "missed"}  # fmt: skip
    screens.record_screen(_who(world, "therapist"), world.a.patient.pk, raw)
    checkins.record_checkin(
        _who(world, "therapist"), world.a.patient.pk,
        {"mood": 4, "sleep_hours": 6, "craving": 3, "used": False, "safety": False},
    )  # fmt: skip
    body = api(world).get(_url(world, "timeline")).json()
    assert body["patient_id"] == world.a.patient.pk
    assert [d["mood"] for d in body["days"]] == [4]
    assert {e["kind"] for e in body["events"]} >= {"screen", "level"}
    assert all(e["text"] and "_" not in e["text"] for e in body["events"] if e["kind"] == "screen")
    report = body["report"]
    assert report is not None
    assert body["refused"] == ""
    assert report["cycle"]["insufficient_data"] is True  # one check-in, fewer than 28
    assert "phq9" in report["mbc"]


def test_openapi_documents_the_routes(world: World) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/patients/{patient_id}/incentives"]
    assert "post" in paths["/api/v1/patients/{patient_id}/incentives/redemptions"]
    assert "get" in paths["/api/v1/patients/{patient_id}/timeline"]
    schemas = spec["components"]["schemas"]
    assert schemas["RedemptionIn"]["additionalProperties"] is False
    assert schemas["RedemptionIn"]["properties"]["cents"]["minimum"] == 1
    assert schemas["LedgerRowOut"]["properties"]["note"]["enum"] == [
        "", "same_day", "not_eligible_this_week", "outside_window"
    ]  # fmt: skip
    assert set(schemas["TimelineEventOut"]["properties"]["kind"]["enum"]) == {
        "screen", "incentive", "alert", "attendance", "level", "plan", "questionnaire"
    }  # fmt: skip
