"""Reassessment (issue 11): from a monitoring suggestion to a new formulation and placement.

What is offered (``offers``), computed by the domain from the records as of the
patient's today, never stored: the monitoring core's suggestion (``emergency_evaluation``,
``step_up`` or ``step_down``, with its evidence; ruleset-v2.md s7, monitoring.md s6),
and a due re-evaluation of a provisional substance-induced depression on its
``reassess_on`` date with the monitoring evidence (a ``persistent_low`` points to an
independent depression; monitoring.md s2).

Accepting one (``start``) re-reads what is offered (a stale page cannot start what no
longer holds), then, in one transaction under the patient's row lock: sets the intake's
case to the reassessment day, puts in what monitoring knows (``last_use`` and
``days_used_past_30``, ``domain.monitoring.reassessment.recent_use``: counted only when
check-ins cover at least 27 of the 30 days, else unknown), and records the reassessment
with the suggestion's evidence and the case values it replaced. The latest PHQ-9 and
C-SSRS come in as they always do: the formulation reads the episode's latest
administration of each instrument. The clinician reviews the case in the intake pages,
then formulates (``services.intake.formulate_patient`` links the new formulation to the
open reassessment, ``end_open_reassessment``) and decides the placement on the
formulation page as at intake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tandem.domain.labels import label
from tandem.domain.monitoring.reassessment import (
    REASONS,
    RecentUse,
    depression_review_due,
    recent_use,
)
from tandem.services import monitoring
from tandem.services.access import access_patient, access_record
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import patient_today
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, ValidationFailed
from tandem.services.intake import CASE_SCHEMA, current_intake
from tandem.services.permissions import require
from tandem.services.progress import last_use_of, use_days_of
from tandem.storage.models import (
    CheckIn,
    DrugScreen,
    FormulationRecord,
    Intake,
    Patient,
    Reassessment,
)

# Clinician words for what prompted a reassessment.
REASON_TITLES = {
    "emergency_evaluation": "Emergency evaluation",
    "step_up": "Step up the level of care",
    "step_down": "Step down the level of care",
    "depression_review": "Re-evaluate the depression",
}
# ruleset-v2.md s7 (facts.md s2.4), in the clinic's words.
EMERGENCY_ACTION = (
    "Take precautions now and arrange a same-day evaluation by a mental-health professional."
)
CANCEL_REASON_MAX = 500


@dataclass(frozen=True)
class Offer:
    """One thing a clinician may accept today, with its evidence in words."""

    reason: str
    title: str
    evidence: dict[str, Any]
    lines: tuple[str, ...]


def _tier(value: Any) -> str:
    return str(value or "").replace("_", " ")


def suggestion_lines(kind: str, e: dict[str, Any]) -> tuple[str, ...]:
    """The evidence of a monitoring suggestion, in the clinic's words."""
    lines: list[str] = []
    if kind == "emergency_evaluation":
        lines.append(f"C-SSRS screen on {e.get('cssrs_date')}: high risk.")
        if e.get("intent_or_plan"):
            lines.append("Suicidal intent or a plan in the past month.")
        if e.get("recent_behaviour"):
            lines.append("Suicidal behaviour in the past 3 months.")
        lines.append(EMERGENCY_ACTION)
    elif kind == "step_up":
        if e.get("deterioration"):
            lines.append("PHQ-9 has reliably worsened (6 points or more).")
        if e.get("not_on_track"):
            lines.append(
                "PHQ-9 not on track: 6 weeks or more after baseline and less than 20% lower."
            )
        if e.get("cssrs_tier"):
            lines.append(f"C-SSRS screen on {e.get('cssrs_date')}: {_tier(e['cssrs_tier'])} risk.")
        if e.get("positive_screen_days_last_14_days") is not None:
            n = e["positive_screen_days_last_14_days"]
            lines.append(f"{n} days with a stimulant-positive screen in the last 14 days.")
        lines.append(
            "Levels in order: outpatient, intensive outpatient, partial hospital, referral."
        )
    elif kind == "step_down":
        lines.append("PHQ-9 response: at least 50% lower than baseline.")
        n = e.get("screens_last_28_days")
        lines.append(f"{n} drug screens in the last 28 days, all stimulant-negative.")
        lines.append("No suicide risk signal in the last 28 days.")
    return tuple(lines)


def depression_lines(e: dict[str, Any]) -> tuple[str, ...]:
    lines = [
        "The current depression was formulated as substance-induced, provisionally; "
        f"re-evaluation was due on {e['reassess_on']}."
    ]
    if e.get("days_without_use") is not None:
        ongoing = " (ongoing)" if e.get("ongoing") else ""
        lines.append(f"Longest recent run without use: {e['days_without_use']} days{ongoing}.")
    low = e.get("persistent_low")
    if low is True:
        lines.append(
            "Low mood persisted after 28 days without use: this points to an independent "
            "depression."
        )
    elif low is False:
        lines.append("Mood lifted after 28 days without use.")
    else:
        lines.append("Not enough check-ins after 28 days without use to tell yet.")
    if e.get("phq9") is not None:
        lines.append(f"Latest PHQ-9 in that period: {e['phq9']} ({e.get('phq9_date')}).")
    return tuple(lines)


def _latest_formulation(patient: Patient) -> FormulationRecord | None:
    return patient.formulations.order_by("-created_at", "-pk").first()


def _offers(patient: Patient, today: dt.date) -> list[Offer]:
    report, _refused = monitoring.patient_report(patient, today)
    return offers_from(patient, report, today)


def offers_from(patient: Patient, report: dict[str, Any] | None, today: dt.date) -> list[Offer]:
    """What is offered, from a monitoring report already computed for ``today`` (the
    caller checked access; the timeline page computes the report once)."""
    found: list[Offer] = []
    suggestion = (report or {}).get("suggestion")
    if suggestion:
        kind = str(suggestion["kind"])
        evidence = dict(suggestion["evidence"])
        found.append(Offer(kind, REASON_TITLES[kind], evidence, suggestion_lines(kind, evidence)))
    latest = _latest_formulation(patient)
    output = latest.output if latest is not None else {}
    reassess_on = _date(output.get("reassess_on"))
    if depression_review_due(output.get("current_depression"), reassess_on, today):
        recovery = (report or {}).get("recovery") or {}
        evidence = {
            "reassess_on": reassess_on.isoformat() if reassess_on else None,
            "days_without_use": recovery.get("days_without_use"),
            "ongoing": recovery.get("ongoing"),
            "persistent_low": recovery.get("persistent_low"),
            "phq9": recovery.get("phq9"),
            "phq9_date": recovery.get("phq9_date"),
        }
        found.append(
            Offer(
                "depression_review",
                REASON_TITLES["depression_review"],
                evidence,
                depression_lines(evidence),
            )
        )
    return found


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def offers_of(patient: Patient) -> list[Offer]:
    """What a clinician may accept today for a patient the caller already accessed."""
    return _offers(patient, patient_today(patient))


def current_level(patient: Patient) -> str:
    """The level of care of the patient's latest episode ("" when none is decided)."""
    episode = patient.episodes.order_by("-started_on", "-pk").first()
    return episode.level if episode is not None else ""


def open_of(patient: Patient) -> Reassessment | None:
    """The open reassessment of a patient the caller already accessed (no second read)."""
    return _open(patient)


def latest_of(patient: Patient) -> Reassessment | None:
    """The most recent reassessment, open or not, of a patient the caller accessed."""
    found: Reassessment | None = (
        patient.reassessments.select_related("formulation").order_by("-started_at", "-pk").first()
    )
    return found


def _open(patient: Patient) -> Reassessment | None:
    return (
        patient.reassessments.filter(formulation__isnull=True, cancelled_at__isnull=True)
        .order_by("-started_at", "-pk")
        .first()
    )


def monitored_use(patient: Patient, assessed_on: dt.date, intake: Intake) -> RecentUse:
    """Use as monitoring saw it up to ``assessed_on`` (check-ins and stimulant-positive
    screens), with the intake's last use kept when nothing later was recorded."""
    since = assessed_on - dt.timedelta(days=400)
    checkins = CheckIn.objects.filter(patient=patient, on__gte=since, on__lte=assessed_on)
    days: list[dt.date] = []
    stored: list[list[str]] = []
    for on, use_days in checkins.values_list("on", "use_days"):
        days.append(on)
        stored.append(use_days)
    used = use_days_of(stored)
    positive = DrugScreen.objects.filter(
        patient=patient, cm_result="positive", collected_on__lte=assessed_on
    ).values_list("collected_on", flat=True)
    return recent_use(assessed_on, days, used, positive, last_use_of(intake.case))


@audited_failures("reassessment.start")
def start(actor: Actor, patient_id: Any, reason: str) -> Reassessment:
    """Accept what is offered under ``reason``: a reassessment with a prefilled case.

    Refused (field ``reason``) when ``reason`` is not offered today; when the patient
    has no formulation yet (field ``formulation``: the intake comes first). A patient's
    open reassessment is returned as it is, not started twice.
    """
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="reassessment.start")
    staff = require(actor, "reassessment.start", patient.pk)
    if reason not in REASONS:
        allowed = ", ".join(label_reason(r) for r in REASONS)
        raise ValidationFailed(f"reason: expected one of {allowed}", "reason")
    today = patient_today(patient)
    prior = _latest_formulation(patient)
    if prior is None:
        raise ValidationFailed(
            "formulation: a reassessment follows a first formulation; complete the intake "
            "and formulate first",
            "formulation",
        )
    offered = {o.reason: o for o in _offers(patient, today)}
    if reason not in offered:
        raise ValidationFailed(
            f"reason: {label_reason(reason).lower()} is not suggested for this patient "
            "today; the records may have changed since the page was opened",
            "reason",
        )
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one writer
        existing = _open(patient)
        if existing is not None:
            return existing
        intake = current_intake(patient)
        use = monitored_use(patient, today, intake)
        case, replaced = _prefilled_case(intake.case, use)
        updated = Intake.objects.filter(pk=intake.pk, version=intake.version).update(
            case=case, version=intake.version + 1, updated_at=get_clock().now()
        )
        if updated != 1:
            raise Conflict("the intake changed while starting; reload and retry", "version")
        record = Reassessment.objects.create(
            patient=patient,
            intake=intake,
            reason=reason,
            evidence=offered[reason].evidence,
            prefilled={"use": use.as_dict(), "replaced": replaced},
            prior_formulation=prior,
            started_by=staff,
            started_at=get_clock().now(),
        )
        record_event(
            actor,
            "reassessment.start",
            patient_id=patient.pk,
            record_type="reassessment",
            record_id=record.pk,
        )
    return record


def _prefilled_case(case: dict[str, Any], use: RecentUse) -> tuple[dict[str, Any], dict[str, Any]]:
    """The intake case as of the reassessment day with monitoring's use facts, and the
    values it replaced (kept on the reassessment)."""
    stimulant = dict(case.get("stimulant") or {})
    replaced = {
        "assessed_on": case.get("assessed_on"),
        "stimulant.last_use": stimulant.get("last_use"),
        "stimulant.days_used_past_30": stimulant.get("days_used_past_30"),
    }
    if use.last_use is not None:
        stimulant["last_use"] = use.last_use.isoformat()
    stimulant["days_used_past_30"] = use.days_used_past_30
    new = {
        **case,
        "schema": CASE_SCHEMA,
        "assessed_on": use.assessed_on.isoformat(),
        "stimulant": stimulant,
    }
    return new, replaced


@audited_failures("reassessment.cancel")
def cancel(actor: Actor, reassessment_id: Any, reason: str) -> Reassessment:
    """Stop an open reassessment with a written reason (the case keeps its values; a
    later formulation is not linked to a stopped reassessment)."""
    actor = as_actor(actor)
    record = _load(actor, reassessment_id, "reassessment.cancel")
    require(actor, "reassessment.cancel", record.patient_id)
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not text or len(text) > CANCEL_REASON_MAX:
        raise ValidationFailed(
            f"cancel_reason: say why, in 1 to {CANCEL_REASON_MAX} characters", "cancel_reason"
        )
    with transaction.atomic():
        stopped = Reassessment.objects.filter(
            pk=record.pk, formulation__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=get_clock().now(), cancel_reason=text)
        if stopped != 1:
            raise Conflict("this reassessment has already ended", "reassessment")
        record_event(
            actor,
            "reassessment.cancel",
            patient_id=record.patient_id,
            record_type="reassessment",
            record_id=record.pk,
        )
    record.refresh_from_db()
    return record


def _load(actor: Actor, reassessment_id: Any, action: str) -> Reassessment:
    found: Reassessment = access_record(actor, Reassessment, reassessment_id, action=action)
    return found


def label_reason(reason: str) -> str:
    return REASON_TITLES.get(reason) or label("level", reason)
