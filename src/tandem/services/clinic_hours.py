"""Who an urgent alert reaches out of hours (issue 10): the clinic's opening hours, its
weekly on-call roster and its escalation time.

``services.alerts`` reads these: an urgent alert raised while the clinic is closed (or in
a clinic that has entered no opening hours) goes at once to the on-call clinician and the
directors too; one still open after the escalation time goes to them then
(docs/alerts.md). The clinic's directors keep them, and its administrators may too
(``clinic.on_call.manage``, services.permissions). Everything is checked before anything
is saved; one save is one transaction and one audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction

from tandem.domain.labels import label
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.errors import ValidationFailed
from tandem.services.permissions import CLINICIANS, require
from tandem.storage.models import OnCall, OpeningHours, Organization, StaffMember
from tandem.storage.models.alerts import WEEKDAYS

# Issue 10: "the escalation time for urgent alerts (default 1 hour, 15 minutes to 4 hours)".
ESCALATION_LIMITS: Final = (15, 240)


@dataclass(frozen=True)
class DayHours:
    """One weekday's opening hours (clinic-local); ``None`` times: closed that day."""

    weekday: int
    opens: dt.time | None = None
    closes: dt.time | None = None

    @property
    def closed(self) -> bool:
        return self.opens is None and self.closes is None


@dataclass(frozen=True)
class AlertSettings:
    """The clinic's hours, on-call roster (weekday -> staff member or None) and escalation."""

    organization: Organization
    hours: dict[int, DayHours]
    on_call: dict[int, StaffMember | None]
    escalation_minutes: int

    @property
    def week(self) -> list[tuple[int, DayHours, StaffMember | None]]:
        """Monday to Sunday: (weekday, hours, on-call clinician)."""
        return [(d, self.hours[d], self.on_call.get(d)) for d in WEEKDAYS]

    @property
    def no_hours(self) -> bool:
        return all(day.closed for day in self.hours.values())


def on_call_candidates(organization_id: int) -> list[StaffMember]:
    """The clinic's active clinicians, by name: who may be on call."""
    return list(
        StaffMember.objects.filter(
            organization_id=organization_id, role__in=CLINICIANS, user__is_active=True
        )
        .select_related("user")
        .order_by("display_name", "pk")
    )


def read_settings(actor: Actor) -> AlertSettings:
    """The actor's clinic's alert settings (directors and admins; one audited read)."""
    actor = as_actor(actor)
    staff = require(actor, "clinic.admin.view")
    record_event(actor, "clinic.alert_settings.view", record_type="organization",
                 record_id=staff.organization_id)  # fmt: skip
    return _load(staff.organization_id)


def _load(organization_id: int) -> AlertSettings:
    org = Organization.objects.get(pk=organization_id)
    hours = {d: DayHours(d) for d in WEEKDAYS}
    for row in OpeningHours.objects.filter(organization=org):
        hours[row.weekday] = DayHours(row.weekday, row.opens, row.closes)
    on_call: dict[int, StaffMember | None] = dict.fromkeys(WEEKDAYS)
    for duty in OnCall.objects.filter(organization=org).select_related("staff", "staff__user"):
        on_call[duty.weekday] = duty.staff
    return AlertSettings(org, hours, on_call, org.escalation_minutes)


def _check_hours(hours: dict[int, DayHours]) -> None:
    for weekday in WEEKDAYS:
        day = hours.get(weekday, DayHours(weekday))
        name = label("weekday", weekday)
        if day.closed:
            continue
        if day.opens is None or day.closes is None:
            raise ValidationFailed(
                f"closes_{weekday}: give both the opening and the closing time on {name}, "
                "or mark the day closed",
                f"closes_{weekday}",
            )
        if not day.opens < day.closes:
            raise ValidationFailed(
                f"closes_{weekday}: on {name} the clinic must close after it opens "
                "(the same day, clinic time)",
                f"closes_{weekday}",
            )


def _check_on_call(organization_id: int, on_call: dict[int, Any]) -> dict[int, StaffMember]:
    allowed = {s.pk: s for s in on_call_candidates(organization_id)}
    chosen: dict[int, StaffMember] = {}
    for weekday in WEEKDAYS:
        wanted = on_call.get(weekday)
        if wanted in (None, ""):
            continue
        staff_id = int(wanted) if str(wanted).isdigit() and len(str(wanted)) < 19 else -1
        if staff_id not in allowed:
            raise ValidationFailed(
                f"on_call_{weekday}: on call on {label('weekday', weekday)}: choose a "
                "clinician of this clinic (intake, therapist, prescriber or director) with "
                "an active account",
                f"on_call_{weekday}",
            )
        chosen[weekday] = allowed[staff_id]
    return chosen


def _check_escalation(minutes: Any) -> int:
    low, high = ESCALATION_LIMITS
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise ValidationFailed(
            f"escalation_minutes: the escalation time is a whole number of minutes from "
            f"{low} to {high} (4 hours)",
            "escalation_minutes",
        )
    return minutes


@audited_failures("clinic.alert_settings")
def update_settings(
    actor: Actor,
    *,
    hours: dict[int, DayHours],
    on_call: dict[int, Any],
    escalation_minutes: Any,
) -> AlertSettings:
    """Replace the clinic's opening hours, on-call roster (weekday -> staff id or None)
    and escalation time, all checked first; a weekday left out is closed, nobody on call."""
    actor = as_actor(actor)
    manager = require(actor, "clinic.on_call.manage")
    org_id = manager.organization_id
    _check_hours(hours)
    roster = _check_on_call(org_id, on_call)
    minutes = _check_escalation(escalation_minutes)
    with transaction.atomic():
        OpeningHours.objects.filter(organization_id=org_id).delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(organization_id=org_id, weekday=d, opens=day.opens, closes=day.closes)
            for d, day in sorted(hours.items())
            if day.opens is not None and day.closes is not None
        )
        OnCall.objects.filter(organization_id=org_id).delete()
        OnCall.objects.bulk_create(
            OnCall(organization_id=org_id, weekday=d, staff=staff)
            for d, staff in sorted(roster.items())
        )
        Organization.objects.filter(pk=org_id).update(escalation_minutes=minutes)
        record_event(actor, "clinic.alert_settings", record_type="organization",
                     record_id=org_id)  # fmt: skip
    return _load(org_id)
