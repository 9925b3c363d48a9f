"""One integrated care plan per formulation (ruleset-v1.md s9), versioned.

Each saved version is kept (``CarePlanVersion``). Updates carry the version the editor
started from; a stale one raises Conflict (409), never a silent overwrite (SECURITY.md
"Durability").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tandem.domain.labels import clinical_text
from tandem.services.access import access_patient, access_record
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import patient_today
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, Forbidden, ValidationFailed
from tandem.services.permissions import require
from tandem.services.typed_text import refuse_bad_text
from tandem.storage.models import (
    CarePlan,
    CarePlanVersion,
    FormulationRecord,
    Patient,
    PlanIntervention,
    StaffMember,
)
from tandem.storage.models.plans import AGREEMENTS

CATEGORIES = ("clinical", "somatic_neuro")  # ruleset-v1.md s9
TARGETS = ("use", "mood", "trauma", "sleep", "safety")  # DESIGN.md s2
TEXT_FIELDS = ("frequency", "measure", "target", "reason")
TEXT_LIMIT = 200  # the stored column's length (storage.models.plans): longer is refused
# Interventions the formulation proposes for safety (ruleset-v1.md s9; tandem-default-1
# triggers: safety_plan when suicide risk is low/moderate/high/needs_assessment,
# overdose_prevention when overdose risk is elevated or standard). Once proposed, they
# stay in the plan: a clinician may not remove them.
SAFETY_INTERVENTIONS = ("safety_plan", "overdose_prevention")
# The plan's review date (the program's own choice, not a cited standard): four weeks
# ahead unless the clinician picks another, and never more than 90 days ahead, so that a
# plan is looked at again at least once a quarter.
REVIEW_DEFAULT_DAYS = 28
REVIEW_MAX_DAYS = 90


def default_review_on() -> dt.date:
    """The review date a plan form offers: ``REVIEW_DEFAULT_DAYS`` from today."""
    return get_clock().today() + dt.timedelta(days=REVIEW_DEFAULT_DAYS)


def intervention_catalogue() -> dict[str, tuple[str, tuple[str, ...]]]:
    """The rule set's interventions: id -> (category, targets) (ruleset-v1.md s9)."""
    from tandem.rulesets import load_default

    return {rule.id: (rule.category, tuple(rule.targets)) for rule in load_default().interventions}


def level_frequencies(record: FormulationRecord) -> dict[str, str]:
    """The rule set's frequency for each level (``frequency_by_level``), from the rule set
    that made this formulation (the default one if that is no longer shipped)."""
    from tandem.rulesets import load_default, load_ruleset

    try:
        ruleset = load_ruleset(str(record.output.get("ruleset", "")))
    except KeyError:
        ruleset = load_default()
    return dict(ruleset.frequency_by_level)


def decided_level(record: FormulationRecord) -> str:
    """The level the clinician decided for this formulation; the recommendation until then."""
    latest = record.placements.order_by("-decided_at", "-pk").first()
    return latest.decided_level if latest else record.recommended_level


def frequency_at_level(frequencies: dict[str, str], frequency: str, level: str) -> str:
    """An intervention's frequency at ``level``: one that is a level's default schedule
    follows the level; one the rule or the clinician set stays as it is."""
    if frequency in frequencies.values() and level in frequencies:
        return frequencies[level]
    return frequency


def required_for_safety(record: FormulationRecord) -> list[str]:
    """The safety interventions this formulation proposed, which the plan must keep."""
    proposed = {
        str(item.get("id")) for item in record.output.get("plan", {}).get("interventions", [])
    }
    return [name for name in SAFETY_INTERVENTIONS if name in proposed]


@audited_failures("plan.draft")
def draft_plan(actor: Actor, formulation_id: int) -> CarePlan:
    """A draft plan holding the interventions and measures the formulation proposed."""
    actor = as_actor(actor)
    record: FormulationRecord = access_record(
        actor, FormulationRecord, formulation_id, action="plan.draft"
    )
    staff = require(actor, "plan.edit", record.patient_id)
    proposed = record.output.get("plan", {})
    frequencies = level_frequencies(record)
    level = decided_level(record)
    now = get_clock().now()
    with transaction.atomic():
        plan = CarePlan.objects.create(
            patient_id=record.patient_id,
            formulation=record,
            measures=list(proposed.get("measures", [])),
            created_at=now,
            updated_at=now,
        )
        for position, item in enumerate(proposed.get("interventions", [])):
            PlanIntervention.objects.create(
                plan=plan,
                position=position,
                intervention_id=str(item.get("id", "")),
                category=str(item.get("category", "")),
                targets=list(item.get("targets", [])),
                frequency=clinical_text(
                    frequency_at_level(frequencies, str(item.get("frequency", "") or ""), level)
                ),
                reason=str(item.get("reason", "") or ""),
            )
        _snapshot(plan, staff, now)
        record_event(
            actor, "plan.draft", patient_id=plan.patient_id, record_type="plan", record_id=plan.pk
        )
    return plan


def plan_as_dict(plan: CarePlan) -> dict[str, Any]:
    """The plan as plain data (for snapshots, the API and exports)."""
    return {
        "id": plan.pk,
        "version": plan.version,
        "status": plan.status,
        "review_on": plan.review_on.isoformat() if plan.review_on else None,
        "measures": list(plan.measures),
        "interventions": [
            {
                "intervention_id": item.intervention_id,
                "category": item.category,
                "targets": list(item.targets),
                "responsible": item.responsible_id,
                **{name: getattr(item, name) for name in TEXT_FIELDS},
            }
            for item in plan.interventions.all()
        ],
    }


def _snapshot(plan: CarePlan, staff: StaffMember, now: dt.datetime) -> None:
    CarePlanVersion.objects.create(
        plan=plan, version=plan.version, snapshot=plan_as_dict(plan), saved_by=staff, saved_at=now
    )


def _clean_id_and_category(where: str, item: dict[str, Any]) -> tuple[str, str]:
    catalogue = intervention_catalogue()
    intervention_id = str(item.get("intervention_id", "")).strip()
    if intervention_id not in catalogue:
        raise ValidationFailed(
            f"{where}.intervention_id: expected one of the rule set's interventions "
            f"({', '.join(sorted(catalogue))})",
            f"{where}.intervention_id",
        )
    category = catalogue[intervention_id][0]
    if item.get("category", category) != category:
        raise ValidationFailed(
            f"{where}.category: {intervention_id} is {category} in the rule set",
            f"{where}.category",
        )
    return intervention_id, category


def _clean_text(where: str, item: dict[str, Any]) -> dict[str, str]:
    cleaned = {}
    for name in TEXT_FIELDS:
        value = str(item.get(name) or "")
        if name != "reason" and len(value) > TEXT_LIMIT:
            raise ValidationFailed(
                f"{where}.{name}: at most {TEXT_LIMIT} characters (this has {len(value)})",
                f"{where}.{name}",
            )
        refuse_bad_text(value, f"{where}.{name}")
        cleaned[name] = value
    return cleaned


def responsible_choices(patient: Patient) -> list[StaffMember]:
    """Who may be named responsible for an intervention: the patient's care team, less
    the clinic's administrators (who make no clinical entries). Naming someone never
    changes who may see the patient: the care team page does that."""
    return list(
        patient.care_team.exclude(role="admin")
        .select_related("user")
        .order_by("display_name", "pk")
    )


def _clean_intervention(index: int, item: Any, responsible_ids: set[int]) -> dict[str, Any]:
    where = f"interventions[{index}]"
    if not isinstance(item, dict):
        raise ValidationFailed(f"{where}: expected an object", where)
    intervention_id, category = _clean_id_and_category(where, item)
    targets = item.get("targets", [])
    if not isinstance(targets, list) or not targets or any(t not in TARGETS for t in targets):
        raise ValidationFailed(
            f"{where}.targets: a non-empty list of {', '.join(TARGETS)}", f"{where}.targets"
        )
    responsible = item.get("responsible")
    if responsible is not None and not (
        isinstance(responsible, int) and responsible in responsible_ids
    ):
        raise ValidationFailed(
            f"{where}.responsible: a clinician on this patient's care team (add them to the "
            "care team first), or null",
            f"{where}.responsible",
        )
    return {
        "intervention_id": intervention_id,
        "category": category,
        "targets": list(targets),
        "responsible_id": responsible,
        **_clean_text(where, item),
    }


def _check_whole_plan(record: FormulationRecord, cleaned: list[dict[str, Any]]) -> None:
    """No intervention twice; none the formulation requires for safety removed."""
    ids = [item["intervention_id"] for item in cleaned]
    for index, intervention_id in enumerate(ids):
        if intervention_id in ids[:index]:
            raise ValidationFailed(
                f"interventions[{index}].intervention_id: {intervention_id} is already in the plan",
                f"interventions[{index}].intervention_id",
            )
    missing = [name for name in required_for_safety(record) if name not in ids]
    if missing:
        raise ValidationFailed(
            f"interventions: {', '.join(missing)} cannot be removed: the formulation's risk "
            "calls for it (ruleset-v1.md s9)",
            "interventions",
        )


def _clean_review_on(review_on: Any, today: dt.date) -> dt.date | None:
    if review_on is None:
        return None
    if isinstance(review_on, str):
        try:
            review_on = dt.date.fromisoformat(review_on)
        except ValueError:
            review_on = None
    latest = today + dt.timedelta(days=REVIEW_MAX_DAYS)
    if not isinstance(review_on, dt.date) or not today <= review_on <= latest:
        raise ValidationFailed(
            f"review_on: a date from today ({today.isoformat()}) to {latest.isoformat()} "
            f"(at most {REVIEW_MAX_DAYS} days ahead)",
            "review_on",
        )
    return review_on


def _load_plan(actor: Actor, plan_id: Any, action: str) -> CarePlan:
    loaded: CarePlan = access_record(actor, CarePlan, plan_id, action=action)
    return loaded


@audited_failures("plan.update")
def update_plan(
    actor: Actor,
    plan_id: int,
    *,
    expected_version: int,
    interventions: list[dict[str, Any]],
    review_on: Any,
    sign: bool = False,
) -> CarePlan:
    """Save a new version of the plan; a stale ``expected_version`` raises Conflict.

    Editing a signed plan returns it to draft: it needs signing again. With ``sign``, the
    edits are saved and signed as one version, in one transaction with one audit event
    (``plan.sign``); if the plan cannot be signed, nothing is saved.
    """
    actor = as_actor(actor)
    loaded = _load_plan(actor, plan_id, "plan.update")
    staff = require(actor, "plan.edit", loaded.patient_id)
    if sign:
        staff = require(actor, "plan.sign", loaded.patient_id)
        _check_signer(staff, loaded)
    if not isinstance(interventions, list):
        raise ValidationFailed("interventions: expected a list", "interventions")
    responsible_ids = {member.pk for member in responsible_choices(loaded.patient)}
    cleaned = [
        _clean_intervention(i, item, responsible_ids) for i, item in enumerate(interventions)
    ]
    _check_whole_plan(loaded.formulation, cleaned)
    review = _clean_review_on(review_on, patient_today(loaded.patient))
    if sign:
        _check_signable(review, cleaned)
    now = get_clock().now()
    signing = {"status": "signed", "signed_by": staff, "signed_at": now} if sign else {
        "status": "draft", "signed_by": None, "signed_at": None,
    }  # fmt: skip
    with transaction.atomic():
        _bump_version(actor, loaded, expected_version, review_on=review, updated_at=now, **signing)
        loaded.interventions.all().delete()
        for position, item in enumerate(cleaned):
            PlanIntervention.objects.create(plan=loaded, position=position, **item)
        loaded.refresh_from_db()
        _snapshot(loaded, staff, now)
        record_event(
            actor,
            "plan.sign" if sign else "plan.update",
            patient_id=loaded.patient_id,
            record_type="plan",
            record_id=loaded.pk,
        )
    return loaded


# A new version is not the one the patient agreed to: its agreement is cleared.
_NO_AGREEMENT = {"agreed_on": None, "agreement": "", "agreement_name": "",
                 "agreement_recorded_by": None}  # fmt: skip


def _bump_version(actor: Actor, plan: CarePlan, expected_version: int, **changes: Any) -> None:
    """Compare-and-set on the version column: only one writer of a version wins."""
    won = CarePlan.objects.filter(pk=plan.pk, version=expected_version).update(
        version=expected_version + 1, **_NO_AGREEMENT, **changes
    )
    if won != 1:
        raise Conflict(
            f"the plan changed (now version {plan.version}, you edited version "
            f"{expected_version}); reload it and apply your changes again",
            "expected_version",
        )


def _check_signer(staff: StaffMember, plan: CarePlan) -> None:
    """An intake clinician signs only for a patient on their care team (docs/adr/0002)."""
    if staff.role == "intake" and not plan.patient.care_team.filter(pk=staff.pk).exists():
        raise Forbidden("the intake role signs plans only for patients on its care team")


def _check_signable(review_on: dt.date | None, items: list[dict[str, Any]]) -> None:
    """What signing needs: a review date, at least one intervention, and a responsible
    clinician for each (the first one missing is named)."""
    if review_on is None:
        raise ValidationFailed("review_on: set a review date before signing", "review_on")
    if not items:
        raise ValidationFailed(
            "interventions: a plan with no interventions cannot be signed", "interventions"
        )
    for index, item in enumerate(items):
        if item.get("responsible_id") is None:
            raise ValidationFailed(
                f"interventions[{index}].responsible: choose who is responsible before signing",
                f"interventions[{index}].responsible",
            )


@audited_failures("plan.sign")
def sign_plan(actor: Actor, plan_id: int, *, expected_version: int | None = None) -> CarePlan:
    """Sign the plan: at least one intervention, the safety ones the formulation requires,
    a responsible staff member for each, and a review date."""
    actor = as_actor(actor)
    loaded = _load_plan(actor, plan_id, "plan.sign")
    staff = require(actor, "plan.sign", loaded.patient_id)
    version = loaded.version if expected_version is None else expected_version
    _check_signer(staff, loaded)
    stored = list(loaded.interventions.all())
    _check_whole_plan(loaded.formulation, [{"intervention_id": i.intervention_id} for i in stored])
    _check_signable(
        loaded.review_on,
        [
            {"responsible_id": i.responsible_id, "intervention_id": i.intervention_id}
            for i in stored
        ],
    )
    now = get_clock().now()
    with transaction.atomic():
        _bump_version(
            actor, loaded, version, status="signed", signed_by=staff, signed_at=now, updated_at=now
        )
        loaded.refresh_from_db()
        _snapshot(loaded, staff, now)
        record_event(
            actor,
            "plan.sign",
            patient_id=loaded.patient_id,
            record_type="plan",
            record_id=loaded.pk,
        )
    return loaded


def follow_placement(
    actor: Actor, staff: StaffMember, record: FormulationRecord, level: str, now: dt.datetime
) -> CarePlan | None:
    """After a new placement decision (inside its transaction): the formulation's latest
    plan takes the decided level's schedule and goes back to review as a new draft version.

    Called by ``services.placement.decide_placement`` only; the caller holds the
    transaction, and this writes one audit event, ``plan.return_to_review``.
    """
    plan = record.plans.order_by("-created_at", "-pk").first()
    if plan is None:
        return None
    frequencies = level_frequencies(record)
    for item in plan.interventions.all():
        moved = frequency_at_level(frequencies, item.frequency, level)
        if moved != item.frequency:
            item.frequency = moved
            item.save(update_fields=["frequency"])
    _bump_version(
        actor, plan, plan.version, status="draft", signed_by=None, signed_at=None, updated_at=now
    )
    plan.refresh_from_db()
    _snapshot(plan, staff, now)
    record_event(
        actor,
        "plan.return_to_review",
        patient_id=plan.patient_id,
        record_type="plan",
        record_id=plan.pk,
    )
    return plan


def current_plan(actor: Actor, patient_id: Any) -> CarePlan | None:
    """The patient's latest plan (one audited read)."""
    patient = access_patient(actor, patient_id, action="plan.view")
    return patient.plans.order_by("-created_at", "-pk").first()


def latest_plan_of(formulation: FormulationRecord) -> CarePlan | None:
    """The latest plan drafted from an already-accessed formulation (no second audit
    event; ``services.placement.latest_placement`` reads its decision the same way)."""
    return formulation.plans.order_by("-created_at", "-pk").first()


def get_plan(actor: Actor, plan_id: Any) -> CarePlan:
    return _load_plan(as_actor(actor), plan_id, "plan.view")


@audited_failures("plan.agreement")
def record_agreement(
    actor: Actor,
    plan_id: int,
    *,
    expected_version: int,
    agreed_on: Any,
    agreement: str,
    agreement_name: str = "",
) -> CarePlan:
    """Record that the signed plan was reviewed with the patient: the date, and either the
    name the patient typed or the clinician's record of a verbal agreement. The agreement
    belongs to this version: a later edit or a new placement decision clears it."""
    actor = as_actor(actor)
    loaded = _load_plan(actor, plan_id, "plan.agreement")
    staff = require(actor, "plan.edit", loaded.patient_id)
    if loaded.status != "signed" or loaded.signed_at is None:
        raise ValidationFailed("plan: sign the plan before recording the patient's agreement",
                               "plan")  # fmt: skip
    if agreement not in AGREEMENTS:
        raise ValidationFailed(f"agreement: expected one of {', '.join(AGREEMENTS)}",
                               "agreement")  # fmt: skip
    name = (agreement_name or "").strip()
    if agreement == "typed_name" and not name:
        raise ValidationFailed("agreement_name: the patient types their name here",
                               "agreement_name")  # fmt: skip
    if len(name) > 200:
        raise ValidationFailed("agreement_name: at most 200 characters", "agreement_name")
    on = _clean_agreed_on(agreed_on, loaded.signed_at.date())
    with transaction.atomic():
        won = CarePlan.objects.filter(pk=loaded.pk, version=expected_version).update(
            agreed_on=on, agreement=agreement,
            agreement_name=name if agreement == "typed_name" else "",
            agreement_recorded_by=staff,
        )  # fmt: skip
        if won != 1:
            raise Conflict("the plan changed; reload it and record the agreement again",
                           "expected_version")  # fmt: skip
        record_event(actor, "plan.agreement", patient_id=loaded.patient_id,
                     record_type="plan", record_id=loaded.pk)  # fmt: skip
    loaded.refresh_from_db()
    return loaded


def _clean_agreed_on(value: Any, signed_on: dt.date) -> dt.date:
    today = get_clock().today()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or not signed_on <= value <= today:
        raise ValidationFailed(
            f"agreed_on: a date from the signing ({signed_on.isoformat()}) to today "
            f"({today.isoformat()})",
            "agreed_on",
        )
    return value
