"""Issue 11 in a real browser: a clinician opens the alerts inbox, acknowledges an urgent
alert, and opens the patient's timeline (axe-core: 0 violations on each page)."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tandem.services import checkins, portal_accounts
from tandem.services.actors import Actor
from tandem.storage.models import Alert
from tests.functional.conftest import PASSWORD, Visit, sign_in
from tests.integration.support import CANARY, build_clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = {"mood": 2, "sleep_hours": "4", "craving": 8, "used": "no", "safety": "yes"}


def test_inbox_acknowledge_and_timeline(tablet: Visit) -> None:
    clinic = build_clinic("north", CANARY)
    _, code, _ = portal_accounts.invite(Actor(clinic.staff["intake"].user), clinic.patient.pk)
    user = portal_accounts.enrol(code, username="river-7", password="a long pass phrase 42")
    me = portal_accounts.patient_actor(user)
    assert me is not None
    checkins.record_checkin(me, clinic.patient.pk, DAY)  # raises the urgent alert
    therapist = clinic.staff["therapist"]
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    TOTPDevice.objects.create(user=therapist.user, name="phone", confirmed=True)
    sign_in(tablet, therapist)

    tablet.page.get_by_role("link", name="Alerts").first.click()
    tablet.page.wait_for_url("**/clinic/alerts")
    tablet.shot("monitoring-inbox-tablet.png")
    tablet.page.get_by_role("link", name="Suicide risk").first.click()
    tablet.page.wait_for_url("**/clinic/alerts/*/")
    tablet.shot("monitoring-alert-tablet.png")
    tablet.page.get_by_label("Note").first.fill("Called; safe with her sister tonight.")
    tablet.page.get_by_role("button", name="Acknowledge").click()
    tablet.page.wait_for_load_state()
    alert = Alert.objects.get(patient=clinic.patient, kind="suicide_risk")
    assert alert.state == "acknowledged"
    assert alert.transitions.filter(transition="acknowledged").exists()

    tablet.go(f"/clinic/patients/{clinic.patient.pk}/")
    tablet.page.get_by_role("link", name="Timeline").click()
    tablet.page.wait_for_url("**/timeline")
    expect(tablet.page.get_by_role("heading", level=1)).to_contain_text("Timeline")
    expect(tablet.page.get_by_role("heading", name="Crash cycle")).to_be_visible()
    tablet.shot("monitoring-timeline-tablet.png")
    assert tablet.offsite_requests() == []
    assert tablet.csp_violations() == []
