"""Issue 10 in Debian's Chromium at phone size (390 x 844): a patient enrols with the
clinic's code, sets a password, checks in, answers "yes" to the safety question and
sees the help screen first, while an urgent alert reaches the care team.

The check-in's taps are counted (every click, and a <select> counts as 2: open, pick)
and must be at most 8 (issue 10). Every page is checked with axe-core (0 violations),
the accessibility basics and keyboard focus; the canary patient's name never appears in
a URL or in the browser's storage.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tandem.services import plans, portal_accounts, relapse_prevention
from tandem.services.actors import Actor
from tandem.services.clock import FixedClock, use_clock
from tandem.storage.models import Alert, AlertRecipient, CheckIn
from tests.functional.conftest import Visit
from tests.integration.support import CANARY, build_clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long pass phrase 42"
MAX_TAPS = 8  # issue 10


def _enrol(phone: Visit, code: str) -> None:
    phone.go("/me/enrol")
    phone.shot("portal-enrol-phone.png")
    phone.page.get_by_label("Your code from the clinic").fill(code)
    phone.page.get_by_label("Choose a user name").fill("river-7")
    phone.page.get_by_label("Choose a password").fill(PASSWORD)
    phone.page.get_by_role("button", name="Save and continue").click()
    phone.page.wait_for_url("**/me/")


def test_enrol_check_in_and_safety_yes_shows_help_first(
    phone: Visit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every log line of the app and its server
    clinic = build_clinic("north", CANARY)
    _, code, _ = portal_accounts.invite(Actor(clinic.staff["intake"].user), clinic.patient.pk)
    _enrol(phone, code)
    phone.shot("portal-today-phone.png")
    phone.page.get_by_role("link", name="Check in now").click()
    phone.page.wait_for_url("**/me/check-in")
    phone.shot("portal-check-in-phone.png")

    started = time.monotonic()
    taps = 0
    form = phone.page
    form.locator("#id_mood").get_by_label("6", exact=True).check()
    taps += 1
    form.get_by_label("How many hours did you sleep last night?").select_option("7.5")
    taps += 2  # open the list, pick
    form.locator("#id_craving").get_by_label("2", exact=True).check()
    taps += 1
    form.locator("#id_used").get_by_label("No").check()
    taps += 1
    form.locator("#id_safety").get_by_label("Yes").check()
    taps += 1
    form.get_by_role("button", name="Save my check-in").click()
    taps += 1
    form.wait_for_url("**/me/help")
    elapsed = time.monotonic() - started
    assert taps <= MAX_TAPS
    assert elapsed < 60

    # Help first: 988 (call and text, with its Spanish option), 911, the team told.
    expect(phone.page.get_by_role("heading", level=1)).to_contain_text("Help is here now")
    expect(phone.page.get_by_text("your care team has been told")).to_be_visible()
    expect(phone.page.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(phone.page.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(phone.page.get_by_text("AYUDA")).to_be_visible()
    phone.shot("portal-help-phone.png")

    checkin = CheckIn.objects.get(patient=clinic.patient)
    assert (checkin.mood, checkin.safety, checkin.used) == (6, True, False)
    alert = Alert.objects.get(patient=clinic.patient, kind="suicide_risk")
    assert (alert.severity, alert.state) == ("urgent", "open")
    assert AlertRecipient.objects.filter(alert=alert, staff=clinic.staff["therapist"]).exists()

    # Help now is one tap from every portal page.
    phone.go("/me/")
    expect(phone.page.get_by_role("link", name="Help now")).to_be_visible()

    assert all(CANARY not in url for url in phone.requested)
    phone.assert_no_patient_data_stored(CANARY)
    # Whatever the app and its server logged during the flow (how much depends on the
    # logging configuration), the patient's name is in none of it.
    assert CANARY not in caplog.text
    assert phone.offsite_requests() == []
    assert phone.csp_violations() == []


def test_check_in_by_keyboard_only(phone: Visit) -> None:
    clinic = build_clinic("north", CANARY)
    _, code, _ = portal_accounts.invite(Actor(clinic.staff["intake"].user), clinic.patient.pk)
    _enrol(phone, code)
    phone.go("/me/check-in")
    page = phone.page
    # Tab to the first mood choice, arrow keys move within a radio group.
    page.locator("#id_mood_0").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert page.locator("#id_mood_5").is_checked()
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle"
        " + ' ' + getComputedStyle(document.activeElement).outlineWidth"
    )
    assert outline.startswith("solid")
    # The focus ring's colour against the page's background: at least 3:1 (WCAG 1.4.11).
    ring, paper = page.evaluate(
        "() => [getComputedStyle(document.activeElement).outlineColor,"
        " getComputedStyle(document.body).backgroundColor]"
    )
    assert _contrast(ring, paper) >= 3
    page.keyboard.press("Tab")  # to the sleep list
    page.keyboard.press("End")
    page.locator("#id_craving_0").focus()
    page.keyboard.press("Space")
    page.locator("#id_used_0").focus()
    page.keyboard.press("Space")
    page.locator("#id_safety_0").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save my check-in").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/?thanks=1")
    expect(page.get_by_role("status")).to_contain_text("Your check-in is saved")
    row = CheckIn.objects.get(patient=clinic.patient)
    assert (row.mood, row.craving, row.safety) == (5, 0, False)


def _luminance(css: str) -> float:
    """WCAG relative luminance of an ``rgb(...)``/``rgba(...)`` colour (transparent: white)."""
    parts = [float(p) for p in css[css.index("(") + 1 : -1].split(",")]
    if len(parts) == 4 and parts[3] == 0:
        parts = [255.0, 255.0, 255.0]
    channels = [c / 255 for c in parts[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_every_portal_page_passes_axe(phone: Visit) -> None:
    clinic = build_clinic("north", CANARY)
    _signed_plan(clinic)
    phone.go("/me/sign-in")
    phone.shot("portal-sign-in-phone.png")
    _, code, _ = portal_accounts.invite(Actor(clinic.staff["intake"].user), clinic.patient.pk)
    _enrol(phone, code)
    relapse_prevention.save_version(
        Actor(clinic.staff["therapist"].user),
        clinic.patient.pk,
        {"coping_steps": "Walk round the block", "people_to_call": "My sister"},
    )
    for path, picture in (
        ("/me/progress", "portal-progress-axe-phone.png"),
        ("/me/plan", "portal-plan-phone.png"),
        ("/me/plan/relapse-prevention", "portal-plan-edit-phone.png"),
        ("/me/coping", "portal-coping-phone.png"),
        ("/me/settings", "portal-settings-phone.png"),
    ):
        phone.go(path)
        phone.shot(picture)


def _signed_plan(clinic: Any) -> None:
    """Sign the clinic patient's plan (its measures make the PHQ-9 weekly)."""
    therapist = clinic.staff["therapist"]
    actor = Actor(user=therapist.user)
    plan = clinic.plan
    items = plans.plan_as_dict(plan)["interventions"]
    for item in items:
        item["responsible"] = therapist.pk
    plan = plans.update_plan(
        actor, plan.pk, expected_version=plan.version, interventions=items,
        review_on=plans.default_review_on(),
    )  # fmt: skip
    plans.sign_plan(actor, plan.pk)


def test_weekly_phq9_with_item9_shows_help_first(phone: Visit) -> None:
    clinic = build_clinic("north", CANARY)
    _signed_plan(clinic)
    # A week after signing: the second weekly PHQ-9 is due (the server reads this clock).
    with use_clock(FixedClock(dt.datetime.now(dt.UTC) + dt.timedelta(days=7))):
        _, code, _ = portal_accounts.invite(Actor(clinic.staff["intake"].user), clinic.patient.pk)
        _enrol(phone, code)
        phone.go("/me/questionnaires")
        phone.shot("portal-questionnaires-phone.png")
        phone.page.get_by_role("link", name="Answer now").first.click()
        phone.page.wait_for_url("**/me/questionnaires/phq9")
        phone.shot("portal-phq9-phone.png")
        for number, value in enumerate([1, 1, 0, 2, 1, 0, 1, 0, 1], start=1):
            phone.page.locator(f"#id_item_{number}_{value}").check()
        phone.page.get_by_role("button", name="Save my answers").click()
        phone.page.wait_for_url("**/me/help")
        expect(phone.page.get_by_role("heading", level=1)).to_contain_text("Help is here now")
        expect(phone.page.get_by_role("link", name="Call 988")).to_be_visible()
    alert = Alert.objects.get(patient=clinic.patient, kind="suicide_risk")
    assert (alert.severity, alert.score) == ("urgent", 1)
    assert alert.evidence[-1]["record_type"] == "questionnaire"
