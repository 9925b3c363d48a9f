"""Rule set 2 in the clinic app (issue 8): unknown answers, review flags acknowledged one
by one, and formulations stored under version 1 still shown with their rule set."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.services import intake, patients, placement
from tandem.services.actors import Actor
from tandem.services.clock import get_clock
from tandem.services.errors import ValidationFailed
from tandem.storage.models import (
    AuditEvent,
    FormulationRecord,
    Placement,
    ReviewFlagAcknowledgement,
)
from tests.integration.support import World, sign_in
from tests.integration.test_clinic_pages import formset, post_step

pytestmark = pytest.mark.django_db


def _unknowns_patient(world: World) -> tuple[Actor, FormulationRecord]:
    """Criteria not assessed, last use unknown, overdose questions not asked, psychosis
    not assessed: formulated under tandem-default/2 with four review flags."""
    actor = Actor(user=world.a.staff["intake"].user, via="test")
    patient = patients.register_patient(
        actor, display_name="Ari Unknown", date_of_birth="1990-01-01", sex="other"
    )
    today = get_clock().today()
    stimulant = {"substance": "cocaine", "use_periods": [{"start": "2022-01", "end": None}]}
    intake.save_intake_step(
        actor, patient.pk, {"assessed_on": today.isoformat(), "stimulant": stimulant}
    )
    return actor, intake.formulate_patient(actor, patient.pk)


def test_unknown_answers_are_formulated_as_unknown(world: World) -> None:
    _, record = _unknowns_patient(world)
    output = record.output
    assert (output["schema"], output["ruleset"]) == ("tandem.formulation/2", "tandem-default/2")
    assert output["use_disorder"]["severity"] == "not_assessed"
    assert output["risk"]["overdose"] == "standard"
    assert record.recommended_level == "iop"  # P4: not assessed, use possible in 30 days
    ids = [flag["id"] for flag in output["placement"]["review_flags"]]
    assert ids == [
        "overdose_factors_not_asked", "criteria_not_assessed", "last_use_unknown", "not_assessed",
    ]  # fmt: skip


def test_each_review_flag_is_acknowledged_on_its_own(world: World) -> None:
    actor, record = _unknowns_patient(world)
    flags = [flag["id"] for flag in placement.review_flags(record)]
    with pytest.raises(ValidationFailed) as refused:
        placement.decide_placement(actor, record.pk, level="iop", acknowledged_flags=flags[:-1])
    assert refused.value.field == "acknowledged_flags"
    assert "Psychosis or medical stability was not assessed" in refused.value.message
    assert not Placement.objects.filter(formulation=record).exists()  # nothing half-saved

    decided = placement.decide_placement(actor, record.pk, level="iop", acknowledged_flags=flags)
    rows = ReviewFlagAcknowledgement.objects.filter(placement=decided).order_by("pk")
    assert [row.flag_id for row in rows] == flags
    assert all(row.acknowledged_by.user == actor.user for row in rows)
    events = AuditEvent.objects.filter(action="placement.acknowledge_flag", outcome="ok")
    assert sorted(events.values_list("record_id", flat=True)) == sorted(str(r.pk) for r in rows)


def test_the_formulation_page_shows_flags_and_asks_for_each(world: World) -> None:
    _, record = _unknowns_patient(world)
    client = sign_in(Client(), world.a.staff["intake"])
    url = f"/clinic/formulations/{record.pk}/"
    page = client.get(url).content.decode()
    assert "Review before deciding" in page
    assert page.count('name="acknowledged_flags"') == 4  # one box per flag
    response = client.post(url, {"level": "iop", "acknowledged_flags": ["criteria_not_assessed"]})
    assert response.status_code == 400
    assert 'href="#id_acknowledged_flags"' in response.content.decode()
    flags = [flag["id"] for flag in placement.review_flags(record)]
    response = client.post(url, {"level": "iop", "acknowledged_flags": flags})
    assert response.status_code == 302
    assert "Review flags acknowledged" in client.get(url).content.decode()


def test_the_intake_form_saves_unknown_as_null(world: World) -> None:
    client = sign_in(Client(), world.a.staff["intake"])
    patient = world.a.patient
    today = get_clock().today()
    stimulant = {
        "assessed_on": today.isoformat(), "substance": "cocaine", "route": "smoked",
        "criteria_assessed": "no", "uses_alone": "", "opioid_co_use": "no",
        "overdose_past_12_months": "yes",
    }  # fmt: skip
    assert post_step(client, patient, "stimulant", stimulant).status_code == 302
    timeline = {
        **formset("use", [{"start": "2022-01", "end": "", "pattern": "binge"}]),
        "last_use_unknown": "on", "days_used_unknown": "on", **formset("mood", []),
    }  # fmt: skip
    assert post_step(client, patient, "timeline", timeline).status_code == 302
    case = intake.current_intake(patient).case
    assert case["schema"] == "tandem.case/2"
    section = case["stimulant"]
    assert section["dsm_criteria_past_12_months"] is None
    assert (section["uses_alone"], section["opioid_co_use"]) == (None, False)
    assert section["overdose_past_12_months"] is True
    assert (section["last_use"], section["days_used_past_30"]) == (None, None)
    assert section["use_periods"] == [{"start": "2022-01", "end": None, "pattern": "binge"}]


def test_unknown_must_be_said_not_left_blank(world: World) -> None:
    client = sign_in(Client(), world.a.staff["intake"])
    data = {**formset("use", []), "last_use": "", "days_used_past_30": "", **formset("mood", [])}
    response = post_step(client, world.a.patient, "timeline", data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "give the last day of use, or tick unknown" in text
    assert "give the number of days (0 if none), or tick unknown" in text


def test_a_version_1_formulation_still_displays_with_its_rule_set(world: World) -> None:
    """A formulation stored under tandem-default/1 is shown as stored (never recomputed)."""
    from tandem.domain.formulation import formulate, parse_case
    from tandem.rulesets import load_ruleset

    record = world.a.formulation
    case = {**record.case, "schema": "tandem.case/1"}
    output = formulate(parse_case(case), load_ruleset("tandem-default/1")).as_dict()
    FormulationRecord.objects.filter(pk=record.pk).update(
        output=output, ruleset_version="tandem-default/1"
    )
    client = sign_in(Client(), world.a.staff["intake"])
    page = client.get(f"/clinic/formulations/{record.pk}/").content.decode()
    assert "tandem-default/1" in page
    assert "Review before deciding" not in page


def test_scores_are_queryable_as_columns(world: World) -> None:
    """Issue 9 item 6: a PHQ-9 total (and band, positive screen) is a column."""
    from tandem.storage.models import InstrumentAdministration

    moderate = InstrumentAdministration.objects.filter(
        patient=world.a.patient, instrument_id="phq9", total__gte=10
    ).get()
    assert (moderate.total, moderate.band, moderate.positive) == (10, "moderate", True)
    assert moderate.result["total"] == moderate.total
