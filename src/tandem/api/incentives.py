"""Contingency management and the clinician's timeline (issue 11): thin calls into
``services.incentives`` and ``services.timeline``, which check access, validate (naming
the field) and audit. Money is integer cents (monitoring.md s7)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tandem.api.auth import actor
from tandem.api.routes import ERRORS, Id
from tandem.api.schemas import IncentivesOut, RedemptionIn, RedemptionOut, TimelineOut
from tandem.domain.labels import label
from tandem.services import incentives
from tandem.services import timeline as timeline_service

router = Router(tags=["incentives and timeline"])


@router.get(
    "/patients/{patient_id}/incentives",
    response={200: IncentivesOut, **ERRORS},
    summary="A patient's incentive ledger, credit given and balance",
    description="One line per drug screen under the clinic's schedule (monitoring.md s7, "
    "ruleset-v2.md s7), with the screen, the rule that priced it and any prize draws with "
    "their recorded seed. kind is null while the clinic has no schedule.",
)
def patient_incentives(request: HttpRequest, patient_id: Id) -> Any:
    found = incentives.account(actor(request), patient_id)
    return {
        "patient_id": patient_id,
        "kind": found.kind,
        "cap_cents": found.cap_cents,
        "earned_cents": found.earned_cents,
        "redeemed_cents": found.redeemed_cents,
        "balance_cents": found.balance_cents,
        "rows": found.entries,
        "redemptions": [_redemption(r) for r in found.redemptions],
    }


@router.post(
    "/patients/{patient_id}/incentives/redemptions",
    response={201: RedemptionOut, **ERRORS},
    summary="Give a patient credit (the role needs cm.redeem: a clinician)",
    description="At most the balance (422, field cents); what was given is a gift card or "
    "voucher, never cash. No Idempotency-Key: a retry gives credit twice, up to the balance.",
)
def redeem(request: HttpRequest, patient_id: Id, payload: RedemptionIn) -> Any:
    given = incentives.redeem(actor(request), patient_id, payload.cents, payload.what)
    return Status(201, _redemption(given))


def _redemption(row: Any) -> dict[str, Any]:
    return {"id": row.pk, "patient_id": row.patient_id, "cents": row.cents, "what": row.what,
            "by_id": row.by_id, "at": row.at}  # fmt: skip


@router.get(
    "/patients/{patient_id}/timeline",
    response={200: TimelineOut, **ERRORS},
    summary="A patient's timeline: check-ins, PHQ-9s, every dated record and the report",
    description="The data of the clinician's timeline page: the daily check-ins and "
    "PHQ-9s over the episode (a year at most), drug screens, alerts, group attendance, "
    "level-of-care decisions, plan versions and questionnaires, and the monitoring core's "
    "report (crash cycle, what shifts first, measurement-based care, the step-up or "
    "step-down suggestion).",
)
def patient_timeline(request: HttpRequest, patient_id: Id) -> Any:
    found = timeline_service.timeline(actor(request), patient_id)
    p = found.progress
    since = p.days_since_use
    report = found.report
    return {
        "patient_id": found.patient.pk,
        "today": p.period.end,
        "since": p.period.start,
        "days": p.checkins,
        "use_days": p.use_days,
        "last_use": since.last_use if since else None,
        "days_since_last_use": since.days if since else None,
        "phq9": p.phq9_records,
        "events": found.events,
        "report": _report(report) if report is not None else None,
        "refused": found.refused,
        "offers": []
        if found.open_reassessment
        else [
            {"reason": o.reason, "title": o.title, "evidence": o.evidence, "lines": list(o.lines)}
            for o in found.offers
        ],
        "reassessment_open": found.open_reassessment is not None,
        "due": [
            {
                "instrument_id": q.instrument_id,
                "instrument_label": label("instrument", q.instrument_id),
                "status": q.now.status,
                "due_on": q.now.due_on,
                "open_until": q.now.open_until,
                "done_on": q.now.done_on,
                "next_on": q.next_on,
                "missed": q.missed,
            }
            for q in found.due
        ],
    }


def _report(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "cycle": report.get("cycle") or {},
        "early_markers_trend": report.get("early_markers_trend") or {},
        "mbc": report.get("mbc") or {},
        "suggestion": report.get("suggestion"),
    }
