"""Review fixes: intake dates, crisis resources, plan contents, signing and the care team.

Each test asserts the rule through the services or the pages (Django test client) on the
two-clinic world of tests/integration/support.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from tandem.services import intake, patients, placement, plans
from tandem.services.actors import Actor
from tandem.services.clock import FixedClock, get_clock, use_clock
from tandem.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tandem.storage.models import AuditEvent, CarePlan, Patient, StaffMember
from tests.integration.support import World, sign_in, signed_in_client

pytestmark = pytest.mark.django_db

CRISIS = "Risk: suicide risk present"  # the staff risk panel (issue 12 item 8)
CALM_PHQ9 = [0, 0, 0, 0, 0, 0, 0, 0, 0]
CALM_CSSRS = [0, 0, "-", "-", "-", 0]


def _actor(staff: StaffMember) -> Actor:
    return Actor(user=staff.user, via="test")


def _stimulant(on: dt.date) -> dict[str, Any]:
    return {
        "substance": "cocaine",
        "use_periods": [{"start": "2021-03", "end": None}],
        "last_use": (on - dt.timedelta(days=3)).isoformat(),
        "days_used_past_30": 6,
        "dsm_criteria_past_12_months": [1, 2, 3, 4, 5],
    }


def _patient(world: World, name: str, on: dt.date) -> tuple[Actor, Patient]:
    """A patient of clinic a, registered by its intake clinician, assessed on ``on``."""
    actor = _actor(world.a.staff["intake"])
    patient = patients.register_patient(
        actor, display_name=name, date_of_birth="1985-03-03", sex="male"
    )
    intake.save_intake_step(
        actor, patient.pk, {"assessed_on": on.isoformat(), "stimulant": _stimulant(on)}
    )
    return actor, patient


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# 8. One step, one transaction ------------------------------------------------------------


def test_a_step_with_one_bad_section_saves_none_of_its_sections(world: World) -> None:
    actor = _actor(world.a.staff["intake"])
    patient = world.a.patient
    before = intake.current_intake(patient)
    with pytest.raises(ValidationFailed) as bad:
        intake.save_intake_step(
            actor,
            patient.pk,
            {"stimulant": {**before.case["stimulant"], "days_used_past_30": 7},
             "clinical": {"functional_impairment": "awful"}},
            expected_version=before.version,
        )  # fmt: skip
    assert bad.value.field == "$.clinical.functional_impairment"
    after = intake.current_intake(patient)
    assert after.case == before.case
    assert after.version == before.version


def test_a_two_section_step_is_one_save_and_one_version(world: World) -> None:
    client = sign_in(Client(), world.a.staff["intake"])
    patient = world.a.patient
    before = intake.current_intake(patient).version
    data = {
        "use-TOTAL_FORMS": "1", "use-INITIAL_FORMS": "0", "use-0-start": "2021-03",
        "last_use": (get_clock().today() - dt.timedelta(days=3)).isoformat(),
        "days_used_past_30": "6",
        "mood-TOTAL_FORMS": "1", "mood-INITIAL_FORMS": "0", "mood-0-onset": "2016-09",
        "mood-0-end": "2017-03", "version": str(before),
    }  # fmt: skip
    response = client.post(f"/clinic/patients/{patient.pk}/intake/timeline", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = intake.current_intake(patient)
    assert after.version == before + 1
    assert after.case["depressive_episodes"] == [{"onset": "2016-09", "end": "2017-03"}]
    stale = client.post(f"/clinic/patients/{patient.pk}/intake/timeline", data)
    assert stale.status_code == 400
    assert "Someone else changed this intake" in stale.content.decode()
    assert intake.current_intake(patient).version == before + 1


def test_a_stale_step_is_refused_once_for_all_its_sections(world: World) -> None:
    actor = _actor(world.a.staff["intake"])
    current = intake.current_intake(world.a.patient)
    with pytest.raises(Conflict):
        intake.save_intake_step(
            actor,
            world.a.patient.pk,
            {"clinical": {"psychosis": True}, "program": {"complementary_offered": []}},
            expected_version=current.version - 1,
        )
    after = intake.current_intake(world.a.patient)
    assert after.case == current.case
    assert after.version == current.version


# 1. The assessment date and the questionnaires --------------------------------------------


def test_a_phq9_after_the_assessment_date_blocks_the_formulation(world: World) -> None:
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    with use_clock(FixedClock(start)) as clock:
        actor, patient = _patient(world, "Later Screen", start.date())
        intake.record_administration(actor, patient.pk, "cssrs", CALM_CSSRS)
        clock.advance(days=1)
        intake.record_administration(actor, patient.pk, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 3])
        with pytest.raises(ValidationFailed) as refused:
            intake.formulate_patient(actor, patient.pk)
        assert refused.value.field == "$.assessed_on"
        assert "move the assessment date to 2026-03-11" in refused.value.message
        assert not patient.formulations.exists()
        intake.update_intake(actor, patient.pk, "assessed_on", "2026-03-11")
        record = intake.formulate_patient(actor, patient.pk)
    assert record.output["risk"]["suicide"] != "not_screened"
    assert record.case["instruments"]["phq9"][8] == 3


def test_the_review_step_sends_the_clinician_to_the_assessment_date(world: World) -> None:
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    with use_clock(FixedClock(start)) as clock:
        actor, patient = _patient(world, "Later Screen", start.date())
        clock.advance(days=2)
        intake.record_administration(actor, patient.pk, "phq9", CALM_PHQ9)
        client = sign_in(Client(), world.a.staff["intake"])
        response = client.post(f"/clinic/patients/{patient.pk}/intake/review")
        text = response.content.decode()
        assert response.status_code == 400
        assert "move the assessment date to 2026-03-12" in text
        assert f"/clinic/patients/{patient.pk}/intake/stimulant" in text


@pytest.mark.parametrize("assessed_on", ["9999-12-31", "not-a-date"])
def test_an_assessment_date_after_today_is_refused(world: World, assessed_on: str) -> None:
    actor = _actor(world.a.staff["intake"])
    before = intake.current_intake(world.a.patient).case
    with pytest.raises(ValidationFailed) as refused:
        intake.update_intake(actor, world.a.patient.pk, "assessed_on", assessed_on)
    assert refused.value.field == "$.assessed_on"
    assert intake.current_intake(world.a.patient).case == before


def test_the_stimulant_step_names_a_future_assessment_date(world: World) -> None:
    client = sign_in(Client(), world.a.staff["intake"])
    patient = world.a.patient
    page = _page(client, f"/clinic/patients/{patient.pk}/intake/stimulant")
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    tomorrow = get_clock().today() + dt.timedelta(days=1)
    response = client.post(
        f"/clinic/patients/{patient.pk}/intake/stimulant",
        {"version": version.group(1), "assessed_on": tomorrow.isoformat(),
         "substance": "cocaine", "route": "smoked"},
    )  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_assessed_on"' in text
    assert "is after today" in text


def test_a_new_assessment_date_defaults_to_the_latest_questionnaire(world: World) -> None:
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    with use_clock(FixedClock(start)) as clock:
        actor = _actor(world.a.staff["intake"])
        patient = patients.register_patient(
            actor, display_name="Early Screen", date_of_birth="1985-03-03", sex="male"
        )
        intake.record_administration(actor, patient.pk, "phq9", CALM_PHQ9)
        clock.advance(days=4)
        client = sign_in(Client(), world.a.staff["intake"])
        page = _page(client, f"/clinic/patients/{patient.pk}/intake/stimulant")
    assert 'value="2026-03-10"' in page


# 2. Crisis resources on every patient page ----------------------------------------------


def test_a_screen_after_a_calm_formulation_shows_crisis_resources_everywhere(
    world: World,
) -> None:
    actor, patient = _patient(world, "Calm Then Not", get_clock().today())
    intake.record_administration(actor, patient.pk, "phq9", CALM_PHQ9)
    intake.record_administration(actor, patient.pk, "cssrs", CALM_CSSRS)
    record = intake.formulate_patient(actor, patient.pk)
    assert record.output["risk"]["suicide"] == "none"
    flags = [flag["id"] for flag in placement.review_flags(record)]
    placement.decide_placement(
        actor, record.pk, level=record.recommended_level, acknowledged_flags=flags
    )
    plan = plans.draft_plan(actor, record.pk)
    client = sign_in(Client(), world.a.staff["intake"])
    urls = [
        f"/clinic/patients/{patient.pk}/",
        f"/clinic/formulations/{record.pk}/",
        f"/clinic/plans/{plan.pk}/",
        f"/clinic/patients/{patient.pk}/care-team",
        f"/clinic/patients/{patient.pk}/intake/review",
    ]
    assert not any(CRISIS in _page(client, url) for url in urls)
    intake.record_administration(actor, patient.pk, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2])
    for url in urls:
        assert CRISIS in _page(client, url), url


def test_a_formulation_with_suicide_risk_shows_crisis_resources_on_the_chart(
    world: World,
) -> None:
    # world.a.patient: C-SSRS q1 = 1, the low tier; its formulation says "low".
    assert world.a.formulation.output["risk"]["suicide"] == "low"
    client = sign_in(Client(), world.a.staff["therapist"])
    assert CRISIS in _page(client, f"/clinic/patients/{world.a.patient.pk}/")
    assert CRISIS in _page(client, f"/clinic/plans/{world.a.plan.pk}/")


# 6. What a plan may hold ------------------------------------------------------------------


def _items(plan: CarePlan) -> list[dict[str, Any]]:
    return list(plans.plan_as_dict(plan)["interventions"])


def _update(world: World, items: list[dict[str, Any]]) -> CarePlan:
    plan = world.a.plan
    return plans.update_plan(
        _actor(world.a.staff["therapist"]), plan.pk, expected_version=plan.version,
        interventions=items, review_on=None,
    )  # fmt: skip


def test_a_made_up_intervention_is_refused(world: World) -> None:
    items = _items(world.a.plan)
    items.append({**items[0], "intervention_id": "crystal_healing"})
    with pytest.raises(ValidationFailed) as refused:
        _update(world, items)
    assert refused.value.field == f"interventions[{len(items) - 1}].intervention_id"
    assert "crystal_healing" not in [i["intervention_id"] for i in _items(world.a.plan)]


def test_an_intervention_twice_or_in_the_wrong_category_is_refused(world: World) -> None:
    items = _items(world.a.plan)
    with pytest.raises(ValidationFailed) as twice:
        _update(world, [*items, items[0]])
    assert twice.value.field == f"interventions[{len(items)}].intervention_id"
    with pytest.raises(ValidationFailed) as category:
        _update(world, [{**items[0], "category": "somatic_neuro"}, *items[1:]])
    assert category.value.field == "interventions[0].category"


@pytest.mark.parametrize("removed", ["safety_plan", "overdose_prevention"])
def test_a_safety_intervention_the_formulation_requires_cannot_be_removed(
    world: World, removed: str
) -> None:
    items = _items(world.a.plan)
    kept = [i for i in items if i["intervention_id"] != removed]
    assert len(kept) == len(items) - 1
    with pytest.raises(ValidationFailed) as refused:
        _update(world, kept)
    assert refused.value.field == "interventions"
    assert removed in refused.value.message
    assert len(_items(world.a.plan)) == len(items)


def test_other_interventions_may_be_removed(world: World) -> None:
    items = _items(world.a.plan)
    kept = [i for i in items if i["intervention_id"] in ("safety_plan", "overdose_prevention")]
    assert [i["intervention_id"] for i in _items(_update(world, kept))] == [
        i["intervention_id"] for i in kept
    ]


def test_text_longer_than_the_column_is_refused_not_cut(world: World) -> None:
    items = _items(world.a.plan)
    items[1] = {**items[1], "frequency": "x" * 201}
    with pytest.raises(ValidationFailed) as refused:
        _update(world, items)
    assert refused.value.field == "interventions[1].frequency"
    assert "at most 200 characters" in refused.value.message
    items[1]["frequency"] = "x" * 200
    assert _items(_update(world, items))[1]["frequency"] == "x" * 200


def test_an_empty_plan_cannot_be_signed(world: World) -> None:
    plan = world.a.plan
    CarePlan.objects.filter(pk=plan.pk).update(review_on=get_clock().today())
    plan.interventions.all().delete()
    with pytest.raises(ValidationFailed) as refused:
        plans.sign_plan(_actor(world.a.staff["therapist"]), plan.pk)
    assert refused.value.field == "interventions"
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_the_api_refuses_a_made_up_or_missing_safety_intervention(world: World) -> None:
    client = signed_in_client(world.a.staff["therapist"], world)
    url = f"/api/v1/plans/{world.a.plan.pk}"
    items = _items(world.a.plan)
    for bad, field in (
        ([*items, {**items[0], "intervention_id": "made_up"}], f"interventions[{len(items)}]"),
        ([i for i in items if i["intervention_id"] != "safety_plan"], "interventions"),
    ):
        body = {"expected_version": world.a.plan.version, "interventions": bad, "review_on": None}
        response = client.put(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 422, response.content  # the API's invalid-input status
        assert response.json()["error"]["field"].startswith(field)
    world.a.plan.refresh_from_db()
    assert world.a.plan.version == 1


# 7. The intake clinician signs; the care team ----------------------------------------------


def _ready_to_sign(world: World) -> CarePlan:
    plan = world.a.plan
    items = [{**i, "responsible": world.a.staff["therapist"].pk} for i in _items(plan)]
    review = (get_clock().today() + dt.timedelta(days=30)).isoformat()
    return plans.update_plan(
        _actor(world.a.staff["intake"]), plan.pk, expected_version=plan.version,
        interventions=items, review_on=review,
    )  # fmt: skip


def test_the_intake_clinician_signs_the_plan_of_a_care_team_patient(world: World) -> None:
    plan = _ready_to_sign(world)
    client = sign_in(Client(), world.a.staff["intake"])
    response = client.post(f"/clinic/plans/{plan.pk}/sign", {"version": str(plan.version)})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "signed"
    assert plan.signed_by == world.a.staff["intake"]


def test_an_intake_clinician_off_the_care_team_cannot_sign(world: World) -> None:
    plan = _ready_to_sign(world)
    other = StaffMember.objects.create(
        user=type(world.a.staff["intake"].user).objects.create(username="north-intake-2"),
        organization=world.a.staff["intake"].organization,
        role="intake",
        display_name="Second Intake",
    )
    with pytest.raises(NotFound):
        plans.sign_plan(_actor(other), plan.pk)
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_registering_puts_the_clinician_on_the_care_team(world: World) -> None:
    actor = _actor(world.a.staff["intake"])
    patient = patients.register_patient(
        actor, display_name="New Person", date_of_birth="1990-01-01", sex="female"
    )
    assert list(patient.care_team.all()) == [world.a.staff["intake"]]


def _team_post(client: Client, patient: Patient, change: str, staff: StaffMember) -> Any:
    return client.post(
        f"/clinic/patients/{patient.pk}/care-team", {"change": change, "staff": str(staff.pk)}
    )


def test_the_intake_clinician_adds_a_therapist_who_then_sees_the_patient(world: World) -> None:
    actor = _actor(world.a.staff["intake"])
    patient = patients.register_patient(
        actor, display_name="Team Person", date_of_birth="1990-01-01", sex="female"
    )
    prescriber = world.a.staff["prescriber"]
    assert sign_in(Client(), prescriber).get(f"/clinic/patients/{patient.pk}/").status_code == 404
    client = sign_in(Client(), world.a.staff["intake"])
    chart = _page(client, f"/clinic/patients/{patient.pk}/")
    assert f'href="/clinic/patients/{patient.pk}/care-team"' in chart
    response = _team_post(client, patient, "add", prescriber)
    assert response.status_code == 302
    assert prescriber in patient.care_team.all()
    assert AuditEvent.objects.filter(
        action="patient.care_team.add", patient_id=patient.pk, record_id=str(prescriber.pk)
    ).exists()
    assert sign_in(Client(), prescriber).get(f"/clinic/patients/{patient.pk}/").status_code == 200
    page = _page(client, f"/clinic/patients/{patient.pk}/care-team")
    assert prescriber.display_name in page


def test_another_clinics_staff_cannot_be_added(world: World) -> None:
    patient = world.a.patient
    before = set(patient.care_team.values_list("pk", flat=True))
    for role in ("intake", "director", "admin"):
        client = sign_in(Client(), world.a.staff[role])
        response = _team_post(client, patient, "add", world.b.staff["therapist"])
        assert response.status_code == 400
        assert escape("a staff member of this patient's clinic") in response.content.decode()
    with pytest.raises(ValidationFailed) as refused:
        patients.add_to_care_team(
            _actor(world.a.staff["director"]), patient.pk, world.b.staff["therapist"].pk
        )
    assert refused.value.field == "staff"
    assert set(patient.care_team.values_list("pk", flat=True)) == before


def test_only_directors_admins_and_the_intake_clinician_change_the_team(world: World) -> None:
    patient = world.a.patient
    peer = world.a.staff["peer_specialist"]
    # The therapist is on the team and may see the patient, but not change the team.
    therapist = sign_in(Client(), world.a.staff["therapist"])
    assert _team_post(therapist, patient, "add", peer).status_code == 403
    # The prescriber is not on the team: the patient does not exist for them.
    prescriber = sign_in(Client(), world.a.staff["prescriber"])
    assert _team_post(prescriber, patient, "add", peer).status_code == 404
    assert peer not in patient.care_team.all()
    director = sign_in(Client(), world.a.staff["director"])
    assert _team_post(director, patient, "add", peer).status_code == 302
    admin = sign_in(Client(), world.a.staff["admin"])
    assert _team_post(admin, patient, "remove", peer).status_code == 302
    assert peer not in patient.care_team.all()
    with pytest.raises(Forbidden):
        patients.add_to_care_team(_actor(world.a.staff["therapist"]), patient.pk, peer.pk)


def test_the_care_team_is_never_left_empty(world: World) -> None:
    patient = world.a.patient
    director = _actor(world.a.staff["director"])
    patients.remove_from_care_team(director, patient.pk, world.a.staff["therapist"].pk)
    with pytest.raises(ValidationFailed, match="at least one member"):
        patients.remove_from_care_team(director, patient.pk, world.a.staff["intake"].pk)
    assert list(patient.care_team.all()) == [world.a.staff["intake"]]


# The timeline's "add a row" button (htmx, with a no-JS fallback) -------------------------


def test_adding_a_timeline_row_without_javascript_keeps_the_input_and_saves_nothing(
    world: World,
) -> None:
    client = sign_in(Client(), world.a.staff["intake"])
    patient = world.a.patient
    url = f"/clinic/patients/{patient.pk}/intake/timeline"
    page = _page(client, url)
    assert "vendor/htmx-2.0.11.min.js" in page
    before = intake.current_intake(patient)
    data = {
        "version": str(before.version), "add": "mood",
        "use-TOTAL_FORMS": "1", "use-INITIAL_FORMS": "0", "use-0-start": "2019-06",
        "last_use": "", "last_use_unknown": "on", "days_used_past_30": "4",
        "mood-TOTAL_FORMS": "1", "mood-INITIAL_FORMS": "0", "mood-0-onset": "2021-06",
    }  # fmt: skip
    response = client.post(url, data)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'name="mood-TOTAL_FORMS" value="2"' in text
    assert 'id="id_mood-1-onset"' in text
    assert 'value="2021-06"' in text
    assert 'value="2019-06"' in text
    assert 'name="use-TOTAL_FORMS" value="1"' in text
    after = intake.current_intake(patient)
    assert (after.version, after.case) == (before.version, before.case)
