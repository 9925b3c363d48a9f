"""The public self-check in a real browser (self-check.md), on a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tandem.storage.models import Referral
from tests.functional.conftest import Visit, make_clinic, make_staff, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHQ9_WITH_ITEM_9 = [2, 2, 1, 2, 1, 1, 1, 1, 2]
PHQ9_CALM = [1, 1, 0, 1, 0, 0, 0, 0, 0]
ANSWER = {0: "Not at all", 1: "Several days", 2: "More than half the days", 3: "Nearly every day"}


def choose(visit: Visit, question: str, answer: str) -> None:
    visit.page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def answer_about_you(visit: Visit) -> None:
    visit.go("/check")
    visit.shot("selfcheck-start.png")
    visit.page.get_by_role("link", name="Start the self-check").click()
    choose(visit, "Thinking back, which came first", "Using came first")
    choose(visit, "In the day or two after using", "Often")
    choose(visit, "Do you use to lift a low mood", "Almost always")
    choose(visit, "Think of a time you went a month", "I haven't had a month or more without using")
    choose(visit, "In the past 30 days, on how many days", "4 to 8 days")
    visit.shot("selfcheck-questions.png")
    visit.page.get_by_role("button", name="Next").click()


def answer_phq9(visit: Visit, answers: list[int]) -> None:
    expect(visit.page.get_by_role("heading", name="How you have been feeling")).to_be_visible()
    for number, value in enumerate(answers, start=1):
        group = visit.page.get_by_role("group", name=f"{number}.", exact=False).first
        group.get_by_label(ANSWER[value], exact=True).check()
    visit.shot("selfcheck-phq9.png")
    visit.page.get_by_role("button", name="Next").click()


def test_suicide_risk_puts_the_crisis_screen_before_the_result(phone: Visit) -> None:
    answer_about_you(phone)
    answer_phq9(phone, PHQ9_WITH_ITEM_9)
    # Help comes at once, before the overdose questions (issue 12 item 11).
    heading = phone.page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Before your result: help is available now")
    expect(phone.page.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(phone.page.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(phone.page.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    expect(phone.page.get_by_role("heading", name="Your result", exact=True)).to_have_count(0)
    phone.shot("selfcheck-safety.png")

    phone.page.get_by_role("button", name="Continue").click()
    expect(heading).to_have_text("Staying safe")
    phone.page.get_by_label("I often use on my own, with no one around").check()
    phone.page.get_by_role("button", name="See my result").click()
    expect(heading).to_have_text("Your result")
    expect(phone.page.get_by_text("From the dates you gave")).to_have_count(0)
    expect(phone.page.get_by_role("alert")).to_contain_text("988")  # crisis banner repeats
    expect(phone.page.get_by_text("Likely linked")).to_be_visible()
    expect(phone.page.get_by_text("Do not use alone.")).to_be_visible()
    phone.shot("selfcheck-result.png")

    assert "/check" in phone.page.url
    assert "phq9" not in phone.page.url
    assert "?" not in phone.page.url
    assert phone.storage_sizes() == [0, 0, 0]
    assert phone.offsite_requests() == []
    assert phone.csp_violations() == []
    # Only the cookie the form needs against forgery; no session (self-check.md "Privacy").
    assert {cookie["name"] for cookie in phone.page.context.cookies()} <= {"csrftoken"}
    assert Referral.objects.count() == 0


def test_asking_to_be_contacted_reaches_the_clinics_referral_list(
    phone: Visit, second_tablet: Visit
) -> None:
    clinic = make_clinic("harbor", "Harbor Clinic")
    intake = make_staff(clinic, "harbor-intake", "intake", "Ines Intake")
    answer_about_you(phone)
    answer_phq9(phone, PHQ9_CALM)
    phone.page.get_by_role("button", name="See my result").click()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Your result")
    phone.page.get_by_role("button", name="Ask the clinic to contact me").click()

    phone.page.get_by_role("button", name="Send to the clinic").click()  # empty: errors first
    summary = phone.page.locator(".error-summary")
    expect(summary).to_be_focused()  # a screen reader starts at the list of problems
    expect(summary).to_contain_text("Please tell us what to call you.")
    expect(summary).to_contain_text("Please tick this box so we may contact you.")

    phone.page.get_by_label("Your name, or what you'd like us to call you").fill("Sam")
    phone.page.get_by_label("Phone number").fill("555-0100")
    choose(phone, "How should we contact you?", "Text message")
    phone.page.get_by_label("My result (the pattern", exact=False).check()
    phone.page.get_by_label("I agree to be contacted as described above").check()
    phone.shot("selfcheck-contact.png")
    phone.page.get_by_role("button", name="Send to the clinic").click()
    expect(phone.page.get_by_role("heading", level=1)).to_contain_text("Harbor Clinic will")
    assert phone.storage_sizes() == [0, 0, 0]
    assert phone.offsite_requests() == []
    assert phone.csp_violations() == []

    sign_in(second_tablet, intake, next_path="/clinic/referrals")
    row = second_tablet.page.get_by_role("row", name="Sam")
    expect(row).to_contain_text("Text")
    expect(row).to_contain_text("555-0100")
    second_tablet.shot("referrals.png")
    second_tablet.assert_no_patient_data_stored("Sam", "555-0100")
