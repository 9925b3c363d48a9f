"""Level-of-care placement: the engine recommends, the clinician decides (DESIGN.md s2).

A new decision sends the formulation's plan back to review: a new draft version on the
decided level's schedule (``services.plans.follow_placement``), in the same transaction.

The recommendation is the stored formulation's ``placement.level`` (ruleset-v1.md s8);
a decision that differs from it needs a written reason. A version-2 formulation lists
review flags beside the level (ruleset-v2.md s4): the deciding clinician acknowledges
each one, and each acknowledgement is its own row and its own audit event.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from tandem.services.access import access_patient, access_record
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.clock import get_clock
from tandem.services.errors import ValidationFailed
from tandem.services.permissions import require
from tandem.services.plans import follow_placement
from tandem.storage.models import (
    EpisodeOfCare,
    FormulationRecord,
    Placement,
    ReviewFlagAcknowledgement,
)

# ruleset-v1.md s8 and ruleset-v2.md s4: the levels a placement can name.
PLACEMENT_LEVELS = (
    "emergency", "adolescent_referral", "residential_referral", "php", "iop", "outpatient",
)  # fmt: skip
# The episode's level of care here; an adolescent referral leaves this program's level unset.
_EPISODE_LEVEL = {"residential_referral": "residential", "adolescent_referral": ""}


@audited_failures("placement.decide")
def decide_placement(
    actor: Actor,
    formulation_id: int,
    *,
    level: str,
    override_reason: str = "",
    acknowledged_flags: Sequence[str] = (),
) -> Placement:
    """Record the clinician's level; an override of the recommendation needs a reason,
    and every review flag of the formulation must be acknowledged (ruleset-v2.md s4)."""
    actor = as_actor(actor)
    record: FormulationRecord = access_record(
        actor, FormulationRecord, formulation_id, action="placement.decide"
    )
    staff = require(actor, "placement.decide", record.patient_id)
    if level not in PLACEMENT_LEVELS:
        raise ValidationFailed(f"level: expected one of {', '.join(PLACEMENT_LEVELS)}", "level")
    reason = (override_reason or "").strip()
    recommended = record.recommended_level
    if level != recommended and not reason:
        raise ValidationFailed(
            f"override_reason: required when the level ({level}) differs from the "
            f"recommendation ({recommended})",
            "override_reason",
        )
    flags = review_flags(record)
    missing = [flag["text"] for flag in flags if flag["id"] not in set(acknowledged_flags)]
    if missing:
        listed = " / ".join(missing)
        raise ValidationFailed(
            f"acknowledged_flags: acknowledge each review flag before deciding: {listed}",
            "acknowledged_flags",
        )
    with transaction.atomic():
        placement = Placement.objects.create(
            patient_id=record.patient_id,
            formulation=record,
            recommended_level=recommended,
            decided_level=level,
            override_reason=reason,
            decided_by=staff,
            decided_at=get_clock().now(),
        )
        EpisodeOfCare.objects.filter(pk=record.intake.episode_id).update(
            level=_EPISODE_LEVEL.get(level, level)
        )
        record_event(
            actor,
            "placement.decide",
            patient_id=record.patient_id,
            record_type="placement",
            record_id=placement.pk,
        )
        for flag in flags:
            acknowledgement = ReviewFlagAcknowledgement.objects.create(
                placement=placement,
                flag_id=flag["id"],
                flag_text=flag["text"],
                acknowledged_by=staff,
                acknowledged_at=placement.decided_at,
            )
            record_event(
                actor,
                "placement.acknowledge_flag",
                patient_id=record.patient_id,
                record_type="review_flag_acknowledgement",
                record_id=acknowledgement.pk,
            )
        follow_placement(actor, staff, record, level, placement.decided_at)
    return placement


def review_flags(record: FormulationRecord) -> list[dict[str, str]]:
    """The formulation's review flags (none for a version-1 formulation)."""
    placement = record.output.get("placement", {})
    return [
        {"id": str(flag["id"]), "text": str(flag["text"])}
        for flag in placement.get("review_flags", [])
    ]


def placement_history(actor: Actor, patient_id: int) -> list[Placement]:
    """Every level-of-care decision for the patient, newest first (one audited read)."""
    patient = access_patient(actor, patient_id, action="placement.list")
    decided = patient.placements.select_related("decided_by")
    return list(decided.order_by("-decided_at", "-pk"))


def latest_placement(formulation: FormulationRecord) -> Placement | None:
    """The latest decision on an already-accessed formulation (no second audit event)."""
    return formulation.placements.order_by("-decided_at", "-pk").first()
