"""Issue 10 in the API: a patient's token on /me/ (check-ins, progress), staff check-ins
and alerts; the services' validators, the one error shape, 404 for what a caller may not
reach (audited), and the token kinds kept apart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from tandem.services import accounts, portal_accounts
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.services.errors import NotFound
from tandem.storage.models import Alert, ApiToken, AuditEvent, CheckIn, Patient
from tests.integration.support import World
from tests.integration.test_api import api, assert_error, post

pytestmark = pytest.mark.django_db

DAY: dict[str, Any] = {"mood": 5, "sleep_hours": 7.5, "craving": 2, "used": False, "safety": False}


def patient_token(world: World, patient: Patient | None = None, name: str = "river-7") -> str:
    """Invite, enrol and make the patient's own token, as the portal would."""
    patient = patient or world.a.patient
    team = patient.care_team.first()
    assert team is not None
    _, code, _ = portal_accounts.invite(Actor(team.user), patient.pk)
    user = portal_accounts.enrol(code, username=name, password="a long pass phrase 42")
    me = portal_accounts.patient_actor(user)
    assert me is not None
    return portal_accounts.create_patient_api_token(me)


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _today(world: World) -> dt.date:
    return patient_today(world.a.patient)


# ------------------------------------------------------------------ patient tokens


def test_a_token_has_exactly_one_owner(world: World) -> None:
    token = ApiToken.objects.get(staff=world.a.staff["therapist"])
    token.pk, token.digest = None, "x" * 64
    token.staff = None
    with pytest.raises(IntegrityError), transaction.atomic():
        token.save()


def test_only_a_patient_makes_a_patient_token_for_their_own_account(world: World) -> None:
    with pytest.raises(NotFound):
        portal_accounts.create_patient_api_token(Actor(world.a.staff["therapist"].user))
    patient_token(world)
    account = world.a.patient.portal
    someone_else = Actor.patient(account.user, world.b.patient.pk)
    with pytest.raises(NotFound):
        portal_accounts.create_patient_api_token(someone_else)


def test_a_patient_token_records_my_checkin(world: World) -> None:
    client = bearer(patient_token(world))
    body = {**DAY, "used": True, "use_days": [_today(world).isoformat()], "energy": 4}
    response = post(client, "/api/v1/me/checkins", body)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["checkin"]["patient_id"] == world.a.patient.pk
    assert answer["checkin"]["source"] == "api"
    assert answer["checkin"]["sleep_hours"] == 7.5
    assert (answer["replaced"], answer["help_first"], answer["help"]) == (False, False, None)
    assert answer["coping"] is False
    again = post(client, "/api/v1/me/checkins", {**DAY, "mood": 2}).json()
    assert again["replaced"] is True
    assert again["coping"] is True  # mood 3 or less
    assert again["checkin"]["used"] is True  # a later "no" never erases a "yes"
    assert CheckIn.objects.filter(patient=world.a.patient).count() == 1


def test_a_yes_to_safety_answers_help_first_with_988_and_911(world: World) -> None:
    client = bearer(patient_token(world))
    answer = post(client, "/api/v1/me/checkins", {**DAY, "safety": True}).json()
    assert answer["help_first"] is True
    calls = {r["call"] for r in answer["help"]["resources"]}
    assert calls == {"988", "911"}
    assert any(r["text"] == "988" for r in answer["help"]["resources"])
    assert answer["help"]["care_team_told"] is True
    assert Alert.objects.filter(patient=world.a.patient, kind="suicide_risk").exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"mood": 11}, "mood", "0 to 10"),
        ({"sleep_hours": 7.3}, "sleep_hours", "half hours"),
        ({"craving": -1}, "craving", "0 to 10"),
        ({"used": True}, "use_days", "2 days before"),
        ({"use_days": ["2026-01-01"]}, "use_days", "only when used is yes"),
        ({"on": "1999-01-01"}, "on", "2 days before"),
        ({"mood": "5"}, "mood", ""),
        ({"safety": "yes"}, "safety", ""),
        ({"feeling": "fine"}, "feeling", ""),
    ],
)
def test_checkin_errors_name_the_field(
    world: World, change: dict[str, Any], field: str, words: str
) -> None:
    client = bearer(patient_token(world))
    error = assert_error(post(client, "/api/v1/me/checkins", {**DAY, **change}), 422, "invalid")
    assert error["field"] == field
    assert words in error["message"]
    assert not CheckIn.objects.filter(patient=world.a.patient).exists()


def test_my_progress_summarises_my_checkins_and_phq9(world: World) -> None:
    client = bearer(patient_token(world))
    empty = client.get("/api/v1/me/progress").json()
    assert empty["days"] == []
    # No check-in yet: the last known use is the intake's (support.py: 3 days ago).
    intake_last_use = dt.date.fromisoformat(empty["last_use"])
    assert empty["days_since_last_use"] == (_today(world) - intake_last_use).days
    assert [p["total"] for p in empty["phq9"]] == [10]  # support.py's PHQ-9: 2+2+1+2+1+1+1
    assert empty["phq9"][0]["band"] == "moderate"
    yesterday = (_today(world) - dt.timedelta(days=1)).isoformat()
    body = {**DAY, "on": yesterday, "used": True, "use_days": [yesterday], "craving": 8}
    assert post(client, "/api/v1/me/checkins", body).status_code == 201
    assert post(client, "/api/v1/me/checkins", DAY).status_code == 201
    found = client.get("/api/v1/me/progress").json()
    assert [(d["on"], d["craving"], d["used"]) for d in found["days"]] == [
        (yesterday, 8, True),
        (_today(world).isoformat(), 2, False),
    ]
    assert found["use_days"] == [yesterday]
    assert found["days_since_last_use"] == 1
    assert AuditEvent.objects.filter(action="progress.view", patient_id=world.a.patient.pk)


def test_a_staff_token_on_me_is_refused_403(world: World) -> None:
    assert_error(api(world).get("/api/v1/me/progress"), 403, "forbidden")
    assert_error(post(api(world), "/api/v1/me/checkins", DAY), 403, "forbidden")
    assert not CheckIn.objects.exists()
    assert_error(Client().get("/api/v1/me/progress"), 401, "unauthenticated")


def test_a_patient_token_on_staff_endpoints_is_404_and_audited(world: World) -> None:
    client = bearer(patient_token(world))
    own = world.a.patient.pk
    for url in (
        f"/api/v1/patients/{own}",  # even their own record: /me/ is the patient's way in
        f"/api/v1/patients/{own}/checkins",
        f"/api/v1/patients/{world.b.patient.pk}/checkins",
        f"/api/v1/patients/{world.a.outsider_patient.pk}/alerts",
        "/api/v1/alerts",
        "/api/v1/patients",
        "/api/v1/caseload",
    ):
        assert_error(client.get(url), 404, "not_found")
    assert_error(post(client, f"/api/v1/patients/{own}/checkins", DAY), 404, "not_found")
    assert not CheckIn.objects.exists()
    refused = AuditEvent.objects.filter(action="api.staff_only", outcome="denied")
    assert refused.filter(patient_id=world.b.patient.pk).exists()
    assert refused.count() == 8


def test_a_discharged_patients_token_stops_working(world: World) -> None:
    client = bearer(patient_token(world))
    Patient.objects.filter(pk=world.a.patient.pk).update(status="discharged")
    assert_error(client.get("/api/v1/me/progress"), 401, "unauthenticated")


# ------------------------------------------------------------------ staff


def test_staff_record_and_list_checkins(world: World) -> None:
    url = f"/api/v1/patients/{world.a.patient.pk}/checkins"
    made = post(api(world), url, {**DAY, "craving": 9})
    assert made.status_code == 201, made.content
    assert made.json()["checkin"]["source"] == "api"
    assert made.json()["coping"] is True
    listed = api(world).get(url).json()
    assert [c["id"] for c in listed] == [made.json()["checkin"]["id"]]
    later = (_today(world) + dt.timedelta(days=1)).isoformat()
    assert api(world).get(url, {"since": later}).json() == []
    error = assert_error(post(api(world), url, {**DAY, "sleep_hours": 15}), 422, "invalid")
    assert error["field"] == "sleep_hours"


def test_recording_a_checkin_needs_the_permission(world: World) -> None:
    """An admin sees every patient of the clinic but may not record check-ins."""
    url = f"/api/v1/patients/{world.a.patient.pk}/checkins"
    assert_error(post(api(world, "admin"), url, DAY), 403, "forbidden")
    assert api(world, "admin").get(url).status_code == 200
    assert not CheckIn.objects.exists()


def test_another_clinics_checkins_and_alerts_are_404_and_audited(world: World) -> None:
    south = world.b.patient.pk
    for url in (f"/api/v1/patients/{south}/checkins", f"/api/v1/patients/{south}/alerts"):
        assert_error(api(world).get(url), 404, "not_found")
    url = f"/api/v1/patients/{south}/checkins"
    assert_error(post(api(world), url, DAY), 404, "not_found")
    denied = AuditEvent.objects.filter(patient_id=south, outcome="denied")
    assert {"checkin.list", "alert.list", "checkin.record"} <= set(
        denied.values_list("action", flat=True)
    )
    assert not CheckIn.objects.filter(patient_id=south).exists()


def _alert(world: World) -> Alert:
    post(bearer(patient_token(world)), "/api/v1/me/checkins", {**DAY, "safety": True})
    return Alert.objects.get(patient=world.a.patient, kind="suicide_risk")


def test_inbox_acknowledge_and_resolve(world: World) -> None:
    alert = _alert(world)
    therapist = api(world)
    inbox = therapist.get("/api/v1/alerts").json()
    assert [a["id"] for a in inbox] == [alert.pk]
    assert inbox[0]["severity"] == "urgent"
    assert inbox[0]["evidence"][0]["record_type"] == "check-in"
    assert api(world, "intake").get("/api/v1/alerts").json() == []  # not a recipient
    chart = therapist.get(f"/api/v1/patients/{world.a.patient.pk}/alerts").json()
    assert [a["id"] for a in chart] == [alert.pk]
    acked = post(therapist, f"/api/v1/alerts/{alert.pk}/acknowledge", {})
    assert acked.status_code == 200
    assert acked.json()["state"] == "acknowledged"
    assert_error(post(therapist, f"/api/v1/alerts/{alert.pk}/acknowledge", {}), 409, "conflict")
    assert therapist.get("/api/v1/alerts").json() == []
    assert len(therapist.get("/api/v1/alerts", {"state": "active"}).json()) == 1
    no_note = post(therapist, f"/api/v1/alerts/{alert.pk}/resolve", {"note": " "})
    assert_error(no_note, 422, "invalid", "note")
    missing = post(therapist, f"/api/v1/alerts/{alert.pk}/resolve", {})
    assert_error(missing, 422, "invalid", "note")
    done = post(therapist, f"/api/v1/alerts/{alert.pk}/resolve", {"note": "Safety plan reviewed."})
    assert done.json()["state"] == "resolved"
    assert [a["id"] for a in therapist.get("/api/v1/alerts?state=resolved").json()] == [alert.pk]
    assert_error(therapist.get("/api/v1/alerts?state=closed"), 422, "invalid", "state")


def test_another_clinic_cannot_reach_an_alert(world: World) -> None:
    alert = _alert(world)
    south = api(world, "director", clinic="b")
    url = f"/api/v1/alerts/{alert.pk}/acknowledge"
    assert_error(post(south, url, {}), 404, "not_found")
    assert AuditEvent.objects.filter(
        action="alert.acknowledged", record_id=str(alert.pk), outcome="denied"
    ).exists()
    alert.refresh_from_db()
    assert alert.state == "open"


def test_a_patient_reaches_nothing_of_another_patient(world: World) -> None:
    """A south patient's token: north's check-ins and alerts are missing (404), audited."""
    _alert(world)
    south = bearer(patient_token(world, world.b.patient, name="south-sun"))
    north = world.a.patient.pk
    assert_error(south.get(f"/api/v1/patients/{north}/checkins"), 404, "not_found")
    assert_error(south.get(f"/api/v1/patients/{north}/alerts"), 404, "not_found")
    alert = Alert.objects.get(patient_id=north)
    assert_error(post(south, f"/api/v1/alerts/{alert.pk}/resolve", {"note": "x"}), 404, "not_found")
    assert (
        AuditEvent.objects.filter(
            action="api.staff_only", patient_id=north, outcome="denied"
        ).count()
        == 2
    )
    mine = south.get("/api/v1/me/progress").json()
    assert mine["days"] == []  # north's check-in is not in it


def test_a_patient_token_is_revoked_by_the_patients_user_name(world: World) -> None:
    client = bearer(patient_token(world))
    assert client.get("/api/v1/me/progress").status_code == 200
    assert accounts.revoke_api_tokens("river-7") == 1
    assert_error(client.get("/api/v1/me/progress"), 401, "unauthenticated")
    assert api(world).get("/api/v1/patients").status_code == 200  # staff tokens untouched
