"""Clinician pages through the Django test client: roles, validation, the intake flow.

The world (two clinics, staff of every role, one formulated patient each) is built
through the services by tests/integration/support.py.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from tandem.domain.formulation.explanations import explain
from tandem.services.clock import get_clock
from tandem.storage.models import CarePlan, FormulationRecord, Patient, Placement, Referral
from tests.integration.support import CANARY, World, sign_in

pytestmark = pytest.mark.django_db

INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def client_for(world_staff: Any) -> Client:
    return sign_in(Client(), world_staff)


def assert_csp_safe(html: str) -> None:
    assert not INLINE_HANDLER.search(html), "an inline on*= handler"
    assert not INLINE_SCRIPT.search(html), "an inline <script>"


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, world: World) -> None:
    for url in ("/clinic/", f"/clinic/patients/{world.a.patient.pk}/", "/clinic/referrals"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login")


def test_caseload_lists_only_the_patients_the_clinician_may_see(world: World) -> None:
    response = client_for(world.a.staff["intake"]).get("/clinic/")
    text = response.content.decode()
    assert response.status_code == 200
    assert CANARY in text
    assert "Southern Patient" not in text
    assert "north second patient" not in text  # not on the intake clinician's care team
    assert "Suicide risk" in text
    assert "Plan review due" in text
    assert_csp_safe(text)


def test_the_director_sees_the_whole_clinic(world: World) -> None:
    text = client_for(world.a.staff["director"]).get("/clinic/").content.decode()
    assert CANARY in text
    assert "north second patient" in text


@pytest.mark.parametrize("path", ["chart", "intake/stimulant", "intake/review"])
def test_another_clinic_gets_404_for_a_chart_and_its_intake(world: World, path: str) -> None:
    client = client_for(world.b.staff["therapist"])
    suffix = "" if path == "chart" else path
    response = client.get(f"/clinic/patients/{world.a.patient.pk}/{suffix}")
    assert response.status_code == 404
    assert CANARY not in response.content.decode()


def test_a_missing_patient_looks_like_a_forbidden_one(world: World) -> None:
    client = client_for(world.a.staff["therapist"])
    missing = client.get("/clinic/patients/999999/")
    forbidden = client.get(f"/clinic/patients/{world.a.outsider_patient.pk}/")
    assert missing.status_code == forbidden.status_code == 404


def test_formulation_and_plan_of_another_clinic_are_404(world: World) -> None:
    client = client_for(world.b.staff["director"])
    assert client.get(f"/clinic/formulations/{world.a.formulation.pk}/").status_code == 404
    assert client.get(f"/clinic/plans/{world.a.plan.pk}/").status_code == 404


def test_the_chart_shows_formulation_placement_plan_and_scores(world: World) -> None:
    response = client_for(world.a.staff["therapist"]).get(f"/clinic/patients/{world.a.patient.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    for heading in ("Formulation", "Placement history", "Plan", "Scores so far"):
        assert heading in text
    assert "PHQ-9" in text
    # C-SSRS q1 = 1 gives the low tier: crisis resources on the chart (DESIGN.md s5).
    assert "Risk: suicide risk present" in text
    assert_csp_safe(text)


def test_new_patient_errors_name_the_field(world: World) -> None:
    client = client_for(world.a.staff["intake"])
    response = client.post("/clinic/patients/new", {"display_name": "", "sex": "female"})
    text = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_display_name"' in text
    assert "Name: This field is required." in text
    assert "Date of birth: This field is required." in text


def test_a_role_that_may_not_register_gets_403_and_nothing_is_saved(world: World) -> None:
    before = Patient.objects.count()
    client = client_for(world.a.staff["peer_specialist"])
    form = {"display_name": "New Person", "date_of_birth": "1990-01-01", "sex": "male"}
    response = client.post("/clinic/patients/new", form)
    assert response.status_code == 403
    assert Patient.objects.count() == before


def post_step(client: Client, patient: Patient, step: str, data: dict[str, Any]) -> Any:
    page = client.get(f"/clinic/patients/{patient.pk}/intake/{step}")
    version = re.search(rb'name="version" value="(\d+)"', page.content)
    assert version, f"the {step} step carries no version"
    return client.post(
        f"/clinic/patients/{patient.pk}/intake/{step}",
        {"version": version.group(1).decode(), **data},
    )


def formset(prefix: str, rows: list[dict[str, str]], extra: int = 0) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows) + extra), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def record(client: Client, patient: Patient, instrument: str, answers: list[object]) -> Any:
    data = {f"item_{n}": str(v) for n, v in enumerate(answers, start=1) if v != "-"}
    data["idempotency_key"] = f"{instrument}-{patient.pk}"
    return client.post(f"/clinic/patients/{patient.pk}/intake/instruments/{instrument}", data)


def timeline_data(today: dt.date) -> dict[str, str]:
    return {
        **formset("use", [{"start": "2019", "end": "2020-06"}, {"start": "2023-02", "end": ""}]),
        "last_use": (today - dt.timedelta(days=2)).isoformat(),
        "days_used_past_30": "10",
        **formset("mood", [{"onset": "2016-09", "end": "2017-03"}, {"onset": "2024-01"}]),
    }


def test_the_intake_flow_end_to_end(world: World) -> None:
    today = get_clock().today()
    client = client_for(world.a.staff["therapist"])
    response = client.post(
        "/clinic/patients/new",
        {"display_name": "Robin Example", "date_of_birth": "1988-04-02", "sex": "female"},
    )
    assert response.status_code == 302
    patient = Patient.objects.get(display_name="Robin Example")
    assert response["Location"] == f"/clinic/patients/{patient.pk}/intake/stimulant"
    assert "Robin" not in response["Location"]

    stimulant = {
        "assessed_on": today.isoformat(), "substance": "cocaine", "route": "smoked",
        "criteria_assessed": "yes",
        "dsm_criteria_past_12_months": ["1", "2", "3", "4", "6", "9", "11"], "uses_alone": "yes",
        "opioid_co_use": "no", "overdose_past_12_months": "no",
    }  # fmt: skip
    response = post_step(client, patient, "stimulant", stimulant)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = post_step(client, patient, "timeline", timeline_data(today))
    assert response.status_code == 302, response.content.decode()[:3000]

    assert record(client, patient, "phq9", [2, 2, 2, 2, 1, 1, 1, 1, 0]).status_code == 302
    assert record(client, patient, "cssrs", [0, 0, "-", "-", "-", 0]).status_code == 302
    listing = client.get(f"/clinic/patients/{patient.pk}/intake/instruments").content.decode()
    assert "moderate" in listing

    clinical = {
        "functional_impairment": "moderate", "recovery_environment": "supportive",
        "mdd_severity": "moderate", **formset("prior", [{"level": "iop", "response": "none"}]),
        "psychosis": "no", "medically_unstable": "no", "homicidal_ideation": "none",
    }  # fmt: skip
    response = post_step(client, patient, "clinical", clinical)
    assert response.status_code == 302, response.content.decode()[:3000]

    review = client.get(f"/clinic/patients/{patient.pk}/intake/review")
    assert "2023-02" in review.content.decode()
    response = client.post(f"/clinic/patients/{patient.pk}/intake/review")
    assert response.status_code == 302
    record_ = FormulationRecord.objects.get(patient=patient)
    assert response["Location"] == f"/clinic/formulations/{record_.pk}/"

    page = client.get(response["Location"]).content.decode()
    assert "this program's choices" in page
    assert "not a validated instrument" in page
    from tandem.domain.labels import rule_label

    assert rule_label(record_.output["placement"]["rule"]) in page  # words, never "P3"
    assert escape(explain(record_.output["onset_order"], "clinician")) in page
    assert "Provisional" in page or record_.output["current_depression"] != (
        "substance_induced_provisional"
    )
    assert_csp_safe(page)

    other = "outpatient" if record_.recommended_level != "outpatient" else "iop"
    response = client.post(response["Location"], {"level": other, "override_reason": ""})
    assert response.status_code == 400
    assert 'href="#id_override_reason"' in response.content.decode()
    assert Placement.objects.filter(patient=patient).count() == 0
    response = client.post(
        f"/clinic/formulations/{record_.pk}/",
        {"level": other, "override_reason": "patient works days; prefers evening group"},
    )
    assert response.status_code == 302
    assert Placement.objects.get(patient=patient).decided_level == other

    response = client.post(f"/clinic/formulations/{record_.pk}/plan")
    plan = CarePlan.objects.get(patient=patient)
    assert response["Location"] == f"/clinic/plans/{plan.pk}/"

    # Signing before anyone is responsible is refused with the reason.
    response = client.post(f"/clinic/plans/{plan.pk}/sign", {"version": str(plan.version)})
    assert response.status_code == 400
    assert "Not signed" in response.content.decode()

    therapist = world.a.staff["therapist"]
    count = plan.interventions.count()
    rows = [
        {"responsible": str(therapist.pk), "frequency": "weekly", "measure": "PHQ-9",
         "target": "below 5"}
        for _ in range(count)
    ]  # fmt: skip
    edit = {"version": str(plan.version), "review_on": (today + dt.timedelta(days=30)).isoformat()}
    edit.update(formset("iv", rows))
    edit["iv-INITIAL_FORMS"] = str(count)
    response = client.post(f"/clinic/plans/{plan.pk}/", edit)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    response = client.post(f"/clinic/plans/{plan.pk}/sign", {"version": str(plan.version)})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "signed"
    assert plan.signed_by == therapist

    chart = client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert "signed" in chart
    assert "patient works days" in chart


def test_a_timeline_error_names_the_row_and_saves_nothing(world: World) -> None:
    client = client_for(world.a.staff["intake"])
    patient = world.a.patient
    before = patient.intakes.get().case
    data = {
        **formset("use", [{"start": "2021-03", "end": "2019-01"}]),
        "last_use": "",
        "last_use_unknown": "on",
        "days_used_past_30": "0",
        **formset("mood", [{"onset": "2016-9"}]),
    }
    response = post_step(client, patient, "timeline", data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "Depressive episode 1, depressive episode began: write the date as" in text
    data["mood-0-onset"] = "2016-09"
    response = post_step(client, patient, "timeline", data)
    text = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_use-0-end"' in text
    assert "cannot end before it began" in text
    assert patient.intakes.get().case == before


def test_an_instrument_error_names_the_item(world: World) -> None:
    client = client_for(world.a.staff["intake"])
    patient = world.a.patient
    # C-SSRS: when q2 = 1, q3-q5 must be answered (instruments.md).
    response = record(client, patient, "cssrs", [1, 1, "-", 0, 0, 0])
    text = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_item_3"' in text
    missing = record(client, patient, "phq9", [1, 1, 1, "-", 1, 1, 1, 1, 1])
    assert missing.status_code == 400
    assert 'href="#id_item_4"' in missing.content.decode()


def test_unknown_instrument_or_step_is_404(world: World) -> None:
    client = client_for(world.a.staff["intake"])
    base = f"/clinic/patients/{world.a.patient.pk}/intake"
    assert client.get(f"{base}/instruments/nope").status_code == 404
    assert client.get(f"{base}/nope").status_code == 404


def test_referrals_list_shows_only_this_clinics_referrals(world: World) -> None:
    from tandem.services.referrals import submit_referral

    for clinic, name in ((world.a, "North Caller"), (world.b, "South Caller")):
        submit_referral(
            organization_id=clinic.staff["intake"].organization_id, contact_name=name,
            phone="555-0100", preferred_contact="phone", shared={},
            consent_text="I agree.", consented_at=get_clock().now(),
        )  # fmt: skip
    text = client_for(world.a.staff["intake"]).get("/clinic/referrals").content.decode()
    assert "North Caller" in text
    assert "South Caller" not in text
    assert Referral.objects.count() == 2
    assert client_for(world.a.staff["therapist"]).get("/clinic/referrals").status_code == 403


def test_intake_staff_mark_a_referral_contacted_only_in_their_clinic(world: World) -> None:
    from tandem.services.referrals import submit_referral

    referral = submit_referral(
        organization_id=world.a.staff["intake"].organization_id, contact_name="North Caller",
        email="caller@example.org", preferred_contact="email", shared={},
        consent_text="I agree.", consented_at=get_clock().now(),
    )  # fmt: skip
    url = f"/clinic/referrals/{referral.pk}/status"
    other = client_for(world.b.staff["intake"]).post(url, {"status": "closed"})
    assert other.status_code == 404
    bad = client_for(world.a.staff["intake"]).post(url, {"status": "lost"})
    assert bad.status_code == 400
    assert "status: expected one of" in bad.content.decode()
    ok = client_for(world.a.staff["intake"]).post(url, {"status": "contacted"})
    assert ok.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "contacted"


def test_intake_pages_show_crisis_resources_once_a_screen_shows_risk(world: World) -> None:
    client = client_for(world.a.staff["intake"])
    # world.a.patient's C-SSRS answered q1 = 1: the low tier (instruments.md).
    flagged = client.get(f"/clinic/patients/{world.a.patient.pk}/intake/instruments")
    assert "Risk: suicide risk present" in flagged.content.decode()
    response = client.post(
        "/clinic/patients/new",
        {"display_name": "Calm Person", "date_of_birth": "1980-02-02", "sex": "male"},
    )
    fresh = client.get(response["Location"])
    assert "Risk: suicide risk present" not in fresh.content.decode()
    patient = Patient.objects.get(display_name="Calm Person")
    record(client, patient, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])  # item 9 above 0
    again = client.get(f"/clinic/patients/{patient.pk}/intake/instruments")
    assert "Risk: suicide risk present" in again.content.decode()


def test_the_caseload_marks_a_plan_review_that_is_due(world: World) -> None:
    from tandem.services import plans
    from tandem.services.actors import Actor
    from tandem.services.clock import FixedClock, use_clock

    now = get_clock().now()
    plan = world.a.plan
    plans.update_plan(
        Actor(user=world.a.staff["therapist"].user), plan.pk, expected_version=plan.version,
        interventions=plans.plan_as_dict(plan)["interventions"],
        review_on=(now.date() + dt.timedelta(days=7)).isoformat(),
    )  # fmt: skip
    client = client_for(world.a.staff["therapist"])
    assert "badge urgent" not in client.get("/clinic/").content.decode()
    with use_clock(FixedClock(now + dt.timedelta(days=8))):
        later = client_for(world.a.staff["therapist"]).get("/clinic/").content.decode()
    assert '<span class="badge urgent">due</span>' in later


def test_the_caseload_shows_no_placeholder_text_for_missing_dates(world: World) -> None:
    text = client_for(world.a.staff["therapist"]).get("/clinic/").content.decode()
    assert "null" not in text
    assert "None" not in text


@pytest.mark.parametrize(("role", "status"), [("peer_specialist", 404), ("admin", 403)])
def test_only_signing_roles_can_sign_a_plan(world: World, role: str, status: int) -> None:
    """plan.sign: intake (own care team), therapist, prescriber, director
    (services.permissions). The peer specialist is not on this patient's care team, so
    the plan does not exist for them; the admin makes no clinical entries."""
    plan = world.a.plan
    response = client_for(world.a.staff[role]).post(
        f"/clinic/plans/{plan.pk}/sign", {"version": str(plan.version)}
    )
    assert response.status_code == status
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_the_admin_reads_the_clinic_but_makes_no_clinical_entries(world: World) -> None:
    client = client_for(world.a.staff["admin"])
    assert client.get("/clinic/").status_code == 200
    assert client.get(f"/clinic/patients/{world.a.patient.pk}/").status_code == 200
    form = {"display_name": "Admin Entry", "date_of_birth": "1990-01-01", "sex": "male"}
    assert client.post("/clinic/patients/new", form).status_code == 403
    assert not Patient.objects.filter(display_name="Admin Entry").exists()
