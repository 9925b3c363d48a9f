"""Alerts that reach a person (issue 10): raise, route, notify, acknowledge, resolve,
escalate. Every later alert of Tandem goes through here.

- **Identity**: (patient, kind, day raised). ``signal`` locks the patient's row, reads the
  stored alerts and writes its decision in the caller's transaction, and the database's
  unique constraint backs it: two writers never raise the same alert twice.
- **Routing** (ruleset-v2.md s7 names the roles; fallback and escalation are the app's,
  the program's own choice): the care-team members holding the kind's roles; when nobody
  holds any of them, the care team's intake clinician; then the clinic's directors. An
  urgent alert raised outside opening hours (or in a clinic that has not entered its
  hours) also goes at once to the on-call clinician and the directors; one still open
  after the clinic's escalation time goes to them then (``escalate_overdue``).
- **Transitions** (raised, evidence added, score raised, notified, reopened,
  acknowledged, resolved, escalated) are ``AlertTransition`` rows and audit events.
- **E-mail notice** (optional, ``TANDEM_ALERT_EMAIL``): only a link, never health
  information (42 CFR Part 2; SECURITY.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from tandem.domain.monitoring.alerts import KIND_BY_NAME
from tandem.domain.monitoring.live import Decision, StoredAlert, suicide_signal
from tandem.domain.monitoring.thresholds import DEFAULT_RECIPIENTS
from tandem.services.access import access_patient, access_record
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import zone
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, ValidationFailed
from tandem.services.permissions import require
from tandem.services.typed_text import refuse_bad_text
from tandem.storage.models import (
    Alert,
    AlertRecipient,
    AlertTransition,
    OnCall,
    OpeningHours,
    Organization,
    Patient,
    StaffMember,
)

NOTE_MAX = 2000


@dataclass(frozen=True)
class Evidence:
    """One record that gave an alert's signal, in the clinic's words (no free text)."""

    on: dt.date
    what: str  # e.g. "Daily check-in: said yes to the safety question"
    record_type: str  # "check-in", "questionnaire", "drug screen"
    record_id: int
    score: int = 0

    def as_json(self, at: dt.datetime) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "what": self.what,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "score": self.score,
            "at": at.isoformat(),
        }


# ---------------------------------------------------------------- raising


def signal(
    actor: Actor,
    patient: Patient,
    kind: str,
    evidence: Evidence,
) -> Alert:
    """Record one signal of ``kind`` for ``patient``: raise that day's alert, or add the
    signal to the alert it belongs to (and notify its recipients again).

    ``suicide_risk`` follows ruleset-v2.md s7's app rules (``domain.monitoring.live``);
    every other kind has one alert per day, its evidence growing. Runs inside the
    caller's transaction (the record that gave the signal commits with its alert)."""
    if kind not in KIND_BY_NAME and kind != "emergency_evaluation":
        raise ValueError(f"unknown alert kind {kind!r}")
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one writer
        try:
            with transaction.atomic():
                return _apply(actor, patient, kind, evidence, _decide(patient, kind, evidence))
        except IntegrityError:
            # Another writer raised the same (patient, kind, day) alert first (only where
            # the row lock above is not enough): decide again, now seeing it.
            return _apply(actor, patient, kind, evidence, _decide(patient, kind, evidence))


def _stored(alert: Alert | None) -> StoredAlert | None:
    if alert is None:
        return None
    return StoredAlert(alert.pk, alert.raised_on, alert.score, alert.state)  # type: ignore[arg-type]


def _decide(patient: Patient, kind: str, evidence: Evidence) -> Decision:
    alerts = Alert.objects.filter(patient=patient, kind=kind)
    same_day = alerts.filter(raised_on=evidence.on).first()
    if kind == "suicide_risk":
        open_alert = alerts.filter(state="open").order_by("-raised_on").first()
        return suicide_signal(evidence.on, evidence.score, _stored(same_day), _stored(open_alert))
    if same_day is not None:
        return Decision("add", evidence.on, same_day.score, same_day.pk, same_day.state != "open")
    return Decision("raise", evidence.on, evidence.score)


def _apply(
    actor: Actor, patient: Patient, kind: str, evidence: Evidence, decision: Decision
) -> Alert:
    now = get_clock().now()
    if decision.action == "raise":
        severity = "urgent" if kind == "emergency_evaluation" else KIND_BY_NAME[kind].severity
        alert = Alert.objects.create(
            patient=patient,
            kind=kind,
            raised_on=decision.day,
            severity=severity,
            score=decision.score,
            evidence=[evidence.as_json(now)],
            created_at=now,
            updated_at=now,
        )
        _transition(actor, alert, "raised", now)
        recipients = route(patient, kind)
        if severity == "urgent" and not clinic_is_open(patient.organization, now):
            recipients += _on_call_and_directors(patient.organization, now, "on_call")
        _notify(actor, alert, recipients, now)
        return alert
    assert decision.alert_id is not None  # an "add" names its alert
    alert = Alert.objects.select_for_update().get(pk=decision.alert_id)
    alert.evidence = [*alert.evidence, evidence.as_json(now)]
    raised_score = decision.score > alert.score
    alert.score = decision.score
    alert.updated_at = now
    if decision.reopen:
        alert.state = "open"
    alert.save(update_fields=["evidence", "score", "updated_at", "state"])
    _transition(actor, alert, "evidence_added", now)
    if raised_score:
        _transition(actor, alert, "score_raised", now)
    if decision.reopen:
        _transition(actor, alert, "reopened", now)
    _notify(
        actor, alert, [(r.staff, r.reason) for r in alert.recipients.select_related("staff")], now
    )
    return alert


# ---------------------------------------------------------------- routing


def route(patient: Patient, kind: str) -> list[tuple[StaffMember, str]]:
    """Who receives a new alert of ``kind``: the care-team members holding its roles;
    else the care team's intake clinician; else the clinic's directors."""
    roles = set(DEFAULT_RECIPIENTS.get(kind, ("therapist",))) - {"on_call"}
    team = list(patient.care_team.filter(user__is_active=True).select_related("user"))
    chosen = [(s, "care_team") for s in team if s.role in roles]
    if kind == "emergency_evaluation":
        chosen += _on_call(patient.organization, get_clock().now())
    if chosen:
        return chosen
    intake = [(s, "intake_fallback") for s in team if s.role == "intake"]
    if intake:
        return intake
    return [(s, "director_fallback") for s in _directors(patient.organization_id)]


def _directors(organization_id: int) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(
            organization_id=organization_id, role="director", user__is_active=True
        )
    )


def _on_call(organization: Organization, moment: dt.datetime) -> list[tuple[StaffMember, str]]:
    weekday = _local(organization, moment).weekday()
    row = (
        OnCall.objects.filter(organization_id=organization.pk, weekday=weekday)
        .select_related("staff", "staff__user")
        .first()
    )
    if row is None or not row.staff.user.is_active:
        return []
    return [(row.staff, "on_call")]


def _on_call_and_directors(
    organization: Organization, moment: dt.datetime, reason: str
) -> list[tuple[StaffMember, str]]:
    people = [(s, reason) for s, _ in _on_call(organization, moment)]
    return people + [(s, reason) for s in _directors(organization.pk)]


def _local(organization: Organization, moment: dt.datetime) -> dt.datetime:
    """``moment`` on the clinic's clock (the organization is already loaded)."""
    return moment.astimezone(zone(organization.time_zone))


def clinic_is_open(organization: Organization, moment: dt.datetime) -> bool:
    """Whether the clinic is open at ``moment`` (its local time). A clinic that has not
    entered opening hours counts as closed, so urgent alerts reach on-call at once."""
    local = _local(organization, moment)
    hours = OpeningHours.objects.filter(
        organization_id=organization.pk, weekday=local.weekday()
    ).first()
    return hours is not None and hours.opens <= local.time() < hours.closes


def _notify(
    actor: Actor, alert: Alert, recipients: list[tuple[StaffMember, str]], now: dt.datetime
) -> None:
    seen: set[int] = set()
    for staff, reason in recipients:
        if staff.pk in seen:
            continue
        seen.add(staff.pk)
        row, created = AlertRecipient.objects.get_or_create(
            alert=alert, staff=staff, defaults={"reason": reason, "notified_at": now}
        )
        if not created:
            row.notified_at = now
            row.save(update_fields=["notified_at"])
    if seen:
        _transition(actor, alert, "notified", now)
        staff_ids = sorted(seen)
        # robust: a notice that cannot be queued must not fail the committed write.
        transaction.on_commit(lambda: _email_notice(alert.pk, staff_ids), robust=True)


def _email_notice(alert_id: int, staff_ids: list[int]) -> None:
    """Enqueue the optional e-mail notice (a link only) once the alert has committed."""
    from tandem.services import notices

    notices.alert_notice_after_commit(alert_id, staff_ids)


def _transition(
    actor: Actor, alert: Alert, transition: str, now: dt.datetime, note: str = ""
) -> None:
    AlertTransition.objects.create(
        alert=alert, transition=transition, at=now, by=actor.name, note=note
    )
    record_event(
        actor,
        f"alert.{transition}",
        patient_id=alert.patient_id,
        record_type="alert",
        record_id=alert.pk,
    )


# ---------------------------------------------------------------- escalation


def escalate_overdue() -> int:
    """Send every urgent alert still open after its clinic's escalation time to the
    on-call clinician and the directors (once); the number escalated. Run by the task
    framework every few minutes (``tandem.tasks``) and by ``tandem alerts escalate``."""
    now = get_clock().now()
    system = Actor(None, via="task")
    escalated = 0
    candidates = Alert.objects.filter(
        state="open", severity="urgent", escalated_at__isnull=True
    ).select_related("patient__organization")
    for alert in candidates:
        minutes = alert.patient.organization.escalation_minutes
        if alert.created_at + dt.timedelta(minutes=minutes) > now:
            continue
        with transaction.atomic():
            locked = Alert.objects.select_for_update().get(pk=alert.pk)
            if locked.state != "open" or locked.escalated_at is not None:
                continue
            locked.escalated_at = now
            locked.save(update_fields=["escalated_at"])
            _transition(system, locked, "escalated", now)
            people = _on_call_and_directors(alert.patient.organization, now, "escalation")
            _notify(system, locked, people, now)
        escalated += 1
    return escalated


# ---------------------------------------------------------------- the inbox


def _ranked(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    return alerts.annotate(
        severity_rank=Case(
            When(severity="urgent", then=Value(0)),
            When(severity="high", then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )


def inbox(actor: Actor, *, state: str = "open") -> list[Alert]:
    """The alerts sent to this staff member (``state``: open, acknowledged, resolved, or
    active = open or acknowledged), urgent first, newest first; audited as a list read."""
    actor = as_actor(actor)
    staff = actor.require_staff()
    states = ("open", "acknowledged") if state == "active" else (state,)
    alerts = list(
        _ranked(
            Alert.objects.filter(recipients__staff=staff, state__in=states)
            .select_related("patient")
            .distinct()
        ).order_by("severity_rank", "-raised_on", "-pk")[:500]  # type: ignore[misc]  # annotated
    )
    record_event(
        actor,
        "alert.list",
        record_type="alert",
        patient_ids=[a.patient_id for a in alerts],
        record_ids=[a.pk for a in alerts],
    )
    return alerts


def open_count(staff: StaffMember | None) -> int:
    """How many open alerts this staff member received (the navigation's count)."""
    if staff is None:
        return 0
    return int(
        Alert.objects.filter(recipients__staff=staff, state="open").aggregate(
            n=Count("pk", distinct=True)
        )["n"]
    )


def patient_alerts(actor: Actor, patient_id: int) -> list[Alert]:
    """A patient's alerts, newest first (one audited read: the chart and the API)."""
    patient = access_patient(actor, patient_id, action="alert.list")
    return list(_ranked(Alert.objects.filter(patient=patient)).order_by("-raised_on", "-pk"))


def open_alerts_by_patient(patient_ids: list[int]) -> dict[int, dict[str, int]]:
    """patient id -> {"urgent": n, "high": n, "routine": n} of open alerts (caseload)."""
    rows = (
        Alert.objects.filter(patient_id__in=patient_ids, state="open")
        .values("patient_id", "severity")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["patient_id"], {})[row["severity"]] = row["n"]
    return result


# ---------------------------------------------------------------- acknowledge, resolve


def _clean_note(note: Any, *, required: bool) -> str:
    text = "" if note is None else str(note).strip()
    if required and not text:
        raise ValidationFailed("note: say what was done (1 to 2,000 characters)", "note")
    if len(text) > NOTE_MAX:
        raise ValidationFailed("note: at most 2,000 characters", "note")
    refuse_bad_text(text, "note")
    return text


def _recipient_alert(actor: Actor, alert_id: Any, action: str) -> Alert:
    alert: Alert = access_record(actor, Alert, alert_id, action=action)
    require(actor, "alert.handle", alert.patient_id)
    return alert


@audited_failures("alert.acknowledged")
def acknowledge(actor: Actor, alert_id: Any, note: Any = "") -> Alert:
    """Acknowledge an open alert ("I have seen it and am acting"), with an optional note."""
    actor = as_actor(actor)
    text = _clean_note(note, required=False)
    # Access is checked before the transaction: a refusal's audit event must not roll
    # back with it.
    found = _recipient_alert(actor, alert_id, "alert.acknowledged")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=found.pk)
        if alert.state != "open":
            raise Conflict(f"This alert is already {alert.state}.")
        now = get_clock().now()
        alert.state, alert.updated_at = "acknowledged", now
        alert.save(update_fields=["state", "updated_at"])
        _transition(actor, alert, "acknowledged", now, text)
    return alert


@audited_failures("alert.resolved")
def resolve(actor: Actor, alert_id: Any, note: Any) -> Alert:
    """Resolve an alert with a note saying what was done (required)."""
    actor = as_actor(actor)
    text = _clean_note(note, required=True)
    # Access is checked before the transaction: a refusal's audit event must not roll
    # back with it.
    found = _recipient_alert(actor, alert_id, "alert.resolved")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=found.pk)
        if alert.state == "resolved":
            raise Conflict("This alert is already resolved.")
        now = get_clock().now()
        alert.state, alert.updated_at = "resolved", now
        alert.save(update_fields=["state", "updated_at"])
        _transition(actor, alert, "resolved", now, text)
    return alert


def get_alert(actor: Actor, alert_id: Any) -> Alert:
    """One alert the actor may see (one audited read; NotFound when missing or not
    visible)."""
    alert: Alert = access_record(actor, Alert, alert_id, action="alert.view")
    return alert


def transitions(alert: Alert) -> list[AlertTransition]:
    """An already-read alert's transitions, oldest first."""
    return list(alert.transitions.order_by("at", "pk"))


def recipients(alert: Alert) -> list[AlertRecipient]:
    """Who an already-read alert was sent to, and why."""
    return list(alert.recipients.select_related("staff").order_by("pk"))


def recipients_by_alert(rows: list[Alert]) -> dict[int, list[AlertRecipient]]:
    """alert id -> its recipients with their staff records, for alerts already read
    (the inbox: one query for the whole list)."""
    found: dict[int, list[AlertRecipient]] = {}
    people = AlertRecipient.objects.filter(alert_id__in=[a.pk for a in rows])
    for row in people.select_related("staff", "staff__user").order_by("pk"):
        found.setdefault(row.alert_id, []).append(row)
    return found


def colleague_names(alert: Alert, usernames: set[str]) -> dict[str, str]:
    """user name -> display name, for staff of the alert's clinic among ``usernames``
    (a transition's author); anyone else (a patient, Tandem itself) is left out."""
    staff = StaffMember.objects.filter(
        organization_id=alert.patient.organization_id, user__username__in=usernames
    ).select_related("user")
    return {s.user.get_username(): s.display_name or s.user.get_username() for s in staff}
