"""IOP/PHP groups (issue 11; docs/clinical/groups.md): sessions, rosters, attendance.

- **Sessions** belong to a clinic: a name, a start (an aware time; a form's local date
  and time are the clinic's), a level (IOP, PHP or outpatient) and a facilitator from the
  clinic's staff. Clinicians and directors create them (``group.create``).
- **Who sees a session**: the clinic's staff (another clinic's session, or a missing one,
  is 404, audited). **Who sees its roster** (the program's choice, docs/adr/0002's rules
  widened for one purpose): the session's facilitator and the clinic's directors and
  admins see every patient on it, because the facilitator runs the group and marks it;
  anyone else sees only the roster patients they may see anyway (their care team).
- **The roster** is the clinic's active patients whose current level (their latest
  episode of care's level, set by the placement decision) is the session's level, plus
  anyone already marked for the session (a later level change never hides a record).
- **Attendance** is recorded for the whole roster at once (``group.attendance``: the
  facilitator or a director): every patient gets present, late, excused or unexcused,
  or nothing is saved; each attendance that changed is its own audit event. In the same
  transaction, a new unexcused absence is checked against the outreach rule
  (``domain.monitoring.groups.missed_groups_raises``: 2 unexcused in 14 days, program)
  and raises a routine ``missed_groups`` alert through ``services.alerts.signal``.
- **Import** (``import_attendance``, ``tandem import attendance``): a clinic's past
  attendance, row by row rather than whole rosters; a session the clinic lacks is
  created from the row's time and level (docs/clinical/groups.md says why), and each
  mark is stored, audited and checked against the outreach rule as above.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery

from tandem.domain.labels import label
from tandem.domain.monitoring.groups import (
    ATTENDANCE_STATUSES,
    GROUP_LEVELS,
    AttendanceCounts,
    MissedGroupsRule,
    count_attendance,
    missed_groups_raises,
)
from tandem.services import alerts
from tandem.services.access import may_see
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import clinic_today, local_date, zone
from tandem.services.clock import get_clock
from tandem.services.errors import Forbidden, NotFound, ValidationFailed
from tandem.services.imports import RowRefused, import_patients
from tandem.services.permissions import may, require
from tandem.services.typed_text import refuse_bad_text
from tandem.storage.models import (
    Attendance,
    EpisodeOfCare,
    GroupSession,
    Organization,
    Patient,
    StaffMember,
)

NAME_MAX: Final = 120
# How far from today a session may be scheduled (a typo in the year is refused).
SCHEDULE_DAYS: Final = 366
RULE: Final = MissedGroupsRule()
STATUS_WORDS: Final = "present, late, excused or unexcused"
STATUS_CHOICE: Final = f"choose {STATUS_WORDS}."


@dataclass(frozen=True)
class RosterEntry:
    """One patient on a session's roster, with their attendance if it is recorded."""

    patient: Patient
    status: str  # "" until attendance is recorded
    on_level: bool  # the patient's current level is the session's


@dataclass(frozen=True)
class Roster:
    """A session's roster as the actor may see it."""

    session: GroupSession
    entries: list[RosterEntry]
    complete: bool  # the actor sees every patient on it (facilitator, director, admin)
    may_record: bool


# ---------------------------------------------------------------- sessions


def _clean_name(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if not text or len(text) > NAME_MAX:
        raise ValidationFailed(f"name: required, 1 to {NAME_MAX} characters", "name")
    refuse_bad_text(text, "name")
    return text


def _clean_level(value: Any) -> str:
    if value not in GROUP_LEVELS:
        names = ", ".join(GROUP_LEVELS)
        raise ValidationFailed(f"level: expected one of {names}", "level")
    return str(value)


def _clean_start(value: Any, time_zone: str) -> dt.datetime:
    """An aware datetime; a naive one (or ISO text without an offset) is clinic-local."""
    allowed = "starts_at: a date and time (YYYY-MM-DDTHH:MM), within a year of today"
    moment: dt.datetime
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed(allowed, "starts_at") from None
    else:
        raise ValidationFailed(allowed, "starts_at")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(time_zone))
    if abs(moment - get_clock().now()) > dt.timedelta(days=SCHEDULE_DAYS):
        raise ValidationFailed(allowed, "starts_at")
    return moment.astimezone(dt.UTC)


def _clean_facilitator(value: Any, organization_id: int) -> StaffMember:
    message = "facilitator_id: a member of this clinic's staff (not an administrator)"
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(message, "facilitator_id") from None
    found = (
        StaffMember.objects.filter(pk=wanted, organization_id=organization_id, user__is_active=True)
        .exclude(role="admin")
        .first()
    )
    if found is None:
        raise ValidationFailed(message, "facilitator_id")
    return found


@audited_failures("group.create")
def create_session(
    actor: Actor, *, name: Any, starts_at: Any, level: Any, facilitator_id: Any
) -> GroupSession:
    """Schedule a group session in the actor's clinic; an error names the field."""
    actor = as_actor(actor)
    staff = require(actor, "group.create")
    organization = staff.organization
    session = GroupSession(
        organization=organization,
        name=_clean_name(name),
        starts_at=_clean_start(starts_at, organization.time_zone),
        level=_clean_level(level),
        facilitator=_clean_facilitator(facilitator_id, organization.pk),
        created_by=staff,
        created_at=get_clock().now(),
    )
    with transaction.atomic():
        session.save()
        record_event(actor, "group.create", record_type="group_session", record_id=session.pk)
    return session


def facilitators(actor: Actor) -> list[StaffMember]:
    """The staff who can facilitate a group in the actor's clinic (the form's choices)."""
    staff = as_actor(actor).require_staff()
    return list(
        StaffMember.objects.filter(organization_id=staff.organization_id, user__is_active=True)
        .exclude(role="admin")
        .select_related("user")
        .order_by("display_name", "pk")
    )


def access_session(actor: Actor, session_id: Any, *, action: str) -> GroupSession:
    """A session of the actor's clinic; a missing one or another clinic's is NotFound
    (404), and every attempt is audited."""
    actor = as_actor(actor)
    staff = actor.staff
    try:
        wanted = int(session_id)
    except (TypeError, ValueError):
        wanted = 0
    found = (
        GroupSession.objects.select_related("organization", "facilitator")
        .filter(pk=wanted if 0 < wanted < 2**63 else 0)
        .first()
    )
    if found is None or staff is None or found.organization_id != staff.organization_id:
        outcome = "not_found" if found is None else "denied"
        record_event(
            actor, action, record_type="group_session", record_id=wanted or "", outcome=outcome
        )
        raise NotFound()
    if action.endswith(".view"):
        record_event(actor, action, record_type="group_session", record_id=found.pk)
    return found


def sessions(actor: Actor, *, when: str = "upcoming") -> list[GroupSession]:
    """The clinic's sessions: ``upcoming`` (from the start of today, soonest first) or
    ``past`` (before today, latest first); audited as a list read."""
    actor = as_actor(actor)
    staff = actor.require_staff()
    if when not in ("upcoming", "past"):
        raise ValidationFailed("when: expected upcoming or past", "when")
    organization = staff.organization
    today = clinic_today(organization)
    start = dt.datetime.combine(today, dt.time(), tzinfo=zone(organization.time_zone))
    found = GroupSession.objects.filter(organization=organization).select_related(
        "facilitator", "facilitator__user"
    )
    if when == "upcoming":
        rows = found.filter(starts_at__gte=start).order_by("starts_at", "pk")
    else:
        rows = found.filter(starts_at__lt=start).order_by("-starts_at", "-pk")
    result: list[GroupSession] = list(rows.annotate(marked=Count("attendance"))[:200])
    record_event(
        actor, "group.list", record_type="group_session", record_ids=[s.pk for s in result]
    )
    return result


def session_day(session: GroupSession) -> dt.date:
    """The session's clinic-local day."""
    return local_date(session.starts_at, session.organization.time_zone)


# ---------------------------------------------------------------- the roster


def _current_level() -> Subquery:
    latest = EpisodeOfCare.objects.filter(patient=OuterRef("pk")).order_by("-started_on", "-pk")
    return Subquery(latest.values("level")[:1])


def _roster_patients(session: GroupSession) -> tuple[list[Patient], dict[int, str]]:
    """Everyone on the roster (current level, or already marked) and their marks."""
    marks = dict(Attendance.objects.filter(session=session).values_list("patient_id", "status"))
    on_level = (
        Patient.objects.filter(organization_id=session.organization_id, status="active")
        .annotate(current_level=_current_level())
        .filter(current_level=session.level)
    )
    ids = set(on_level.values_list("pk", flat=True)) | set(marks)
    patients: list[Patient] = list(
        Patient.objects.filter(pk__in=ids)
        .annotate(current_level=_current_level())
        .order_by("display_name", "pk")
    )
    return patients, marks


def _sees_whole_roster(staff: StaffMember, session: GroupSession) -> bool:
    return staff.sees_whole_organization or staff.pk == session.facilitator_id


def _may_record(staff: StaffMember, session: GroupSession) -> bool:
    allowed = staff.pk == session.facilitator_id or staff.role == "director"
    return allowed and may(staff, "group.attendance")


def roster(actor: Actor, session_id: Any) -> Roster:
    """The session and its roster as the actor may see it (module docstring); audited
    with every patient it shows."""
    actor = as_actor(actor)
    session = access_session(actor, session_id, action="group.view")
    staff = actor.require_staff()
    patients, marks = _roster_patients(session)
    complete = _sees_whole_roster(staff, session)
    shown = [p for p in patients if complete or may_see(staff, p)]
    entries = [
        RosterEntry(p, marks.get(p.pk, ""), getattr(p, "current_level", "") == session.level)
        for p in shown
    ]
    record_event(
        actor,
        "group.roster.view",
        record_type="group_session",
        record_id=session.pk,
        patient_ids=[e.patient.pk for e in entries],
    )
    return Roster(session, entries, complete, _may_record(staff, session))


# ---------------------------------------------------------------- attendance


def _clean_marks(marks: Mapping[Any, Any], patients: list[Patient]) -> dict[int, str]:
    """Every roster patient's status, or ValidationFailed naming ``attendance.<id>``."""
    if not isinstance(marks, Mapping):
        raise ValidationFailed("attendance: one status per patient on the roster", "attendance")
    cleaned: dict[int, str] = {}
    for key, value in marks.items():
        try:
            patient_id = int(key)
        except (TypeError, ValueError):
            raise ValidationFailed(
                f"attendance.{key}: not a patient on this roster", f"attendance.{key}"
            ) from None
        cleaned[patient_id] = str(value or "").strip()
    on_roster = {p.pk for p in patients}
    for patient_id in sorted(set(cleaned) - on_roster):
        field = f"attendance.{patient_id}"
        raise ValidationFailed(f"{field}: not a patient on this roster", field)
    for patient in patients:
        field = f"attendance.{patient.pk}"
        if cleaned.get(patient.pk) not in ATTENDANCE_STATUSES:
            raise ValidationFailed(f"{field}: choose {STATUS_WORDS}", field)
    return cleaned


@audited_failures("group.attendance")
def record_attendance(actor: Actor, session_id: Any, marks: Mapping[Any, Any]) -> list[Attendance]:
    """Record (or correct) the attendance of the whole roster at once: ``marks`` maps
    each roster patient's id to present, late, excused or unexcused. All or nothing;
    each changed attendance is audited; a new unexcused absence may raise the outreach
    alert in the same transaction. A session is marked from its day on."""
    actor = as_actor(actor)
    session = access_session(actor, session_id, action="group.attendance")
    staff = require(actor, "group.attendance")
    if not _may_record(staff, session):
        record_event(
            actor,
            "group.attendance",
            record_type="group_session",
            record_id=session.pk,
            outcome="denied",
        )
        raise Forbidden("Only the session's facilitator or a director records its attendance.")
    day = session_day(session)
    if day > clinic_today(session.organization):
        raise ValidationFailed("attendance: the session has not taken place yet", "attendance")
    patients, _ = _roster_patients(session)
    if not patients:
        raise ValidationFailed("attendance: nobody is on this session's roster", "attendance")
    cleaned = _clean_marks(marks, patients)
    now = get_clock().now()
    with transaction.atomic():
        return [_mark(actor, staff, session, day, p, cleaned[p.pk], now) for p in patients]


def _mark(
    actor: Actor,
    staff: StaffMember,
    session: GroupSession,
    day: dt.date,
    patient: Patient,
    status: str,
    now: dt.datetime,
) -> Attendance:
    """One patient's attendance (one writer per patient: the row lock), and the outreach
    rule when it is a new unexcused absence."""
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    row = Attendance.objects.filter(session=session, patient=patient).first()
    if row is not None and row.status == status:
        return row
    if row is None:
        row = Attendance(session=session, patient=patient, on=day)
    row.status, row.recorded_by, row.recorded_at = status, staff, now
    row.save()
    record_event(
        actor, "group.attendance", patient_id=patient.pk, record_type="attendance", record_id=row.pk
    )
    if status == "unexcused":
        _outreach_rule(actor, patient, row)
    return row


def _outreach_rule(actor: Actor, patient: Patient, row: Attendance) -> None:
    since = row.on - dt.timedelta(days=RULE.window_days + RULE.quiet_days)
    days = Attendance.objects.filter(
        patient=patient, status="unexcused", on__gte=since, on__lte=row.on
    ).values_list("on", flat=True)
    if missed_groups_raises(list(days), row.on, RULE):
        what = (
            f"Group attendance: {RULE.absences} or more unexcused absences in "
            f"{RULE.window_days} days"
        )
        alerts.signal(
            actor,
            patient,
            "missed_groups",
            alerts.Evidence(row.on, what, "group attendance", row.pk),
        )


# ---------------------------------------------------------------- counts and the chart


def attendance_counts(
    patient_ids: list[int], today: dt.date, days: int = 14
) -> dict[int, AttendanceCounts]:
    """patient id -> attendance over the ``days`` days ending ``today`` (the caseload;
    the caller has checked access)."""
    since = today - dt.timedelta(days=days - 1)
    rows = (
        Attendance.objects.filter(patient_id__in=patient_ids, on__gte=since, on__lte=today)
        .values("patient_id", "status")
        .annotate(n=Count("pk"))
    )
    statuses: dict[int, list[str]] = {}
    for row in rows:
        statuses.setdefault(row["patient_id"], []).extend([row["status"]] * row["n"])
    return {pk: count_attendance(found) for pk, found in statuses.items()}


def patient_attendance(patient: Patient, since: dt.date) -> list[dict[str, Any]]:
    """A patient's attendance from ``since``, newest first, in words (the chart and the
    timeline; the caller has checked access)."""
    rows = (
        Attendance.objects.filter(patient=patient, on__gte=since)
        .select_related("session")
        .order_by("-on", "-pk")
    )
    return [
        {
            "on": row.on,
            "group": row.session.name,
            "level": row.session.level,
            "status": row.status,
            "status_label": label("attendance", row.status),
        }
        for row in rows
    ]


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class _ImportedMark:
    """One checked row of an attendance import."""

    patient: Patient
    name: str
    day: dt.date
    time: dt.time | None
    level: str  # "" when the row gives none
    status: str


@audited_failures("group.attendance")
def import_attendance(
    actor: Actor, clinic: Organization, rows: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[Attendance]:
    """Bring a clinic's past group attendance in (``tandem import attendance``): ``rows``
    of (patient record number, fields ``on``, ``group``, ``status`` and, when needed,
    ``time`` and ``level``), all or nothing.

    A row names its session by the group's name and clinic-local day, with the start
    time (HH:MM) when the clinic ran two sessions of that name that day. A session the
    clinic has is used (its facilitator or a director imports into it, as when marking
    it); one it has not is created by the import, from the rows' time and level (both
    then required: the file is the clinic's history, a session is not guessed), with the
    staff member importing as its facilitator (the file names none). Only the rows'
    patients are marked (a past roster is not recomputed); a patient already marked for
    a session is refused (an import never corrects). Marks are stored in date order,
    each as ``record_attendance`` stores it: audited, and a new unexcused absence checked
    against the outreach rule (``missed_groups``). ``RowRefused`` names row and field."""
    actor = as_actor(actor)
    staff = require(actor, "group.attendance")
    patients = import_patients(actor, clinic, [p for p, _ in rows], "group.attendance.import")
    today = clinic_today(clinic)
    checked = [
        _clean_imported(index, raw, patients[number], today)
        for index, (number, raw) in enumerate(rows)
    ]
    chosen = _import_sessions(staff, clinic, checked)
    _refuse_marked_twice(checked, chosen)
    now = get_clock().now()
    in_order = sorted(zip(checked, chosen, strict=True), key=lambda pair: pair[0].day)
    with transaction.atomic():
        for session in {id(s): s for s in chosen if s.pk is None}.values():
            session.created_at = now
            session.save()
            record_event(actor, "group.create", record_type="group_session", record_id=session.pk)
        stored = [_mark(actor, staff, s, m.day, m.patient, m.status, now) for m, s in in_order]
        record_event(
            actor,
            "group.attendance.import",
            record_type="attendance",
            record_id=len(stored),
            patient_ids=sorted({m.patient.pk for m in checked}),
        )
    return stored


def _clean_imported(
    index: int, raw: Mapping[str, Any], patient: Patient, today: dt.date
) -> _ImportedMark:
    def text(name: str) -> str:
        value = raw.get(name)
        return "" if value is None else str(value).strip()

    try:
        name = _clean_name(text("group"))
    except ValidationFailed:
        raise RowRefused(index, "group", f"the group's name, 1 to {NAME_MAX} characters") from None
    try:
        day = dt.date.fromisoformat(text("on"))
    except ValueError:
        raise RowRefused(index, "on", "a day (YYYY-MM-DD) up to today") from None
    if day > today:
        raise RowRefused(index, "on", f"{day} has not come yet; a day up to {today}")
    status = text("status")
    if status not in ATTENDANCE_STATUSES:
        raise RowRefused(index, "status", f"{status!r} is not allowed: {STATUS_WORDS}")
    level = text("level")
    if level and level not in GROUP_LEVELS:
        raise RowRefused(index, "level", f"{level!r} is not allowed: {', '.join(GROUP_LEVELS)}")
    start: dt.time | None = None
    if text("time"):
        try:
            start = dt.time.fromisoformat(text("time"))
        except ValueError:
            raise RowRefused(index, "time", "a start time, HH:MM (24-hour)") from None
    return _ImportedMark(patient, name, day, start, level, status)


def _import_sessions(
    staff: StaffMember, clinic: Organization, checked: list[_ImportedMark]
) -> list[GroupSession]:
    """Each row's session: the clinic's, or a new (unsaved) one the rows describe."""
    time_zone = clinic.time_zone
    existing: dict[tuple[str, dt.date], list[GroupSession]] = {}
    found = GroupSession.objects.filter(
        organization=clinic, name__in={m.name for m in checked}
    ).order_by("starts_at", "pk")
    for session in found:
        session.organization = clinic
        existing.setdefault((session.name, session_day(session)), []).append(session)
    created: dict[tuple[str, dt.date, dt.time], GroupSession] = {}
    chosen = []
    for index, mark in enumerate(checked):
        same_day = existing.get((mark.name, mark.day), [])
        if mark.time is not None:
            same_day = [s for s in same_day if _local_time(s, time_zone) == mark.time]
        if len(same_day) > 1:
            starts = ", ".join(_local_time(s, time_zone).strftime("%H:%M") for s in same_day)
            raise RowRefused(
                index, "time", f"{mark.name!r} ran {len(same_day)} times that day ({starts}); "
                "give the start time (HH:MM) of one"
            )  # fmt: skip
        if same_day:
            chosen.append(_existing_session(index, staff, mark, same_day[0]))
        else:
            chosen.append(_new_session(index, staff, clinic, mark, created))
    return chosen


def _local_time(session: GroupSession, time_zone: str) -> dt.time:
    return session.starts_at.astimezone(zone(time_zone)).time().replace(tzinfo=None)


def _existing_session(
    index: int, staff: StaffMember, mark: _ImportedMark, session: GroupSession
) -> GroupSession:
    if not _may_record(staff, session):
        raise RowRefused(
            index, "group", "only the session's facilitator or a director records its attendance"
        )
    if mark.level and mark.level != session.level:
        raise RowRefused(index, "level", f"the clinic's session is at level {session.level}")
    return session


def _new_session(
    index: int,
    staff: StaffMember,
    clinic: Organization,
    mark: _ImportedMark,
    created: dict[tuple[str, dt.date, dt.time], GroupSession],
) -> GroupSession:
    """A session the clinic does not have yet, one per (name, day, time) in the file."""
    absent = f"the clinic has no session {mark.name!r} on {mark.day}"
    if mark.time is None:
        raise RowRefused(index, "time", f"{absent}; give its start time (HH:MM) to create it")
    if not mark.level:
        levels = ", ".join(GROUP_LEVELS)
        raise RowRefused(index, "level", f"{absent}; give its level ({levels}) to create it")
    if not may(staff, "group.create"):
        raise RowRefused(index, "group", f"{absent}, and your role does not schedule sessions")
    key = (mark.name, mark.day, mark.time)
    session = created.get(key)
    if session is None:
        moment = dt.datetime.combine(mark.day, mark.time, tzinfo=zone(clinic.time_zone))
        session = GroupSession(
            organization=clinic,
            name=mark.name,
            starts_at=moment.astimezone(dt.UTC),
            level=mark.level,
            facilitator=staff,
            created_by=staff,
        )
        created[key] = session
    elif session.level != mark.level:
        raise RowRefused(index, "level", f"an earlier row gives this session level {session.level}")
    return session


def _refuse_marked_twice(checked: list[_ImportedMark], chosen: list[GroupSession]) -> None:
    seen: set[tuple[int, int]] = set()
    for index, (mark, session) in enumerate(zip(checked, chosen, strict=True)):
        key = (id(session), mark.patient.pk)
        if key in seen:
            raise RowRefused(
                index, "patient_id", "this patient is in the file twice for the session"
            )
        seen.add(key)
    saved = {s.pk for s in chosen if s.pk is not None}
    marked = set(
        Attendance.objects.filter(session_id__in=saved).values_list("session_id", "patient_id")
    )
    for index, (mark, session) in enumerate(zip(checked, chosen, strict=True)):
        if (session.pk, mark.patient.pk) in marked:
            raise RowRefused(
                index, "patient_id", "already marked for this session (an import never corrects)"
            )
