"""Issue 11 in a real browser: a clinician accepts a step-up suggestion on the timeline,
reviews the prefilled reassessment, formulates, and records the new placement (axe-core:
0 violations on each page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tandem.services import screens
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.storage.models import Placement, Reassessment
from tests.functional.conftest import PASSWORD, Visit, sign_in
from tests.integration.support import build_clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accept_a_step_up_through_to_a_new_placement(tablet: Visit) -> None:
    clinic = build_clinic("north", "Robin Ashgrove")
    patient = clinic.patient
    today = patient_today(patient)
    therapist = Actor(user=clinic.staff["therapist"].user)
    # The first screen 35 days ago, then two stimulant-positive days in the last 14
    # (ruleset-v2.md s7 step up).
    for days_ago, cocaine in ((35, "negative"), (5, "positive"), (2, "positive")):
        on = (today - dt.timedelta(days=days_ago)).isoformat()
        screens.record_screen(
            therapist,
            patient.pk,
            {"specimen": "urine", "kind": "point_of_care", "status": "result",
             "collected_on": on, "analytes": {"cocaine": cocaine}},
        )  # fmt: skip
    clinician = clinic.staff["intake"]
    clinician.user.set_password(PASSWORD)
    clinician.user.save()
    TOTPDevice.objects.create(user=clinician.user, name="phone", confirmed=True)
    sign_in(tablet, clinician)

    tablet.go(f"/clinic/patients/{patient.pk}/timeline")
    expect(tablet.page.get_by_role("heading", name="Suggested next step")).to_be_visible()
    expect(tablet.page.get_by_text("2 days with a stimulant-positive screen")).to_be_visible()
    tablet.page.get_by_role("button", name="Accept: start a reassessment").click()
    tablet.page.wait_for_url("**/reassessment")
    expect(tablet.page.get_by_role("heading", level=2, name="Under way: Step up")).to_be_visible()
    expect(tablet.page.get_by_text("Unknown: check-ins cover 0 of the 30 days")).to_be_visible()
    tablet.shot("reassessment-tablet.png")

    tablet.page.get_by_role("link", name="Review and formulate").click()
    tablet.page.wait_for_url("**/intake/review")
    tablet.page.get_by_role("button", name="Formulate").click()
    tablet.page.wait_for_url("**/clinic/formulations/*/")
    record = Reassessment.objects.get(patient=patient)
    assert record.formulation is not None
    flags = tablet.page.get_by_role("checkbox")
    for i in range(flags.count()):
        flags.nth(i).check()
    tablet.page.get_by_role("button", name="Record the decision").click()
    tablet.page.wait_for_load_state()
    decided = Placement.objects.filter(formulation=record.formulation).get()
    assert decided.decided_level == record.formulation.recommended_level

    tablet.go(f"/clinic/patients/{patient.pk}/reassessment")
    expect(tablet.page.get_by_text("Level of care decided:")).to_be_visible()
    tablet.shot("reassessment-done-tablet.png")
    assert tablet.offsite_requests() == []
    assert tablet.csp_violations() == []
