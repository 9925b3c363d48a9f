"""Issue 12, "The clinic app as clinicians use it": each finding, through the pages and
the services (tests/integration/support.py builds the two-clinic world)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tandem.services import placement, plans
from tandem.services.actors import Actor
from tandem.services.errors import ValidationFailed
from tandem.storage.models import AuditEvent, CarePlan
from tests.integration.support import World, sign_in

pytestmark = pytest.mark.django_db


def client_for(staff: Any) -> Client:
    return sign_in(Client(), staff)


def _sign(world: World) -> CarePlan:
    """Give every intervention a responsible clinician and a review date, then sign."""
    actor = Actor(user=world.a.staff["therapist"].user)
    plan = world.a.plan
    items = plans.plan_as_dict(plan)["interventions"]
    for item in items:
        item["responsible"] = world.a.staff["therapist"].pk
    review = plans.default_review_on()
    plan = plans.update_plan(
        actor, plan.pk, expected_version=plan.version, interventions=items, review_on=review
    )
    return plans.sign_plan(actor, plan.pk)


# 1. The plan follows the decided level; a new decision sends it back to review.


def test_a_plan_drafted_after_an_override_follows_the_decided_level(world: World) -> None:
    actor = Actor(user=world.a.staff["intake"].user)
    record = world.a.formulation
    frequencies = plans.level_frequencies(record)
    other = "outpatient" if record.recommended_level != "outpatient" else "iop"
    placement.decide_placement(actor, record.pk, level=other, override_reason="prefers evenings")
    fresh = plans.draft_plan(actor, record.pk)
    schedules = [i.frequency for i in fresh.interventions.all()]
    assert frequencies[other] in schedules
    assert frequencies[record.recommended_level] not in schedules


def test_a_new_decision_sends_a_signed_plan_back_to_review(world: World) -> None:
    signed = _sign(world)
    assert signed.status == "signed"
    record = world.a.formulation
    other = "outpatient" if record.recommended_level != "outpatient" else "iop"
    actor = Actor(user=world.a.staff["intake"].user)
    placement.decide_placement(actor, record.pk, level=other, override_reason="prefers evenings")
    signed.refresh_from_db()
    assert signed.status == "draft"
    assert signed.version == 4  # drafted, edited, signed, returned to review
    assert signed.signed_by is None
    schedules = [i.frequency for i in signed.interventions.all()]
    assert plans.level_frequencies(record)[other] in schedules
    assert signed.versions.filter(version=4).exists()
    event = AuditEvent.objects.filter(action="plan.return_to_review").get()
    assert event.record_id == str(signed.pk) or int(event.record_id) == signed.pk
    page = client_for(world.a.staff["therapist"]).get(f"/clinic/plans/{signed.pk}/")
    assert "Outpatient" in page.content.decode() or "Intensive outpatient" in page.content.decode()


# 2. Urgent referrals: a badge, first in the list, a count in the navigation, start intake.


def _referral(world: World, name: str, *, urgent: bool) -> Any:
    from tandem.services.clock import get_clock
    from tandem.services.referrals import submit_referral

    return submit_referral(
        organization_id=world.a.staff["intake"].organization_id, contact_name=name,
        phone="555-0100", preferred_contact="phone", shared={},
        consent_text="I agree.", consented_at=get_clock().now(), urgent=urgent,
    )  # fmt: skip


def test_an_urgent_referral_shows_first_with_a_badge_and_a_count(world: World) -> None:
    _referral(world, "Urgent Caller", urgent=True)
    _referral(world, "Later Caller", urgent=False)
    text = client_for(world.a.staff["intake"]).get("/clinic/referrals").content.decode()
    assert text.index("Urgent Caller") < text.index("Later Caller")
    assert '<span class="badge urgent">Urgent</span>' in text
    assert '<span class="badge urgent">1 urgent</span>' in text  # the navigation's count
    caseload = client_for(world.a.staff["intake"]).get("/clinic/").content.decode()
    assert "1 urgent" in caseload


def test_start_intake_turns_a_referral_into_a_patient(world: World) -> None:
    from tandem.storage.models import Patient

    referral = _referral(world, "Rita Referral", urgent=True)
    client = client_for(world.a.staff["intake"])
    page = client.get(f"/clinic/referrals/{referral.pk}/intake")
    assert page.status_code == 200
    assert "Rita Referral" in page.content.decode()
    bad = client.post(f"/clinic/referrals/{referral.pk}/intake", {"sex": "female"})
    assert bad.status_code == 400
    assert "Date of birth" in bad.content.decode()
    assert not Patient.objects.filter(display_name="Rita Referral").exists()
    done = client.post(
        f"/clinic/referrals/{referral.pk}/intake",
        {"date_of_birth": "1985-02-03", "sex": "female", "display_name": "Tampered"},
    )
    patient = Patient.objects.get(display_name="Rita Referral")
    assert done.status_code == 302
    assert f"/clinic/patients/{patient.pk}/intake/" in done["Location"]
    referral.refresh_from_db()
    assert referral.patient_id == patient.pk
    assert referral.status == "contacted"
    again = client.post(
        f"/clinic/referrals/{referral.pk}/intake", {"date_of_birth": "1985-02-03", "sex": "female"}
    )
    assert again.status_code == 400
    assert Patient.objects.filter(display_name="Rita Referral").count() == 1
    listing = client.get("/clinic/referrals").content.decode()
    assert "Intake started" in listing


def test_the_selfcheck_marks_a_referral_urgent_even_when_nothing_is_shared(world: World) -> None:
    from tandem.storage.models import Referral
    from tests.integration.test_selfcheck import RISK_PHQ9, nonce, sealed, walk_to_overdose

    client = Client()
    response = client.post("/check/safety", {"answers": walk_to_overdose(client, RISK_PHQ9)})
    response = client.post("/check/contact", {"answers": sealed(response)})
    assert "marked urgent" in response.content.decode()  # the person is told before sending
    form = {
        "answers": sealed(response), "nonce": nonce(response), "contact_name": "Quiet Caller",
        "phone": "555-0100", "preferred_contact": "phone", "consent": "on",
        "clinic": str(world.a.staff["intake"].organization_id),
    }  # fmt: skip
    sent = client.post("/check/contact/send", form)
    assert sent.status_code == 200, sent.content.decode()[:2000]
    assert "within one working day" in sent.content.decode()  # item 11: when to expect them
    referral = Referral.objects.get(contact_name="Quiet Caller")
    assert referral.urgent
    assert referral.shared == {}
    assert "marked urgent" in referral.consent_text


# 3. Responsible: only the care team's clinicians.


def test_responsible_offers_only_the_care_team_and_refuses_anyone_else(world: World) -> None:
    plan = world.a.plan
    client = client_for(world.a.staff["therapist"])
    text = client.get(f"/clinic/plans/{plan.pk}/").content.decode()
    options = re.findall(r'<option value="(\d+)"', text)
    team = {str(world.a.staff["intake"].pk), str(world.a.staff["therapist"].pk)}
    assert set(options) == team
    items = plans.plan_as_dict(plan)["interventions"]
    items[0]["responsible"] = world.a.staff["director"].pk
    actor = Actor(user=world.a.staff["therapist"].user)
    with pytest.raises(ValidationFailed, match="care team"):
        plans.update_plan(actor, plan.pk, expected_version=plan.version, interventions=items,
                          review_on=plans.default_review_on())  # fmt: skip
    plan.refresh_from_db()
    assert plan.version == 1


# 5. One form: save and sign together; a sensible review date; honest labels.


def _plan_post(world: World, plan: CarePlan, **extra: str) -> dict[str, str]:
    data = {"version": str(plan.version), "review_on": plans.default_review_on().isoformat(),
            "iv-TOTAL_FORMS": str(plan.interventions.count()), "iv-INITIAL_FORMS": "0"}  # fmt: skip
    for index, _item in enumerate(plan.interventions.all()):
        data[f"iv-{index}-responsible"] = str(world.a.staff["therapist"].pk)
        data[f"iv-{index}-frequency"] = "weekly"
    data.update(extra)
    return data


def test_save_and_sign_keeps_the_edits_and_signs_in_one_version(world: World) -> None:
    plan = world.a.plan
    client = client_for(world.a.staff["therapist"])
    page = client.get(f"/clinic/plans/{plan.pk}/").content.decode()
    assert f'value="{plans.default_review_on().isoformat()}"' in page  # a default date
    assert "(needed to sign)" in page
    assert "Save and sign" in page
    response = client.post(f"/clinic/plans/{plan.pk}/", _plan_post(world, plan, sign="1"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "signed"
    assert plan.version == 2
    assert {i.frequency for i in plan.interventions.all()} == {"weekly"}


def test_signing_with_a_missing_responsible_saves_nothing_and_names_the_row(
    world: World,
) -> None:
    plan = world.a.plan
    data = _plan_post(world, plan, sign="1")
    data["iv-1-responsible"] = ""
    response = client_for(world.a.staff["therapist"]).post(f"/clinic/plans/{plan.pk}/", data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "choose who is responsible before signing" in text
    assert "review_on:" not in text
    assert "interventions[" not in text
    plan.refresh_from_db()
    assert plan.version == 1


def test_a_review_date_too_far_ahead_is_refused_in_words(world: World) -> None:
    plan = world.a.plan
    data = _plan_post(world, plan, review_on="2099-01-01")
    response = client_for(world.a.staff["therapist"]).post(f"/clinic/plans/{plan.pk}/", data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "Plan review date: a date from today" in text
    assert "at most 90 days ahead" in text


# 8. Staff see a risk panel, not the patient-facing banner.


def test_staff_pages_show_a_risk_panel_not_the_patient_banner(world: World) -> None:
    client = client_for(world.a.staff["therapist"])
    for url in (f"/clinic/patients/{world.a.patient.pk}/", f"/clinic/plans/{world.a.plan.pk}/"):
        text = client.get(url).content.decode()
        assert "Help is available now" not in text
        assert 'class="crisis"' not in text
        assert "Risk: suicide risk present" in text  # C-SSRS q1 = 1: the low tier
        assert "Last C-SSRS" in text
        assert "Complete and sign the safety plan" in text  # drafted, not signed
    _sign(world)
    text = client.get(f"/clinic/patients/{world.a.patient.pk}/").content.decode()
    assert "in the signed plan" in text
    assert "Complete and sign the safety plan" not in text


# 4. The timeline step checks its own dates, on that step, in plain words.


@pytest.mark.parametrize(
    ("use_rows", "mood_rows", "field", "words"),
    [
        ([{"start": "2030"}], [], "use-0-start", "after the assessment date"),
        ([{"start": "2021-03", "end": "2019"}], [], "use-0-end", "cannot end before it began"),
        ([{"start": "2018"}, {"start": "2021"}], [], "use-0-end",
         "only the most recent use period can be ongoing"),
        ([], [{"onset": "2016"}, {"onset": "2019"}], "mood-0-end",
         "only the most recent depressive episode can be ongoing"),
    ],
)  # fmt: skip
def test_the_timeline_step_refuses_impossible_dates_on_that_step(
    world: World, use_rows: list[dict[str, str]], mood_rows: list[dict[str, str]],
    field: str, words: str,
) -> None:  # fmt: skip
    from tandem.services.patients import register_patient
    from tests.integration.test_clinic_pages import formset, post_step

    actor = Actor(user=world.a.staff["intake"].user)
    # A fresh intake: the stimulant step is not done, so the case cannot be checked whole.
    patient = register_patient(actor, display_name="New Person", date_of_birth="1990-01-01",
                               sex="male")  # fmt: skip
    client = client_for(world.a.staff["intake"])
    data = {**formset("use", use_rows), **formset("mood", mood_rows),
            "last_use_unknown": "on", "days_used_past_30": "0"}  # fmt: skip
    response = post_step(client, patient, "timeline", data)
    text = response.content.decode()
    assert response.status_code == 400
    assert f'href="#id_{field}"' in text
    assert words in text
    assert "$." not in text
    assert patient.intakes.get().case == {"schema": "tandem.case/2"}
    steps = client.get(f"/clinic/patients/{patient.pk}/intake/stimulant").content.decode()
    assert "$." not in steps


def test_a_timeline_out_of_order_is_refused_on_the_timeline_step(world: World) -> None:
    from tandem.services import intake
    from tandem.services.patients import register_patient

    actor = Actor(user=world.a.staff["intake"].user)
    patient = register_patient(actor, display_name="Order Person", date_of_birth="1990-01-01",
                               sex="male")  # fmt: skip
    rows = [{"start": "2020", "end": "2022"}, {"start": "2021", "end": None}]
    with pytest.raises(ValidationFailed) as refused:
        intake.save_intake_step(actor, patient.pk, {"stimulant": {"use_periods": rows}})
    assert refused.value.field == "$.stimulant.use_periods[1].start"


# 6. Each role sees what it can do.


def test_each_role_sees_only_the_links_and_forms_it_can_use(world: World) -> None:
    therapist = client_for(world.a.staff["therapist"]).get("/clinic/").content.decode()
    assert "Self-check referrals" not in therapist
    admin = client_for(world.a.staff["admin"]).get("/clinic/").content.decode()
    assert "New patient" not in admin
    assert "Self-check referrals" in admin
    # The peer specialist joins the care team and reads the plan and formulation.
    from tandem.services.patients import add_to_care_team

    add_to_care_team(Actor(user=world.a.staff["director"].user), world.a.patient.pk,
                     world.a.staff["peer_specialist"].pk)  # fmt: skip
    peer = client_for(world.a.staff["peer_specialist"])
    plan = peer.get(f"/clinic/plans/{world.a.plan.pk}/").content.decode()
    assert "Save and sign" not in plan
    assert "<select" not in plan
    assert "the clinicians on the care team edit and sign it" in plan
    formulation = peer.get(f"/clinic/formulations/{world.a.formulation.pk}/").content.decode()
    assert "Record a new decision" not in formulation
    intake = peer.get(f"/clinic/patients/{world.a.patient.pk}/intake/stimulant").content.decode()
    assert "<fieldset disabled" in intake
    team = peer.get(f"/clinic/patients/{world.a.patient.pk}/care-team").content.decode()
    assert "Add to the care team" not in team
    signer = client_for(world.a.staff["therapist"]).get(f"/clinic/plans/{world.a.plan.pk}/")
    assert "Save and sign" in signer.content.decode()


# 7. Clinical words on every screen: no machine ids, no developer notes.

SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
RULE_ID = re.compile(r"\b(?:RS|RO|[OECUKP])\d+a?\b")
DEVELOPER_NOTES = ("facts.md", "ruleset-v", "Not summarised", "reassess_on")
PYTHON_VALUES = re.compile(r"\b(?:False|True|null)\b|\bNone\b(?! (?:recorded|found))")


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: no tags, attributes, scripts or hidden JSON."""
    html = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r"<details><summary>The case document.*?</details>", " ", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


def test_clinical_screens_speak_the_clinics_words(world: World) -> None:
    client = client_for(world.a.staff["director"])
    a = world.a
    pages = ["/clinic/", "/clinic/referrals", f"/clinic/patients/{a.patient.pk}/",
             f"/clinic/formulations/{a.formulation.pk}/", f"/clinic/plans/{a.plan.pk}/",
             f"/clinic/patients/{a.patient.pk}/care-team",
             f"/clinic/patients/{a.patient.pk}/intake/review",
             f"/clinic/patients/{a.patient.pk}/intake/instruments"]  # fmt: skip
    for url in pages:
        text = visible_text(client.get(url).content.decode())
        assert not SNAKE_CASE.findall(text), (url, SNAKE_CASE.findall(text)[:5])
        assert not RULE_ID.findall(text), (url, RULE_ID.findall(text)[:5])
        for note in DEVELOPER_NOTES:
            assert note not in text, (url, note)
        assert not PYTHON_VALUES.findall(text), (url, PYTHON_VALUES.findall(text)[:5])


# 12. Duplicate check; caseload with record number and birth date, search, sort, filter.


def test_a_likely_duplicate_patient_is_refused_until_confirmed(world: World) -> None:
    from tandem.storage.models import Patient

    client = client_for(world.a.staff["intake"])
    form = {"display_name": "  north SECOND   patient ", "date_of_birth": "1980-01-01",
            "sex": "male"}  # fmt: skip
    refused = client.post("/clinic/patients/new", form)
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "already registered at this clinic" in text
    assert 'id="id_not_duplicate"' in text
    same = Patient.objects.filter(
        date_of_birth="1980-01-01", organization_id=world.a.patient.organization_id
    )
    assert same.count() == 1
    confirmed = client.post("/clinic/patients/new", {**form, "not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert same.count() == 2


def test_the_caseload_shows_record_and_birth_and_searches_without_names_in_urls(
    world: World,
) -> None:
    client = client_for(world.a.staff["director"])
    text = client.get("/clinic/").content.decode()
    assert f'<td data-label="Record">{world.a.patient.pk}</td>' in text
    assert "1990-05-05" in text
    searched = client.post("/clinic/", {"q": "second", "sort": "risk"})
    assert searched.status_code == 302
    assert "second" not in searched["Location"]
    assert "sort=risk" in searched["Location"]
    listing = client.get(searched["Location"]).content.decode()
    assert "north second patient" in listing
    assert world.a.patient.display_name not in listing
    by_number = client.post("/clinic/", {"q": str(world.a.patient.pk)})
    assert world.a.patient.display_name in client.get(by_number["Location"]).content.decode()
    cleared = client.post("/clinic/", {"clear": "1"})
    assert world.a.patient.display_name in client.get(cleared["Location"]).content.decode()
    raised = client.get("/clinic/?risk=raised").content.decode()
    assert world.a.patient.display_name in raised  # low suicide risk
    assert "north second patient" not in raised  # not formulated


# 13. The API's caseload gives null, never the text "null".


def test_the_api_caseload_gives_json_null_for_a_missing_reassessment_date(world: World) -> None:
    from tests.integration.support import signed_in_client

    client = signed_in_client(world.a.staff["director"], world)
    response = client.get("/api/v1/caseload")
    assert response.status_code == 200, response.content[:300]
    rows = response.json()
    rows = rows.get("items", rows) if isinstance(rows, dict) else rows
    assert rows
    for row in rows:
        assert row["reassess_on"] != "null"


# 10. Production error handling in the demo: branded pages with a way back.


def test_demo_mode_runs_without_debug_unless_asked() -> None:
    from tandem.web.config import load

    assert load({"TANDEM_DEMO": "true"}).debug is False
    assert load({"TANDEM_DEMO": "true", "TANDEM_DEBUG": "true"}).debug is True
    assert load({}).debug is True  # plain development still shows Django's debug page


def test_a_patient_of_another_clinic_gets_the_branded_404(world: World) -> None:
    from django.template.loader import render_to_string

    client = client_for(world.b.staff["therapist"])
    response = client.get(f"/clinic/patients/{world.a.patient.pk}/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "This page does not exist, or you may not see it" in text
    assert "Back to the caseload" in text
    assert "URLconf" not in text
    assert "Back to the start" in Client().get("/no-such-page").content.decode()
    assert "Something went wrong on our side" in render_to_string("500.html")


# 15. An empty sign-in form names the missing field; the lock message only once locked.


def test_an_empty_sign_in_names_the_field_and_is_not_counted() -> None:
    from tandem.storage.models import AuditEvent
    from tandem.web.accounts.views import LOCKED

    before = AuditEvent.objects.count()
    response = Client().post("/accounts/login", {"username": "", "password": ""})
    text = response.content.decode()
    assert response.status_code == 400
    assert "User name: enter your user name" in text
    assert "15 minutes" not in text
    assert AuditEvent.objects.count() == before
    client = Client()
    texts = [client.post("/accounts/login", {"username": "someone", "password": "x"})
             .content.decode() for _ in range(6)]  # fmt: skip
    assert "15 minutes" not in texts[0]
    assert LOCKED in texts[-1]


# 17. A newcomer's first commands: one line that says what to do; SQLite by DATABASE_URL.


def _tandem(tmp_path: Any, *args: str, **env: str) -> Any:
    import os
    import subprocess
    import sys
    from pathlib import Path

    import tandem

    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "DATABASE_"))}
    keep["PYTHONPATH"] = str(Path(tandem.__file__).resolve().parents[1])  # this checkout
    return subprocess.run(
        [sys.executable, "-c", "from tandem.cli import main; main()", *args],
        env={**keep, "TANDEM_DEMO": "true", "TANDEM_DATA_DIR": str(tmp_path / "data"), **env},
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip


def test_commands_before_migrate_say_what_to_do_in_one_line(tmp_path: Any) -> None:
    for args in (("demo",), ("token", "create", "demo-therapist")):
        done = _tandem(tmp_path, *args)
        assert done.returncode == 2
        assert "run `tandem migrate` first" in done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_a_sqlite_database_url_is_set_up_like_the_default(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    done = _tandem(tmp_path, "migrate", DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    assert "journal_mode" not in done.stderr


# Discharge: a reason and a date; off the active caseload, still searchable.


def test_discharge_closes_the_episode_with_a_reason_and_date(world: World) -> None:
    from tandem.services.clock import get_clock

    patient = world.a.patient
    client = client_for(world.a.staff["therapist"])
    assert "Discharge" in client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    today = get_clock().today().isoformat()
    bad = client.post(f"/clinic/patients/{patient.pk}/discharge",
                      {"ended_on": "2099-01-01", "reason": "completed"})  # fmt: skip
    assert bad.status_code == 400
    assert "Date the episode of care ended: a date from the episode" in bad.content.decode()
    patient.refresh_from_db()
    assert patient.status == "active"
    missing = client.post(f"/clinic/patients/{patient.pk}/discharge", {"ended_on": today})
    assert "Reason for discharge: This field is required." in missing.content.decode()
    done = client.post(f"/clinic/patients/{patient.pk}/discharge",
                       {"ended_on": today, "reason": "completed", "note": "goals met"})  # fmt: skip
    assert done.status_code == 302
    patient.refresh_from_db()
    episode = patient.episodes.get()
    assert patient.status == "discharged"
    assert episode.discharge_reason == "completed"
    assert episode.ended_on.isoformat() == today
    assert patient.display_name not in client.get("/clinic/").content.decode()
    found = client.get("/clinic/?status=discharged").content.decode()
    assert patient.display_name in found
    chart = client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert "Discharged on" in chart
    assert "completed treatment" in chart


def test_roles_that_may_not_discharge_see_no_form(world: World) -> None:
    admin = client_for(world.a.staff["admin"])
    chart = admin.get(f"/clinic/patients/{world.a.patient.pk}/").content.decode()
    assert 'discharge"' not in chart
    page = admin.get(f"/clinic/patients/{world.a.patient.pk}/discharge").content.decode()
    assert "Your role does not discharge patients" in page
    refused = admin.post(f"/clinic/patients/{world.a.patient.pk}/discharge",
                         {"ended_on": "2020-01-01", "reason": "completed"})  # fmt: skip
    assert refused.status_code in (400, 403)
    world.a.patient.refresh_from_db()
    assert world.a.patient.status == "active"


# The patient's agreement to the plan, and the printable copy.


def test_the_patients_agreement_is_recorded_on_the_signed_plan(world: World) -> None:
    from tandem.services.clock import get_clock

    plan = world.a.plan
    client = client_for(world.a.staff["therapist"])
    assert "The patient's agreement" not in client.get(f"/clinic/plans/{plan.pk}/").content.decode()
    signed = _sign(world)
    page = client.get(f"/clinic/plans/{plan.pk}/").content.decode()
    assert "Record the agreement" in page
    assert "data-print" in page
    today = get_clock().today().isoformat()
    form = {"agreed_on": today, "agreement": "typed_name", "agreement_name": "",
            "version": str(signed.version)}  # fmt: skip
    missing = client.post(f"/clinic/plans/{plan.pk}/agreement", form)
    assert missing.status_code == 400
    assert "the patient types their name here" in missing.content.decode()
    form["agreement_name"] = "Zanzibar Q."
    done = client.post(f"/clinic/plans/{plan.pk}/agreement", form)
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.agreed_on.isoformat() == today
    assert plan.agreement_recorded_by_id == world.a.staff["therapist"].pk
    assert AuditEvent.objects.filter(action="plan.agreement", outcome="ok").exists()
    assert "typed name “Zanzibar Q.”" in client.get(f"/clinic/plans/{plan.pk}/").content.decode()
    # A new level-of-care decision sends the plan back to review: the agreement goes with it.
    actor = Actor(user=world.a.staff["intake"].user)
    placement.decide_placement(
        actor, world.a.formulation.pk, level=world.a.formulation.recommended_level
    )
    plan.refresh_from_db()
    assert plan.agreed_on is None
    assert plan.status == "draft"


def test_the_plan_has_a_print_stylesheet() -> None:
    from pathlib import Path

    import tandem.web

    css = (Path(tandem.web.__file__).parent / "static" / "tandem.css").read_text()
    assert "@media print" in css
    assert ".no-print" in css


# 14. C-SSRS items name their topic; skip-logic errors are said in words on the item.


def test_cssrs_items_have_topics_and_skip_logic_in_words(world: World) -> None:
    client = client_for(world.a.staff["intake"])
    url = f"/clinic/patients/{world.a.patient.pk}/intake/instruments/cssrs"
    page = client.get(url).content.decode()
    assert "wording supplied by your clinic" not in page
    assert "Item 1. Wish to be dead (past month)" in page
    answers = {"item_1": "1", "item_2": "0", "item_3": "1", "item_6": "0",
               "idempotency_key": "cssrs-skip-test"}  # fmt: skip
    refused = client.post(url, answers).content.decode()
    assert "leave this empty: it is asked only when item 2 is yes" in refused
    assert "is not one of" not in refused
    answers.update(item_2="1", item_3="")
    again = client.post(url, answers).content.decode()
    assert "answer this item: item 2 was yes" in again


# Admin pages: staff list, invite, role, deactivate; the clinic's settings.


def test_the_admin_runs_staff_and_settings_and_the_director_reads_them(world: World) -> None:
    from django.contrib.auth import get_user_model

    from tandem.storage.models import Organization, StaffMember

    admin = client_for(world.a.staff["admin"])
    page = admin.get("/clinic/admin/staff").content.decode()
    assert "Program director" in page
    assert f"/accounts/staff/{world.a.staff['therapist'].pk}/enrolment-code" in page
    assert "south-therapist" not in page  # another clinic's staff do not exist here
    form = {"display_name": "Nia New", "username": "nia", "role": "therapist"}
    weak = admin.post("/clinic/admin/staff", {**form, "password": "short"})
    assert weak.status_code == 400
    assert "Temporary password:" in weak.content.decode()
    assert not get_user_model().objects.filter(username="nia").exists()
    done = admin.post("/clinic/admin/staff", {**form, "password": "a-long-unusual-passphrase-7"})
    assert done.status_code == 302
    nia = StaffMember.objects.get(user__username="nia")
    assert nia.organization_id == world.a.staff["admin"].organization_id
    admin.post(f"/clinic/admin/staff/{nia.pk}/change", {"change": "role", "role": "prescriber"})
    admin.post(f"/clinic/admin/staff/{nia.pk}/change", {"change": "deactivate"})
    nia.refresh_from_db()
    nia.user.refresh_from_db()
    assert nia.role == "prescriber"
    assert not nia.user.is_active
    other = world.b.staff["therapist"].pk
    assert (
        admin.post(f"/clinic/admin/staff/{other}/change", {"change": "deactivate"}).status_code
        == 404
    )
    bad = admin.post("/clinic/admin/settings", {"levels_offered": ["iop"], "time_zone": "Mars/Base",
                                                "escalation_minutes": "30"})  # fmt: skip
    assert "Time zone: a time zone name" in bad.content.decode()
    ok = admin.post("/clinic/admin/settings", {"levels_offered": ["iop", "outpatient"],
                                               "time_zone": "America/Chicago", "phone": "555-0199",
                                               "escalation_minutes": "30"})  # fmt: skip
    assert ok.status_code == 302
    clinic = Organization.objects.get(pk=world.a.staff["admin"].organization_id)
    assert clinic.levels_offered == ["outpatient", "iop"]
    assert clinic.time_zone == "America/Chicago"
    director = client_for(world.a.staff["director"])
    read = director.get("/clinic/admin/settings").content.decode()
    assert "America/Chicago" in read
    assert "Save the settings" not in read
    colleague = world.a.staff["therapist"].pk  # a real id on every database
    change = director.post(f"/clinic/admin/staff/{colleague}/change", {"change": "deactivate"})
    assert change.status_code == 403
    assert client_for(world.a.staff["therapist"]).get("/clinic/admin/staff").status_code == 403
