"""A group's attendance marked in one pass in a real browser (issue 11): the facilitator
opens the session from the Groups page, leaves one patient unmarked (the error summary
names them and links to their row), marks them and saves; axe-core finds 0 violations on
each page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tandem.services import groups
from tandem.services.actors import Actor
from tandem.services.clock import get_clock
from tandem.services.patients import register_patient
from tandem.storage.models import Attendance, EpisodeOfCare
from tests.functional.conftest import Visit, make_clinic, make_staff, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ("Ada Groupmember", "Ben Groupmember", "Cleo Groupmember")


def test_the_facilitator_marks_a_groups_attendance(tablet: Visit) -> None:
    clinic = make_clinic("groups-clinic", "Groups Clinic")
    director = make_staff(clinic, "gdirector", "director", "Dana Director")
    peer = make_staff(clinic, "gpeer", "peer_specialist", "Pat Peer")
    actor = Actor(user=director.user, via="test")
    patients = [
        register_patient(actor, display_name=name, date_of_birth="1990-01-01", sex="other")
        for name in NAMES
    ]
    # The test's setting: their placement put them in IOP.
    EpisodeOfCare.objects.filter(patient__in=patients).update(level="iop")
    session = groups.create_session(
        actor,
        name="IOP relapse prevention",
        starts_at=get_clock().now() - dt.timedelta(minutes=10),
        level="iop",
        facilitator_id=peer.pk,
    )
    sign_in(tablet, peer)
    page = tablet.page
    tablet.go("/clinic/groups")
    page.get_by_role("link", name="IOP relapse prevention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IOP relapse prevention")
    page.get_by_role("group", name=NAMES[0]).get_by_label("Present", exact=True).check()
    page.get_by_role("group", name=NAMES[1]).get_by_label("Late", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(f"{NAMES[2]}: choose present, late, excused or unexcused")
    assert not Attendance.objects.exists()
    tablet.shot("group-attendance-error.png")
    summary.get_by_role("link").click()
    page.get_by_role("group", name=NAMES[2]).get_by_label("Unexcused absence", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_have_text("Attendance saved.")
    tablet.shot("group-attendance.png")
    marks = dict(Attendance.objects.filter(session=session).values_list("patient_id", "status"))
    assert marks == {patients[0].pk: "present", patients[1].pk: "late", patients[2].pk: "unexcused"}
    assert tablet.offsite_requests() == []
