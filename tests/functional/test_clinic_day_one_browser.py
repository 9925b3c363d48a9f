"""Issue 12 in a real browser: the demo clinic as each role, at phone and desktop sizes.

Every staff page each role can reach is checked with axe-core (0 violations) and the
accessibility basics; the findings of the issue are walked as a clinician would: the
plan follows the decided level (1), urgent referrals (2), responsible from the care team
(3), the timeline's own dates (4), save and sign in one form (5), each role sees what it
can do (6), phones (9), branded error pages (10), caseload search and the duplicate
check (12), and discharge.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tandem.services.demo import DEMO_PASSWORD, STEP_UP_PATIENT, load_demo
from tandem.storage.models import CarePlan, Patient, Referral, StaffMember
from tests.functional.conftest import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
# The pages whose phone and desktop pictures go in docs/screenshots (the rest are checked
# the same way, without a picture).
PICTURED = {"caseload", "referrals", "chart", "formulation", "plan", "admin-staff", "timeline",
            "reassessment", "incentives"}  # fmt: skip
ROLES = ("intake", "therapist", "prescriber", "peer-specialist", "director", "admin")


@pytest.fixture
def demo() -> dict[str, Any]:
    made = load_demo()
    for staff in StaffMember.objects.select_related("user"):
        TOTPDevice.objects.get_or_create(
            user=staff.user, defaults={"name": "phone", "confirmed": True}
        )
    return made


def sign_in_demo(visit: Visit, username: str) -> None:
    """The real sign-in of a demo account: password, then the TOTP code."""
    visit.go("/accounts/login?next=/clinic/")
    visit.page.get_by_label("User name").fill(username)
    visit.page.get_by_label("Password").fill(DEMO_PASSWORD)
    visit.page.get_by_role("button", name="Sign in").click()
    device = TOTPDevice.objects.get(user__username=username)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    visit.page.get_by_label("6-digit code").fill(f"{code:06d}")
    visit.page.get_by_role("button", name="Continue").click()
    visit.page.wait_for_url("**/clinic/")


def _patient(name: str = "Avery Lindqvist") -> Patient:
    return Patient.objects.get(display_name=name)


def staff_pages(patient: Patient) -> list[tuple[str, str]]:
    """(path, screenshot name) of every staff page about one patient, and the lists."""
    plan = CarePlan.objects.filter(patient=patient).order_by("-pk").first()
    formulation = patient.formulations.order_by("-pk").first()
    referral = Referral.objects.order_by("pk").first()
    pages = [
        ("/clinic/", "caseload"),
        ("/clinic/?status=discharged", "caseload-discharged"),
        ("/clinic/patients/new", "new-patient"),
        ("/clinic/referrals", "referrals"),
        ("/clinic/admin/staff", "admin-staff"),
        ("/clinic/admin/settings", "admin-settings"),
        (f"/clinic/patients/{patient.pk}/", "chart"),
        (f"/clinic/patients/{patient.pk}/care-team", "care-team"),
        (f"/clinic/patients/{patient.pk}/discharge", "discharge"),
        (f"/clinic/formulations/{formulation.pk}/", "formulation"),  # type: ignore[union-attr]
        (f"/clinic/plans/{plan.pk}/", "plan"),  # type: ignore[union-attr]
    ]
    for step in ("stimulant", "timeline", "instruments", "clinical", "review"):
        pages.append((f"/clinic/patients/{patient.pk}/intake/{step}", f"intake-{step}"))
    pages.append((f"/clinic/patients/{patient.pk}/intake/instruments/phq9", "intake-phq9"))
    # Issue 11: monitoring in the clinic. The demo's step-up suggestion is Farid's.
    stepping = Patient.objects.get(display_name=STEP_UP_PATIENT)
    pages += [
        (f"/clinic/patients/{patient.pk}/timeline", "timeline"),
        (f"/clinic/patients/{stepping.pk}/reassessment", "reassessment"),
        ("/clinic/alerts", "alerts-inbox"),
        ("/clinic/screens/today", "screens-today"),
        ("/clinic/groups", "groups"),
        (f"/clinic/patients/{patient.pk}/incentives", "incentives"),
        ("/clinic/admin/incentives", "admin-incentives"),
    ]
    if referral is not None:
        pages.append((f"/clinic/referrals/{referral.pk}/intake", "referral-intake"))
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_page_by_every_role_has_no_accessibility_violations(
    role: str, demo: dict[str, Any], tablet: Visit
) -> None:
    tablet.page.set_viewport_size(DESKTOP)
    sign_in_demo(tablet, f"demo-{role}")
    for path, _name in staff_pages(_patient()):
        response = tablet.go(path)
        assert response is not None
        if response.status in (403, 404):
            expect(tablet.page.get_by_role("link", name=re.compile("Back to"))).to_be_visible()
        else:
            assert response.status == 200, (role, path, response.status)
        tablet.assert_accessible_basics()
        tablet.assert_no_axe_violations()
    assert tablet.csp_violations() == []
    assert tablet.offsite_requests() == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_pages_at_phone_and_desktop_size(size: str, demo: dict[str, Any], phone: Visit) -> None:
    """Phones (item 9): no page is wider than the screen; the decision comes first on the
    formulation. Screenshots for the README at both sizes."""
    if size == "desktop":
        phone.page.set_viewport_size(DESKTOP)
    sign_in_demo(phone, "demo-intake")
    for path, name in staff_pages(_patient()):
        phone.go(path)
        if size == "phone":
            wide = phone.page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 390, (path, wide)
        if name in PICTURED:
            phone.shot(f"{name}-{size}.png")
        else:
            phone.assert_accessible_basics()
            phone.assert_no_axe_violations()
    phone.go(f"/clinic/formulations/{_patient().formulations.get().pk}/")
    decision = phone.page.get_by_role("heading", name="Level of care", exact=True)
    order = phone.page.get_by_role("heading", name="Which came first")
    assert decision.bounding_box()["y"] < order.bounding_box()["y"]  # type: ignore[index]


def test_an_override_drafts_the_plan_at_the_decided_level_and_a_new_decision_reopens_it(
    demo: dict[str, Any], tablet: Visit
) -> None:
    """Items 1 and 5: the plan follows the decided level; save and sign in one form."""
    patient = _patient("Avery Lindqvist")  # recommended partial hospitalization
    formulation = patient.formulations.get()
    page = tablet.page
    sign_in_demo(tablet, "demo-intake")
    tablet.go(f"/clinic/formulations/{formulation.pk}/")
    page.get_by_role("group", name="Level of care decided").get_by_label(
        "Intensive outpatient (IOP)"
    ).check()
    page.get_by_label("Reason for a level different", exact=False).fill("works days")
    flags = page.get_by_role("group", name="Review flags", exact=False)
    for box in flags.get_by_role("checkbox").all() if flags.count() else []:
        box.check()
    page.get_by_role("button", name="Record a new decision").click()
    expect(page.get_by_text("overrides the recommendation")).to_be_visible()
    page.get_by_role("link", name="Open the plan").click()
    expect(page.locator("h1 .badge")).to_have_text("Draft")  # back to review (item 1)
    expect(page.get_by_text("Level of care: Intensive outpatient (IOP)")).to_be_visible()
    expect(page.get_by_label("Frequency").first).to_have_value(re.compile("intensive outpatient"))
    page.get_by_label("Measure").first.fill("urine drug screens twice a week")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.locator("h1 .badge")).to_have_text("Signed")
    expect(page.get_by_label("Measure").first).to_have_value("urine drug screens twice a week")
    tablet.shot("plan-signed.png")


def test_urgent_referrals_come_first_and_start_an_intake(
    demo: dict[str, Any], tablet: Visit
) -> None:
    """Item 2: badge, first in the list, a count in the navigation, start intake."""
    page = tablet.page
    sign_in_demo(tablet, "demo-intake")
    expect(
        page.get_by_role("link", name=re.compile("Self-check referrals 1 urgent"))
    ).to_be_visible()
    page.get_by_role("link", name=re.compile("Self-check referrals")).click()
    first = page.get_by_role("row").nth(1)
    expect(first).to_contain_text("Urgent")
    expect(first).to_contain_text("Jordan Whitfield")
    first.get_by_role("link", name="Start intake").click()
    page.get_by_label("Date of birth").fill("1992-03-04")
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    page.get_by_role("button", name="Register and start intake").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stimulant use")
    assert Patient.objects.filter(display_name="Jordan Whitfield").exists()
    assert "Jordan" not in page.url


def test_roles_see_what_they_can_do_and_the_responsible_list_is_the_care_team(
    demo: dict[str, Any], tablet: Visit, second_tablet: Visit
) -> None:
    """Items 3 and 6."""
    patient = _patient()
    plan = CarePlan.objects.filter(patient=patient).get()
    sign_in_demo(tablet, "demo-therapist")
    expect(tablet.page.get_by_role("link", name=re.compile("Self-check referrals"))).to_have_count(
        0
    )
    tablet.go(f"/clinic/plans/{plan.pk}/")
    options = tablet.page.get_by_label("Responsible").first.locator("option").all_inner_texts()
    team = {m.display_name for m in patient.care_team.all()}
    assert {o.split(" (")[0] for o in options if "choose" not in o} == team
    assert not any("admin" in o or "director" in o for o in options)
    sign_in_demo(second_tablet, "demo-peer-specialist")
    second_tablet.go(f"/clinic/plans/{plan.pk}/")
    expect(second_tablet.page.get_by_role("button", name="Save and sign")).to_have_count(0)
    expect(second_tablet.page.get_by_text("Your role reads the plan")).to_be_visible()
    expect(second_tablet.page.get_by_role("link", name="New patient")).to_have_count(0)


def test_the_timeline_step_refuses_an_impossible_date_on_that_step(
    demo: dict[str, Any], tablet: Visit
) -> None:
    """Item 4: checked on the step, in words, no tick."""
    page = tablet.page
    sign_in_demo(tablet, "demo-intake")
    page.get_by_role("link", name="New patient").first.click()
    page.get_by_label("Name").fill("Tess Timeline")
    page.get_by_label("Date of birth").fill("1990-02-02")
    page.get_by_role("group", name="Sex").get_by_label("Female", exact=True).check()
    page.get_by_role("button", name="Register and start the intake").click()
    page.get_by_role("link", name="2. Use and mood timeline").click()
    page.locator("#id_use-0-start").fill("2030")
    page.get_by_label("Last day of use unknown").check()
    page.get_by_label("Number of days unknown").check()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("after the assessment date")
    expect(summary).not_to_contain_text("$.")
    expect(page.get_by_role("link", name="2. Use and mood timeline ✓")).to_have_count(0)
    tablet.shot("intake-timeline-error.png")


def test_search_the_caseload_refuse_a_duplicate_and_discharge(
    demo: dict[str, Any], tablet: Visit
) -> None:
    """Items 12 and 10, and discharge."""
    page = tablet.page
    sign_in_demo(tablet, "demo-intake")
    page.get_by_label("Name or record number").fill("okonkwo")
    page.get_by_role("button", name="Search").click()
    assert "okonkwo" not in page.url.lower()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and Bram Okonkwo
    page.get_by_role("button", name="Clear search").click()
    page.get_by_role("link", name="New patient").first.click()
    page.get_by_label("Name").fill("bram okonkwo")
    page.get_by_label("Date of birth").fill("1986-09-03")
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    page.get_by_role("button", name="Register and start the intake").click()
    expect(page.locator(".error-summary")).to_contain_text("already registered at this clinic")
    tablet.shot("new-patient-duplicate.png")

    patient = _patient("Farid Nakamura")
    tablet.go(f"/clinic/patients/{patient.pk}/")
    page.get_by_role("link", name="Discharge").click()
    page.get_by_label("Reason for discharge").select_option(label="Completed treatment")
    page.get_by_role("button", name="Discharge").click()
    expect(page.get_by_text("Discharged on")).to_be_visible()
    page.get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("link", name="Farid Nakamura")).to_have_count(0)
    page.get_by_label("Patients").select_option("discharged")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Farid Nakamura")).to_be_visible()

    missing = tablet.go("/clinic/patients/987654321/")
    assert missing is not None
    assert missing.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("does not exist")
    expect(page.get_by_role("link", name="Back to the caseload")).to_be_visible()
    tablet.shot("not-found.png")


def test_the_self_check_back_button_leaves_without_a_resubmission(phone: Visit) -> None:
    """Item 11: the steps post in place, so Back returns to the start page (no "Confirm
    Form Resubmission"), and nothing is kept in the browser."""
    from tests.functional.test_selfcheck_browser import PHQ9_CALM, answer_about_you, answer_phq9

    answer_about_you(phone)
    answer_phq9(phone, PHQ9_CALM)
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Staying safe")
    phone.page.go_back()
    expect(phone.page.get_by_role("heading", level=1)).to_be_visible()
    assert phone.page.url.endswith("/check")
    assert phone.storage_sizes() == [0, 0, 0]
