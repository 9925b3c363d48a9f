"""Today's screens in a real browser (issue 11): a group of 30 patients entered in one
pass, under 2 minutes of typing, and axe-core finds no violation.

"Under 2 minutes" is measured two ways: the actions a person makes (each pick of a
result, each tick, the one press of the button) at 2 seconds each, the program's
estimate for a deliberate tap on a tablet, and the wall-clock time Playwright takes.
"""

from __future__ import annotations

import time

import pytest

from tandem.services.actors import Actor
from tandem.services.patients import register_patient, set_care_team
from tandem.storage.models import Alert, DrugScreen
from tests.functional.conftest import Visit, make_clinic, make_staff, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUP = 30
SECONDS_PER_ACTION = 2.0  # program: one deliberate tap or pick on a tablet
BUDGET_SECONDS = 120


def test_a_group_of_30_screens_in_under_two_minutes(tablet: Visit) -> None:
    clinic = make_clinic("east", "East Clinic")
    peer = make_staff(clinic, "east-peer", "peer_specialist", "Pat Peer")
    director = make_staff(clinic, "east-director", "director", "Dee Director")
    who = Actor(user=make_staff(clinic, "east-intake", "intake", "Ina Intake").user)
    patients = []
    for k in range(GROUP):
        patient = register_patient(
            who, display_name=f"Group Member {k:02d}", date_of_birth="1990-01-01", sex="other"
        )
        set_care_team(Actor(user=director.user), patient.pk, [peer.pk])
        patients.append(patient)
    sign_in(tablet, peer, "/clinic/screens/today")
    page = tablet.page
    tablet.shot("screens-today.png")

    actions = 0
    started = time.monotonic()
    for k, patient in enumerate(patients):
        status = "missed" if k in (5, 17) else "result"
        page.select_option(f"#s{patient.pk}-status", status)
        actions += 1
        if k in (3, 11, 24):  # three cups positive for cocaine, one also for fentanyl
            page.check(f"#s{patient.pk}-cocaine")
            actions += 1
        if k == 24:
            page.check(f"#s{patient.pk}-fentanyl")
            actions += 1
    page.get_by_role("button", name="Record these screens").click()
    actions += 1
    page.wait_for_url("**/clinic/screens/today?recorded=30")
    elapsed = time.monotonic() - started

    assert actions * SECONDS_PER_ACTION < BUDGET_SECONDS, actions
    assert elapsed < BUDGET_SECONDS, elapsed
    assert page.get_by_role("status").inner_text() == "Recorded 30 screens."
    assert DrugScreen.objects.count() == GROUP
    assert DrugScreen.objects.filter(cm_result="positive").count() == 3
    assert DrugScreen.objects.filter(cm_result="missed").count() == 2
    assert DrugScreen.objects.filter(cm_result="negative").count() == GROUP - 5
    assert Alert.objects.filter(kind="overdose_risk", patient=patients[24]).exists()
    tablet.shot("screens-today-recorded.png")


def test_a_refused_group_names_each_row_and_saves_nothing(tablet: Visit) -> None:
    clinic = make_clinic("west", "West Clinic")
    peer = make_staff(clinic, "west-peer", "peer_specialist", "Pat Peer")
    director = make_staff(clinic, "west-director", "director", "Dee Director")
    who = Actor(user=make_staff(clinic, "west-intake", "intake", "Ina Intake").user)
    patient = register_patient(
        who, display_name="Row Person", date_of_birth="1990-01-01", sex="other"
    )
    set_care_team(Actor(user=director.user), patient.pk, [peer.pk])
    sign_in(tablet, peer, "/clinic/screens/today")
    page = tablet.page
    page.select_option(f"#s{patient.pk}-status", "missed")
    page.check(f"#s{patient.pk}-fentanyl")
    page.get_by_role("button", name="Record these screens").click()
    summary = page.locator("#error-summary")
    assert "Row Person: Analytes" in summary.inner_text()
    assert DrugScreen.objects.count() == 0
    tablet.shot("screens-today-refused.png")
