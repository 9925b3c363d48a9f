"""Issue 10, My plan and Questionnaires: the signed plan in the patient's words, the
relapse-prevention plan kept in versions (and seen on the chart), questionnaires due
from the plan's measures, answered in the portal only where the licence and the
language allow, and PHQ-9 item 9 above 0 raising the suicide alert (staff or patient)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client

from tandem.rulesets import load_patient_texts
from tandem.services import intake, plans, portal_accounts, portal_questionnaires
from tandem.services.actors import Actor
from tandem.services.clock import FixedClock, use_clock
from tandem.services.errors import ValidationFailed
from tandem.storage.models import Alert, CarePlan, InstrumentAdministration, RelapsePreventionPlan
from tests.integration.support import World, sign_in

PASSWORD = "a long pass phrase 42"
PHQ9 = [1, 1, 0, 2, 1, 0, 1, 0]  # items 1-8; item 9 added per test


def _enrolled(world: World, language: str = "en") -> Client:
    _, code, _ = portal_accounts.invite(Actor(world.a.staff["intake"].user), world.a.patient.pk)
    client = Client()
    response = client.post(
        "/me/enrol",
        {"code": code, "username": "river-7", "password": PASSWORD, "language": language},
    )
    assert response.status_code == 302, response.content[:500]
    return client


def _sign(world: World) -> CarePlan:
    therapist = world.a.staff["therapist"]
    therapist.display_name = "Dana Reyes"
    therapist.save()
    actor = Actor(user=therapist.user)
    plan = world.a.plan
    items = plans.plan_as_dict(plan)["interventions"]
    for item in items:
        item["responsible"] = therapist.pk
    plan = plans.update_plan(
        actor,
        plan.pk,
        expected_version=plan.version,
        interventions=items,
        review_on=plans.default_review_on(),
    )
    return plans.sign_plan(actor, plan.pk)


@contextmanager
def _a_week_later() -> Iterator[None]:
    """A week after signing: the intake's PHQ-9 counted for the first due date; the
    second is due now."""
    with use_clock(FixedClock(dt.datetime.now(dt.UTC) + dt.timedelta(days=7))):
        yield


def _answers(item9: int) -> dict[str, str]:
    return {f"item_{n}": str(v) for n, v in enumerate([*PHQ9, item9], start=1)}


# My plan


def test_plan_page_says_not_yet_without_a_signed_plan(world: World) -> None:
    page = _enrolled(world).get("/me/plan")
    assert page.status_code == 200
    assert b"Your plan is not ready yet" in page.content
    assert b"My relapse-prevention plan" in page.content


def test_plan_page_shows_each_intervention_in_patient_words(world: World) -> None:
    plan = _sign(world)
    page = _enrolled(world).get("/me/plan")
    text = page.content.decode()
    texts = load_patient_texts()["interventions"]
    for item in plan.interventions.all():
        sentence = texts[item.intervention_id]["en"]
        assert sentence.replace("'", "&#x27;") in text
    assert "Dana Reyes, your therapist" in text
    assert "How often" in text
    if plan.interventions.filter(intervention_id="safety_plan").exists():
        assert "My safety plan" in text
        assert "Your plan includes a safety plan" in _enrolled_help(world)


def test_spanish_plan_page_shows_each_intervention_in_spanish(world: World) -> None:
    plan = _sign(world)
    text = _enrolled(world, language="es").get("/me/plan").content.decode()
    texts = load_patient_texts()["interventions"]
    for item in plan.interventions.all():
        assert texts[item.intervention_id]["es"] in text
        assert texts[item.intervention_id]["en"].replace("'", "&#x27;") not in text
    assert "Con qué frecuencia" in text
    assert 'lang="en"' not in text.split("<main", 1)[1]


def _enrolled_help(world: World) -> str:
    client = Client()
    client.post("/me/sign-in", {"username": "river-7", "password": PASSWORD})
    return client.get("/me/help").content.decode()


def test_a_draft_after_signing_still_shows_the_signed_version(world: World) -> None:
    plan = _sign(world)
    items = plans.plan_as_dict(plan)["interventions"]
    plans.update_plan(
        Actor(user=world.a.staff["therapist"].user),
        plan.pk,
        expected_version=plan.version,
        interventions=items,
        review_on=plans.default_review_on(),
    )  # back to draft
    page = _enrolled(world).get("/me/plan")
    assert b"Your plan is not ready yet" not in page.content


def test_relapse_prevention_edits_are_versions_and_the_chart_shows_the_newest(
    world: World,
) -> None:
    client = _enrolled(world)
    first = {"triggers": "payday\nFriday nights", "coping_steps": "walk the dog"}
    assert client.post("/me/plan/relapse-prevention", first).status_code == 302
    second = {**first, "people_to_call": "Sam 555-0101"}
    response = client.post("/me/plan/relapse-prevention", second)
    assert response.status_code == 302
    rows = RelapsePreventionPlan.objects.filter(patient=world.a.patient).order_by("version")
    assert [(r.version, r.written_by_patient) for r in rows] == [(1, True), (2, True)]
    assert b"Sam 555-0101" in client.get("/me/plan").content
    chart = sign_in(Client(), world.a.staff["therapist"]).get(
        f"/clinic/patients/{world.a.patient.pk}/"
    )
    text = chart.content.decode()
    assert "Version 2, written by river-7" in text
    assert "Sam 555-0101" in text
    assert f"/clinic/patients/{world.a.patient.pk}/relapse-prevention" in text


def test_relapse_prevention_error_names_the_field(world: World) -> None:
    client = _enrolled(world)
    response = client.post("/me/plan/relapse-prevention", {"triggers": "x" * 4001})
    assert response.status_code == 400
    assert b"at most 4,000 characters" in response.content
    assert not RelapsePreventionPlan.objects.filter(patient=world.a.patient).exists()


def test_clinician_edits_the_plan_as_a_new_version(world: World) -> None:
    client = sign_in(Client(), world.a.staff["therapist"])
    url = f"/clinic/patients/{world.a.patient.pk}/relapse-prevention"
    assert client.get(url).status_code == 200
    response = client.post(url, {"warning_signs": "skipping meals"})
    assert response.status_code == 302
    saved = RelapsePreventionPlan.objects.get(patient=world.a.patient)
    assert (saved.version, saved.written_by_patient) == (1, False)
    # A clinician off the care team cannot reach it at all.
    outsider = sign_in(Client(), world.a.staff["prescriber"])
    assert outsider.get(url).status_code == 404


# Questionnaires


def test_without_a_signed_plan_nothing_is_due(world: World) -> None:
    page = _enrolled(world).get("/me/questionnaires")
    assert b"No questionnaires yet" in page.content
    assert _enrolled_get(world, "/me/questionnaires/phq9").status_code == 400


def _enrolled_get(world: World, url: str) -> object:
    client = Client()
    client.post("/me/sign-in", {"username": "river-7", "password": PASSWORD})
    return client.get(url)


def test_phq9_is_due_a_week_after_signing_and_is_stored_from_the_portal(world: World) -> None:
    _sign(world)
    with _a_week_later():
        client = _enrolled(world)
        listing = client.get("/me/questionnaires")
        assert b"Due now" in listing.content
        form = client.get("/me/questionnaires/phq9")
        assert form.status_code == 200
        assert b"Little interest or pleasure in doing things" in form.content
        response = client.post("/me/questionnaires/phq9", _answers(0))
        assert response.status_code == 302
        assert response["Location"] == "/me/questionnaires?thanks=1"
        record = InstrumentAdministration.objects.filter(source="portal").get()
        assert (record.total, record.band, record.recorded_by) == (6, "mild", None)
        assert b"Answered on" in client.get("/me/questionnaires").content
        # Done: not offered again until the next due date.
        assert client.get("/me/questionnaires/phq9").status_code == 400
    assert not Alert.objects.filter(patient=world.a.patient, kind="suicide_risk").exists()


def test_item9_from_the_portal_shows_help_first_and_raises_the_alert(world: World) -> None:
    _sign(world)
    with _a_week_later():
        client = _enrolled(world)
        response = client.post("/me/questionnaires/phq9", _answers(1))
        assert response.status_code == 302
        assert response["Location"] == "/me/help"
        alert = Alert.objects.get(patient=world.a.patient, kind="suicide_risk")
        assert (alert.severity, alert.score) == ("urgent", 1)
        assert alert.evidence[-1]["what"] == "PHQ-9 item 9 answered 1"
        assert alert.evidence[-1]["record_type"] == "questionnaire"
        help_page = client.get("/me/help")
        assert b"Your answers are saved and your care team has been told" in help_page.content


def test_item9_recorded_by_staff_raises_the_alert(world: World) -> None:
    actor = Actor(user=world.a.staff["therapist"].user)
    record = intake.record_administration(actor, world.a.patient.pk, "phq9", [*PHQ9, 2])
    alert = Alert.objects.get(patient=world.a.patient, kind="suicide_risk")
    assert alert.score == 2
    assert alert.evidence[-1]["record_id"] == record.pk
    assert record.source == "clinic"


def test_spanish_portal_does_not_offer_the_questionnaire(world: World) -> None:
    _sign(world)
    with _a_week_later():
        client = _enrolled(world, language="es")
        listing = client.get("/me/questionnaires")
        text = listing.content.decode()
        assert "versión oficial en español" in text
        assert "Responder ahora" not in text
        refused = client.post("/me/questionnaires/phq9", _answers(0))
        assert refused.status_code == 400
        assert not InstrumentAdministration.objects.filter(source="portal").exists()


def test_a_licensed_instrument_is_refused_with_a_clear_error(world: World) -> None:
    _sign(world)
    client = _enrolled(world)
    page = client.get("/me/questionnaires/cssrs")
    assert page.status_code == 400
    assert b"done with your clinic" in page.content
    patient_actor = portal_accounts.patient_actor(world.a.patient.portal.user)
    assert patient_actor is not None
    with pytest.raises(ValidationFailed, match="is not answered in the portal"):
        portal_questionnaires.record_own(patient_actor, "cssrs", [1, 0, "-", "-", "-", 0])
