"""42 CFR Part 2 consents and disclosures end to end (issue 13): recorded through the
API, shown in the chart, matched by the disclosure service, refused with what each
consent lacks, revoked, emergencies recorded as such, and the accounting."""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any

import pytest

from tandem.api import schemas
from tandem.domain import consent as terms
from tandem.services import disclosures as disclosures_service
from tandem.services import patients
from tandem.services.actors import Actor
from tandem.services.audit import verify_chain
from tandem.services.clock import FixedClock, use_clock
from tandem.storage.models import AuditEvent, Disclosure
from tests.integration.support import World, signed_in_client
from tests.integration.test_api import api, assert_error, post

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _consent(**changes: Any) -> dict[str, Any]:
    return {
        "recipient_kind": "organization",
        "recipient_name": "Harbor Health Plan",
        "purposes": ["payment"],
        "kinds": ["attendance", "plan"],
        "period": "until_date",
        "ends_on": "2027-06-30",
        "revocation_how": "In writing to the program director, by letter or in person",
        "signature": "typed",
        "signed_name": "Robin Vale",
        "signed_on": "2026-11-01",
    } | changes


def _disclosure(**changes: Any) -> dict[str, Any]:
    return {
        "recipient_kind": "organization",
        "recipient_name": "Harbor Health Plan",
        "purpose": "payment",
        "kinds": ["attendance"],
        "description": "attendance dates, October 2026",
    } | changes


def _urls(world: World) -> tuple[str, str]:
    base = f"/api/v1/patients/{world.a.patient.pk}"
    return f"{base}/consents", f"{base}/disclosures"


def test_a_covered_disclosure_is_recorded_with_its_notice(world: World) -> None:
    consents, disclosures = _urls(world)
    client = api(world)
    with use_clock(FixedClock(NOW)):
        made = post(client, consents, _consent())
        assert made.status_code == 201, made.content
        response = post(client, disclosures, _disclosure())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["notice"].startswith(terms.NOTICE)
    assert "Harbor Health Plan" in body["notice"]
    stored = Disclosure.objects.get(pk=body["disclosure"]["id"])
    assert (stored.consent_id, stored.purpose, stored.kinds) == (
        made.json()["id"],
        "payment",
        ["attendance"],
    )
    assert stored.disclosed_by == world.a.staff["therapist"]
    event = AuditEvent.objects.filter(action="disclosure.make").latest("seq")
    assert (event.outcome, event.patient_id, event.record_id) == (
        "ok",
        world.a.patient.pk,
        str(stored.pk),
    )
    assert verify_chain().ok


def test_a_disclosure_no_consent_covers_is_refused_naming_what_is_lacking(world: World) -> None:
    consents, disclosures = _urls(world)
    client = api(world)
    with use_clock(FixedClock(NOW)):
        none_yet = post(client, disclosures, _disclosure())
        assert "no consent on file" in assert_error(none_yet, 403, "no_consent")["message"]
        post(client, consents, _consent())
        asked = _disclosure(recipient_name="Other Plan", purpose="research", kinds=["drug_screens"])
        refused = assert_error(post(client, disclosures, asked), 403, "no_consent")
    for lack in ("not 'Other Plan'", "purpose research", "does not cover drug_screens"):
        assert lack in refused["message"]
    assert not Disclosure.objects.exists()
    event = AuditEvent.objects.filter(action="disclosure.make").latest("seq")
    assert event.outcome == "denied"


def test_revocation_and_expiry_end_a_consent(world: World) -> None:
    consents, disclosures = _urls(world)
    client = api(world)
    clock = FixedClock(NOW)
    with use_clock(clock):
        first = post(client, consents, _consent()).json()
        post(
            client,
            consents,
            _consent(period="end_of_treatment", ends_on=None, signed_on="2026-11-02"),
        )
        revoke = f"{consents}/{first['id']}/revoke"
        revoked = post(client, revoke, {"reference": "letter of 2026-11-02, scanned to file 17"})
        assert revoked.status_code == 200, revoked.content
        assert revoked.json()["revoked_at"] is not None
        assert_error(post(client, revoke, {"reference": "again"}), 422, "invalid", "consent")
        # The second consent (until the end of treatment) still covers it...
        assert post(client, disclosures, _disclosure()).status_code == 201
        # ...until the patient is discharged.
        patients.discharge_patient(Actor(user=world.a.staff["therapist"].user), world.a.patient.pk)
        refused = assert_error(post(client, disclosures, _disclosure()), 403, "no_consent")
    assert "expired at the end of treatment" in refused["message"]
    assert "revoked on 2026-11-02" in refused["message"]


def test_a_consent_lacking_a_required_element_is_refused_by_field(world: World) -> None:
    consents, _ = _urls(world)
    client = api(world)
    cases = {
        "signed_name": _consent(signed_name=""),
        "scan_reference": _consent(signature="scanned", signed_name=""),
        "purposes": _consent(recipient_kind="tpo", recipient_name="", purposes=["research"]),
        "ends_on": _consent(ends_on=None),
        "period": _consent(period="none", ends_on=None),
        "recipient_name": _consent(recipient_name=""),
        "purpose_other": _consent(purposes=["other"]),
        "kinds": _consent(kinds=[]),
        "signed_on": _consent(signed_on="2030-01-01", ends_on="2030-06-30"),
    }
    with use_clock(FixedClock(NOW)):
        for field, body in cases.items():
            assert_error(post(client, consents, body), 422, "invalid", field)
        assert_error(post(client, consents, _consent(revocation_how="")), 422, "invalid")
    assert client.get(consents).json() == []


def test_an_emergency_disclosure_needs_a_reason_and_is_recorded_as_one(world: World) -> None:
    _, disclosures = _urls(world)
    client = api(world)
    body = {
        "recipient_name": "Dr Ames, St Luke's emergency department",
        "kinds": ["diagnoses_formulation"],
        "description": "current diagnoses and medications",
    }
    assert_error(
        post(client, f"{disclosures}/emergency", body | {"reason": "er"}), 422, "invalid", "reason"
    )
    made = post(
        client, f"{disclosures}/emergency", body | {"reason": "unresponsive, suspected overdose"}
    )
    assert made.status_code == 201, made.content
    assert "medical emergency" in made.json()["notice"]
    stored = Disclosure.objects.get()
    assert (stored.emergency, stored.consent_id) == (True, None)
    assert stored.emergency_reason == "unresponsive, suspected overdose"
    assert AuditEvent.objects.filter(action="disclosure.emergency", outcome="ok").exists()


def test_the_accounting_covers_three_years_and_the_chart_shows_it(world: World) -> None:
    _, disclosures = _urls(world)
    client = api(world)
    therapist = Actor(user=world.a.staff["therapist"].user)
    long_ago = NOW - dt.timedelta(days=365 * 3 + 10)
    with use_clock(FixedClock(long_ago)):
        signed = long_ago.date().isoformat()
        fields = _consent(period="end_of_treatment", ends_on=None, signed_on=signed)
        disclosures_service.record_consent(therapist, world.a.patient.pk, **fields)
        disclosures_service.disclose(
            therapist, world.a.patient.pk, **_disclosure(description="the first one")
        )
    with use_clock(FixedClock(NOW)):
        assert (
            post(client, disclosures, _disclosure(description="the recent one")).status_code == 201
        )
        listed = client.get(disclosures).json()
        page = signed_in_client(world.a.staff["therapist"], world).get(
            f"/clinic/patients/{world.a.patient.pk}/"
        )
    assert Disclosure.objects.count() == 2
    assert [d["description"] for d in listed] == ["the recent one"]
    assert page.status_code == 200
    assert b"Harbor Health Plan" in page.content
    assert b"the recent one" in page.content
    assert b"Consents to disclose" in page.content


def test_only_clinicians_who_can_see_the_patient_record_consents(world: World) -> None:
    consents, _ = _urls(world)
    peer = api(world, role="peer_specialist")
    assert peer.post(consents, "{}", content_type="application/json").status_code == 422
    from tandem.services.disclosures import record_consent
    from tandem.services.errors import Forbidden, NotFound

    fields = _consent() | {"signed_on": "2026-11-01", "ends_on": "2027-06-30"}
    with pytest.raises((Forbidden, NotFound)):
        record_consent(
            Actor(user=world.a.staff["peer_specialist"].user), world.a.patient.pk, **fields
        )
    other_clinic = api(world, clinic="b")
    assert_error(post(other_clinic, consents, _consent()), 404, "not_found")


def test_the_api_codes_are_the_domain_codes() -> None:
    assert typing.get_args(schemas.Purpose) == terms.PURPOSES
    assert typing.get_args(schemas.RecipientKind) == terms.RECIPIENT_KINDS
    assert typing.get_args(schemas.InformationKind) == terms.KINDS
    assert typing.get_args(schemas.Period) == terms.PERIODS
    assert typing.get_args(schemas.Signature) == terms.SIGNATURES
