"""A clinician's intake in a real browser, on a tablet: new patient to a signed plan.

The intake clinician does it all (issue 4 "Done when"): registers, completes the intake,
decides the level, edits and signs the plan, then adds the therapist to the care team,
who then finds the patient on their caseload.

Also: a therapist of another clinic cannot open the chart (404), and nothing about the
patient is left in the browser's storage.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tandem.services.clock import get_clock
from tandem.storage.models import CarePlan, Patient
from tests.functional.conftest import Visit, make_clinic, make_staff, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Quinn Brightwater-Canary"  # searched for in the browser's storage afterwards


def choose(page: Page, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_label(option, exact=True).check()


def save(page: Page, button: str = "Save and continue") -> None:
    page.get_by_role("button", name=button).click()


def fill_stimulant(page: Page, today: dt.date) -> None:
    page.get_by_label("Assessed on").fill(today.isoformat())
    choose(page, "Main stimulant", "cocaine")
    choose(page, "Usual route", "smoked")
    page.get_by_role("group", name="DSM-5-TR criteria").get_by_label(
        re.compile("assessed: tick every")
    ).check()
    criteria = page.get_by_role("group", name="Criteria met in the past 12 months")
    for number in (1, 2, 3, 4, 6, 9, 11):
        criteria.get_by_label(re.compile(rf"^\s*{number}\. ")).check()
    choose(page, "Overdose in the past 12 months", "no")
    choose(page, "Also uses opioids", "no")
    # "Uses alone" stays "not asked": the formulation flags it for review (ruleset-v2 s4)


def fill_timeline(visit: Visit, today: dt.date) -> None:
    page = visit.page
    page.locator("#id_use-0-start").fill("2019-06")
    page.locator("#id_use-0-end").fill("2018")  # wholly before its start: refused, named
    page.locator("#id_mood-0-onset").fill("2021-06")  # ongoing, began during use
    # "Add an episode" brings one more empty row (htmx swaps in just the fieldset)
    page.evaluate("() => { window.sameDocument = true; }")
    page.get_by_role("button", name="Add an episode").click()
    expect(page.locator("#id_mood-1-onset")).to_be_visible()
    assert page.evaluate("() => window.sameDocument === true")  # swapped, not reloaded
    expect(page.locator("#id_mood-0-onset")).to_have_value("2021-06")
    expect(page.locator("#id_use-0-end")).to_have_value("2018")
    page.get_by_label("Days of use in the past 30", exact=False).fill("10")
    page.get_by_label("Last day of any use").fill((today - dt.timedelta(days=2)).isoformat())
    save(page)
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Use period 1, ended (leave empty if ongoing)")
    page.locator("#id_use-0-end").fill("")  # ongoing since June 2019
    save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaires")
    # a second look at the timeline shows the saved rows and a fresh empty one
    page.goto(page.url.replace("/instruments", "/timeline"))
    expect(page.locator("#id_use-0-start")).to_have_value("2019-06")
    visit.shot("intake-timeline.png")
    page.get_by_role("link", name="3. Questionnaires").click()


def record(visit: Visit, instrument: str, answers: list[int | None], shot: str = "") -> None:
    page = visit.page
    from tandem.domain.labels import label

    page.get_by_role("row").filter(has_text=label("instrument", instrument)).first.get_by_role(
        "link", name=re.compile("^Record")
    ).click()
    for number, value in enumerate(answers, start=1):
        if value is not None:
            page.locator(f"#id_item_{number}_{_index(page, number, value)}").check()
    if shot:
        visit.shot(shot)
    save(page, "Save answers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaires")


def _index(page: Page, number: int, value: int) -> int:
    """The radio index of ``value`` among item ``number``'s options (values in order)."""
    values = page.locator(f"input[name=item_{number}]").evaluate_all("els => els.map(e => e.value)")
    return list(values).index(str(value))


def fill_clinical(page: Page) -> None:
    choose(page, "Psychotic symptoms now", "no")
    choose(page, "Medically unstable", "no")
    choose(page, "Functional impairment", "moderate")
    choose(page, "Recovery environment", "supportive")
    page.get_by_label("Earlier level of care").first.select_option("iop")
    page.get_by_label("Response").first.select_option("none")
    save(page)


def test_a_new_patient_from_intake_to_a_signed_plan(tablet: Visit, second_tablet: Visit) -> None:
    today = get_clock().today()
    clinic = make_clinic("harbor", "Harbor Clinic")
    clinician = make_staff(clinic, "harbor-intake", "intake", "Ines Intake")
    therapist = make_staff(clinic, "harbor-therapist", "therapist", "Theo Therapist")
    page = tablet.page
    sign_in(tablet, clinician)
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")

    page.get_by_role("link", name="New patient").first.click()
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Date of birth").fill("1988-04-02")
    choose(page, "Sex", "Female")
    page.get_by_role("button", name="Register and start the intake").click()
    patient = Patient.objects.get(display_name=NAME)
    assert NAME.split()[0] not in page.url
    assert re.search(rf"/clinic/patients/{patient.pk}/intake/stimulant$", page.url)

    fill_stimulant(page, today)
    tablet.shot("intake-stimulant.png")
    save(page)
    fill_timeline(tablet, today)
    record(tablet, "phq9", [2, 2, 2, 2, 1, 1, 1, 1, 0, None], shot="intake-phq9.png")
    record(tablet, "cssrs", [1, 0, None, None, None, 0])
    tablet.shot("intake-instruments.png")
    page.get_by_role("link", name="Continue to clinical facts").click()
    fill_clinical(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Review and formulate")
    tablet.shot("intake-review.png")
    page.get_by_role("button", name="Formulate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulation")
    expect(page.locator("p.callout").first).to_contain_text("not a validated instrument")
    # C-SSRS low tier: the staff risk panel (not the patient-facing banner)
    expect(page.get_by_role("region", name="Risk: suicide risk present")).to_contain_text("Low")
    # began during use and ongoing: provisional, with its reassessment date (ruleset s4-s5)
    expect(page.get_by_text("Substance-induced, provisional").first).to_be_visible()
    expect(page.get_by_text("reassess on", exact=False).first).to_be_visible()
    tablet.shot("formulation.png")

    flags = page.get_by_role("note").filter(has_text="Review before deciding")
    expect(flags).to_contain_text("Overdose risk factors not asked")
    choose(page, "Level of care decided", "Outpatient")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".error-summary")).to_contain_text("Reason for a level different")
    expect(page.locator(".error-summary")).to_contain_text("acknowledge each review flag")
    page.get_by_label("Reason for a level different", exact=False).fill("works days; evening")
    page.get_by_role("group", name="Review flags", exact=False).get_by_label(
        re.compile("Overdose risk factors not asked")
    ).check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Review flags acknowledged", exact=False)).to_be_visible()
    expect(page.get_by_text("overrides the recommendation")).to_be_visible()
    page.get_by_role("button", name="Draft the plan").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Integrated plan")
    # Only the care team may be named: the intake clinician for now (item 3).
    for select in page.get_by_label("Responsible").all():
        select.select_option(label="Ines Intake (intake clinician)")
    expect(page.get_by_label("Responsible").first.locator("option")).to_have_count(2)
    page.get_by_label("Frequency").first.fill("weekly group, Tuesday evening")
    page.get_by_label("Measure").first.fill("urine drug screens twice a week")
    page.get_by_label("Target").first.fill("negative screens for 4 weeks")
    page.get_by_label("Plan review date").fill((today + dt.timedelta(days=30)).isoformat())
    tablet.shot("plan.png")
    page.get_by_role("button", name="Save and sign").click()  # one form: nothing lost (item 5)
    expect(page.locator("h1 .badge")).to_have_text("Signed")
    plan = CarePlan.objects.get(patient=patient)
    assert plan.status == "signed"
    assert plan.signed_by == clinician

    page.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_text("works days; evening")).to_be_visible()
    tablet.shot("chart.png")
    page.get_by_role("link", name="Care team").click()
    page.get_by_label("Staff member of this clinic").select_option(
        label="Theo Therapist (therapist)"
    )
    page.get_by_role("button", name="Add to the care team").click()
    team = page.get_by_role("region", name="On the care team")
    expect(team).to_contain_text("Theo Therapist")
    tablet.shot("care-team.png")
    page.get_by_role("link", name=NAME).click()
    page.get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("row", name=NAME)).to_contain_text("Outpatient")
    tablet.shot("caseload.png")

    assert tablet.offsite_requests() == []
    assert tablet.csp_violations() == []
    tablet.assert_no_patient_data_stored(NAME, "Quinn")

    sign_in(second_tablet, therapist)  # now on the care team: the patient is on the caseload
    expect(second_tablet.page.get_by_role("row", name=NAME)).to_contain_text("Outpatient")
    second_tablet.assert_no_patient_data_stored(NAME, "Quinn")


def test_a_therapist_of_another_clinic_cannot_open_the_chart(
    tablet: Visit, second_tablet: Visit
) -> None:
    harbor = make_clinic("harbor", "Harbor Clinic")
    ridge = make_clinic("ridge", "Ridge Clinic")
    own = make_staff(harbor, "harbor-intake", "intake", "Ines Intake")
    other = make_staff(ridge, "ridge-therapist", "therapist", "Rae Therapist")
    sign_in(tablet, own)
    tablet.page.get_by_role("link", name="New patient").first.click()
    tablet.page.get_by_label("Name").fill(NAME)
    tablet.page.get_by_label("Date of birth").fill("1990-01-01")
    choose(tablet.page, "Sex", "Male")
    tablet.page.get_by_role("button", name="Register and start the intake").click()
    patient = Patient.objects.get(display_name=NAME)

    sign_in(second_tablet, other)
    response = second_tablet.go(f"/clinic/patients/{patient.pk}/")
    assert response is not None
    assert response.status == 404
    expect(second_tablet.page.get_by_text(NAME)).to_have_count(0)
    missing = second_tablet.go("/clinic/patients/987654321/")
    assert missing is not None
    assert missing.status == 404
    second_tablet.assert_no_patient_data_stored(NAME)
