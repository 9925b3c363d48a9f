"""Service rules: placement overrides need a reason, plans version and sign, the intake
refuses a stale writer and bad sections, referrals keep consent, the demo is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from django.test import override_settings

from tandem.cli import main
from tandem.services import intake, placement, plans, referrals
from tandem.services.actors import Actor
from tandem.services.demo import CANARY_NAME, DEMO_PASSWORD, load_demo
from tandem.services.errors import Conflict, Forbidden, ValidationFailed
from tandem.storage.models import (
    AuditEvent,
    CarePlanVersion,
    FormulationRecord,
    Organization,
    Patient,
    Placement,
    Referral,
)
from tests.integration.support import World

pytestmark = pytest.mark.django_db


def _actor(world: World, role: str) -> Actor:
    return Actor(user=world.a.staff[role].user, ip="10.0.0.1")


def test_an_override_needs_a_reason(world: World) -> None:
    actor = _actor(world, "therapist")
    recommended = world.a.formulation.recommended_level
    other = "outpatient" if recommended != "outpatient" else "iop"
    with pytest.raises(ValidationFailed) as refused:
        placement.decide_placement(actor, world.a.formulation.pk, level=other)
    assert refused.value.field == "override_reason"
    decided = placement.decide_placement(
        actor, world.a.formulation.pk, level=other, override_reason="patient works nights"
    )
    assert decided.is_override
    assert decided.recommended_level == recommended


def test_an_unknown_level_names_the_allowed_ones(world: World) -> None:
    with pytest.raises(
        ValidationFailed, match="emergency, adolescent_referral, residential_referral, php"
    ):
        placement.decide_placement(_actor(world, "therapist"), world.a.formulation.pk, level="spa")


def test_a_plan_is_versioned_and_signed(world: World) -> None:
    therapist = _actor(world, "therapist")
    plan = world.a.plan
    items = plans.plan_as_dict(plan)["interventions"]
    with pytest.raises(ValidationFailed):
        plans.sign_plan(therapist, plan.pk)  # no review date, nobody responsible
    staffed = [dict(item, responsible=world.a.staff["therapist"].pk) for item in items]
    review = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    saved = plans.update_plan(
        therapist, plan.pk, expected_version=1, interventions=staffed, review_on=review
    )
    signed = plans.sign_plan(therapist, saved.pk)
    assert (signed.status, signed.version) == ("signed", 3)
    assert CarePlanVersion.objects.filter(plan=plan).count() == 3
    with pytest.raises(Conflict):
        plans.update_plan(
            therapist, plan.pk, expected_version=2, interventions=staffed, review_on=review
        )
    assert AuditEvent.objects.filter(action="plan.update", outcome="conflict").exists()


def test_responsible_staff_must_belong_to_the_clinic(world: World) -> None:
    items = plans.plan_as_dict(world.a.plan)["interventions"]
    foreign = [dict(items[0], responsible=world.b.staff["therapist"].pk)]
    with pytest.raises(ValidationFailed) as refused:
        plans.update_plan(
            _actor(world, "therapist"),
            world.a.plan.pk,
            expected_version=1,
            interventions=foreign,
            review_on=None,
        )
    assert refused.value.field == "interventions[0].responsible"


def test_roles_narrow_writes(world: World) -> None:
    with pytest.raises(Forbidden):
        plans.sign_plan(_actor(world, "admin"), world.a.plan.pk)
    with pytest.raises(Forbidden):
        placement.decide_placement(_actor(world, "admin"), world.a.formulation.pk, level="iop")


def test_the_intake_refuses_a_stale_writer_and_bad_sections(world: World) -> None:
    actor = _actor(world, "therapist")
    patient = world.a.patient
    current = intake.current_intake(patient)
    intake.update_intake(
        actor, patient.pk, "clinical", {"psychosis": False}, expected_version=current.version
    )
    with pytest.raises(Conflict):
        intake.update_intake(
            actor, patient.pk, "clinical", {"psychosis": True}, expected_version=current.version
        )
    with pytest.raises(ValidationFailed) as bad:
        intake.update_intake(actor, patient.pk, "clinical", {"functional_impairment": "awful"})
    assert bad.value.field == "$.clinical.functional_impairment"
    with pytest.raises(ValidationFailed, match="section: expected one of"):
        intake.update_intake(actor, patient.pk, "mood", {})
    assert intake.current_intake(patient).case["clinical"] == {"psychosis": False}


def test_a_formulation_is_stored_whole_and_never_recomputed(world: World) -> None:
    record = world.a.formulation
    assert record.output["schema"] == "tandem.formulation/2"
    assert record.case["patient"]["sex"] == "female"
    again = intake.formulate_patient(_actor(world, "therapist"), world.a.patient.pk)
    assert again.pk != record.pk
    record.refresh_from_db()
    assert FormulationRecord.objects.filter(patient=world.a.patient).count() == 2


def test_a_referral_keeps_its_consent_and_is_read_by_its_clinic_only(world: World) -> None:
    org = Organization.objects.get(slug="north")
    referral = referrals.submit_referral(
        organization_id=org.pk,
        contact_name="Sam",
        phone="555 010 0199",
        preferred_contact="phone",
        shared={"pattern": "tangled"},
        consent_text="I agree to be contacted.",
        consented_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC),
    )
    assert referral.consent_text == "I agree to be contacted."
    assert [r.pk for r in referrals.list_referrals(_actor(world, "intake"))] == [referral.pk]
    assert referrals.list_referrals(Actor(user=world.b.staff["intake"].user)) == []
    with pytest.raises(ValidationFailed) as bad:
        referrals.submit_referral(
            organization_id=org.pk,
            contact_name="Sam",
            preferred_contact="email",
            shared={},
            consent_text="ok",
            consented_at=referral.consented_at,
        )
    assert bad.value.field == "email"
    assert Referral.objects.count() == 1


def test_the_demo_runs_only_in_demo_mode() -> None:
    refused = CliRunner().invoke(main, ["demo"])  # the test settings: TANDEM_DEMO unset
    assert refused.exit_code == 2
    assert "TANDEM_DEMO=true" in refused.output
    assert not Patient.objects.filter(organization__slug="demo").exists()


@override_settings(TANDEM_DEMO=True)
def test_the_demo_is_idempotent_and_spans_the_levels() -> None:
    printed = CliRunner().invoke(main, ["demo"])
    assert printed.exit_code == 0, printed.output
    assert "demo-therapist" in printed.output
    assert f"Demo password (every account): {DEMO_PASSWORD}" in printed.output
    assert "(12 new)" in printed.output
    first = load_demo()
    assert first["created"] == 0
    demo = Patient.objects.filter(organization__slug="demo")
    assert demo.count() == 12
    assert demo.filter(display_name=CANARY_NAME).exists()
    levels = set(Placement.objects.values_list("decided_level", flat=True))
    assert levels == {"emergency", "residential_referral", "php", "iop", "outpatient"}
    orders = {f.output["onset_order"] for f in FormulationRecord.objects.all()}
    assert orders >= {"depression_first", "use_first", "tangled"}
    assert "riverside-therapist" in first["usernames"]
