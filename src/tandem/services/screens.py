"""Drug screens recorded in the clinic (issue 11; monitoring.md s1, ruleset-v2.md s7).

- Every field is checked here, for the chart's form, "today's screens", the API and
  imports alike; an error names the field (``analytes.fentanyl``) and what is allowed,
  and nothing is saved. A group of screens ("today's screens") is all or nothing: every
  row is checked first, and every problem is reported, named by patient and field
  (``ScreensRefused``).
- The panel: each analyte of ``panel.ANALYTES`` is ``negative``, ``positive`` or
  ``not_tested``; a ``result`` needs at least one analyte tested, a ``missed`` or
  ``invalid`` screen none. The benzoylecgonine level (ng/mL, a whole number) only with
  cocaine tested.
- Stimulant-negative (ruleset-v2.md s7) is ``screening.cm_reading`` with the patient's
  own stimulant: the intake's ``stimulant.substance``; an intake that has not named it
  yet is read as cocaine (the program's choice, the domain's default), and the screen
  keeps the stimulant it was read against (``own_stimulant``).
- ``overdose_risk`` (ruleset-v2.md s7): a screen positive for fentanyl, or for an opioid
  the patient is not prescribed, raises it in the same transaction, and again only after
  14 days without such a screen (``screening.overdose_raises``). What the patient is
  prescribed (``Patient.prescribed_opioids``, recorded from the chart) is read at
  recording; a screen keeps the reading it was given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from django.db import transaction

from tandem.domain.labels import label
from tandem.domain.monitoring.panel import (
    ANALYTE_RESULTS,
    ANALYTES,
    OWN_STIMULANT,
    AnalyteResult,
    Panel,
    unexpected_opioids,
)
from tandem.domain.monitoring.screening import (
    OVERDOSE_QUIET_DAYS,
    SCREEN_KINDS,
    SCREEN_STATUSES,
    SPECIMENS,
    cm_reading,
    overdose_raises,
)
from tandem.services import alerts, incentives, monitoring
from tandem.services.access import access_patient, visible_patients
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import patient_today
from tandem.services.clock import get_clock
from tandem.services.errors import ValidationFailed
from tandem.services.imports import RowRefused, import_patients
from tandem.services.permissions import require
from tandem.storage.models import DrugScreen, Intake, Organization, Patient, StaffMember

FIELDS: Final = (
    "collected_on",
    "specimen",
    "kind",
    "status",
    "analytes",
    "benzoylecgonine_ng_ml",
)
NOT_TESTED: Final = "not_tested"
BE_MAX_NG_ML: Final = 1_000_000  # far above any reported level: a typing slip is refused
DEFAULT_STIMULANT: Final = "cocaine"


@dataclass(frozen=True)
class ScreenEntry:
    """One screen's fields, checked."""

    collected_on: dt.date
    specimen: str
    kind: str
    status: str
    panel: Panel
    benzoylecgonine_ng_ml: int | None


@dataclass(frozen=True)
class Recorded:
    """A stored screen and the ``overdose_risk`` alert it raised or added to, if any."""

    screen: DrugScreen
    alert: Any  # Alert | None


@dataclass(frozen=True)
class RowProblem:
    """One problem of one row of a group: the patient, the field, what is allowed."""

    patient_id: int
    field: str
    message: str


class ScreensRefused(ValidationFailed):
    """A group of screens refused: ``problems`` lists every row's problem, by patient
    and field; nothing was saved. ``field`` names the first (``<patient_id>.<field>``)."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        first = problems[0]
        super().__init__(
            f"patient {first.patient_id}: {first.message}", f"{first.patient_id}.{first.field}"
        )
        self.problems = tuple(problems)


# ---------------------------------------------------------------- checking


def _choice(raw: Mapping[str, Any], name: str, allowed: Sequence[str]) -> str:
    value = raw.get(name)
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in allowed:
        raise ValidationFailed(f"{name}: required, one of {', '.join(allowed)}", name)
    return cast(str, text)


def _collected_on(value: Any, today: dt.date) -> dt.date:
    allowed = "collected_on: the day the specimen was collected (YYYY-MM-DD), not after today"
    if value is None or value == "":
        return today
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        text = str(value).strip()
        try:
            if len(text) != 10:
                raise ValueError
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationFailed(allowed, "collected_on") from None
    if day > today:
        raise ValidationFailed(allowed, "collected_on")
    return day


def _panel(value: Any, status: str) -> Panel:
    if value is None or value == "":
        value = {}
    if not isinstance(value, Mapping):
        raise ValidationFailed("analytes: an object of analyte -> result", "analytes")
    results: dict[str, AnalyteResult] = {}
    for name, result in value.items():
        if name not in ANALYTES:
            raise ValidationFailed(
                f"analytes.{name}: not an analyte of the panel ({', '.join(ANALYTES)})",
                f"analytes.{name}",
            )
        text = result.strip().lower() if isinstance(result, str) else None
        if text in ("", NOT_TESTED):
            continue
        if text not in ("negative", "positive"):
            raise ValidationFailed(
                f"analytes.{name}: one of negative, positive, not_tested", f"analytes.{name}"
            )
        results[name] = cast(AnalyteResult, text)
    if status == "result" and not results:
        raise ValidationFailed(
            "analytes: a result names at least one analyte tested (else the screen was "
            "missed or invalid)",
            "analytes",
        )
    if status != "result" and results:
        raise ValidationFailed(
            f"analytes: a {status} screen has no analyte results (status: result)", "analytes"
        )
    return Panel({a: results[a] for a in ANALYTES if a in results})


def _level(value: Any, panel: Panel) -> int | None:
    name = "benzoylecgonine_ng_ml"
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > BE_MAX_NG_ML:
        raise ValidationFailed(f"{name}: a whole number of ng/mL (0 or more), or empty", name)
    if "cocaine" not in panel.results:
        raise ValidationFailed(f"{name}: only with cocaine tested", name)
    return int(text)


def clean_screen(raw: Mapping[str, Any], today: dt.date) -> ScreenEntry:
    """Check one screen's fields; the first problem raises ``ValidationFailed``."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a field of a drug screen", unknown[0])
    collected_on = _collected_on(raw.get("collected_on"), today)
    specimen = _choice(raw, "specimen", SPECIMENS)
    kind = _choice(raw, "kind", SCREEN_KINDS)
    status = _choice(raw, "status", SCREEN_STATUSES)
    panel = _panel(raw.get("analytes"), status)
    level = _level(raw.get("benzoylecgonine_ng_ml"), panel)
    return ScreenEntry(collected_on, specimen, kind, status, panel, level)


def own_stimulant(patient: Patient) -> str:
    """The patient's own stimulant (the latest intake's ``stimulant.substance``); cocaine
    when the intake has not named one (the program's default, the domain's too)."""
    intake = Intake.objects.filter(patient=patient).order_by("-episode__started_on", "-pk")
    found = intake.first()
    stimulant = (found.case or {}).get("stimulant") if found is not None else None
    substance = stimulant.get("substance") if isinstance(stimulant, dict) else None
    return str(substance) if substance in OWN_STIMULANT else DEFAULT_STIMULANT


# ---------------------------------------------------------------- recording


def _source(actor: Actor) -> str:
    return "api" if actor.via == "api" else "import" if actor.via == "import" else "clinic"


@audited_failures("screen.record")
def record_screen(actor: Actor, patient_id: Any, raw: Mapping[str, Any]) -> Recorded:
    """Record one drug screen for ``patient_id`` (any clinician or peer specialist who
    can see the patient); raises ``overdose_risk`` in the same transaction."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="screen.record")
    staff = require(actor, "screen.record", patient.pk)
    entry = clean_screen(raw, patient_today(patient))
    with transaction.atomic():
        return _store(actor, staff, patient, entry)


@audited_failures("screen.record")
def record_screens(actor: Actor, rows: Sequence[tuple[Any, Mapping[str, Any]]]) -> list[Recorded]:
    """Record a group's screens ("today's screens"): ``rows`` of (patient id, fields).

    All or nothing: every row is checked first; any problem refuses the whole group with
    ``ScreensRefused`` naming each row's patient and field. A patient the actor may not
    see is missing (404), as everywhere."""
    actor = as_actor(actor)
    if not rows:
        raise ValidationFailed("rows: enter at least one screen", "rows")
    checked: list[tuple[Patient, StaffMember, ScreenEntry]] = []
    problems: list[RowProblem] = []
    seen: set[int] = set()
    for patient_id, raw in rows:
        patient = access_patient(actor, patient_id, action="screen.record")
        staff = require(actor, "screen.record", patient.pk)
        if patient.pk in seen:
            problems.append(RowProblem(patient.pk, "patient", "entered twice in one group"))
            continue
        seen.add(patient.pk)
        try:
            checked.append((patient, staff, clean_screen(raw, patient_today(patient))))
        except ValidationFailed as error:
            message = error.message.split(": ", 1)[-1]
            problems.append(RowProblem(patient.pk, error.field or "", message))
    if problems:
        raise ScreensRefused(problems)
    with transaction.atomic():
        return [_store(actor, staff, patient, entry) for patient, staff, entry in checked]


def _store(actor: Actor, staff: StaffMember, patient: Patient, entry: ScreenEntry) -> Recorded:
    now = get_clock().now()
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one writer
    stimulant = own_stimulant(patient)
    opioids = unexpected_opioids(entry.panel, frozenset(patient.prescribed_opioids or ()))
    screen = DrugScreen.objects.create(
        patient=patient,
        collected_on=entry.collected_on,
        specimen=entry.specimen,
        kind=entry.kind,
        status=entry.status,
        analytes=dict(entry.panel.results),
        benzoylecgonine_ng_ml=entry.benzoylecgonine_ng_ml,
        cm_result=cm_reading(entry.status, entry.panel, stimulant),
        own_stimulant=stimulant,
        overdose_opioids=list(opioids),
        source=_source(actor),
        recorded_by=staff,
        recorded_at=now,
    )
    record_event(
        actor, "screen.record", patient_id=patient.pk, record_type="drugscreen", record_id=screen.pk
    )
    alert = _overdose_alert(actor, patient, screen) if opioids else None
    # The other alerts a screen can raise (a lapse after negatives), in this transaction.
    monitoring.after_record(actor, patient, screen.collected_on)
    # The incentive ledger (monitoring.md s7), recomputed with the screen, in this transaction.
    incentives.update_ledger(actor, patient)
    return Recorded(screen, alert)


def _overdose_alert(actor: Actor, patient: Patient, screen: DrugScreen) -> Any:
    """Signal ``overdose_risk`` unless an episode is going on (``overdose_raises``)."""
    on = screen.collected_on
    window = DrugScreen.objects.filter(
        patient=patient,
        collected_on__gte=on - dt.timedelta(days=OVERDOSE_QUIET_DAYS),
        collected_on__lt=on,
    ).exclude(pk=screen.pk)
    earlier = [
        s.collected_on
        for s in window.only("collected_on", "overdose_opioids")
        if s.overdose_opioids
    ]
    if not overdose_raises(on, earlier):
        return None
    return alerts.signal(actor, patient, "overdose_risk", _evidence(screen))


def _evidence(screen: DrugScreen) -> alerts.Evidence:
    """The alert's evidence in the clinic's words (no analyte ids, no free text)."""
    drugs = ", ".join(label("analyte", a) for a in screen.overdose_opioids)
    what = (
        f"Drug screen ({label('specimen', screen.specimen).lower()}, "
        f"{label('screen_kind', screen.kind).lower()}): positive for {drugs}. "
        "Review naloxone and test strips today; their supply may be contaminated."
    )
    return alerts.Evidence(screen.collected_on, what, "drug screen", screen.pk, 1)


@audited_failures("screen.import")
def import_screens(
    actor: Actor, clinic: Organization, rows: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[Recorded]:
    """Bring a clinic's past screens in (``tandem import screens``): ``rows`` of (patient
    record number, fields), all or nothing; stored with source ``import``.

    Each row is checked by ``clean_screen``, as on the chart (any past day, never after
    the patient's clinic-local today). A row may give ``stimulant_result`` (``negative``
    or ``positive``: the clinic's stimulant reading, monitoring.md s1) instead of a panel:
    it is read as the patient's own stimulant's analyte tested with that result. The
    screens are stored in date order, each raising what it raises when recorded
    (``overdose_risk``; the recent days' alerts). ``RowRefused`` names the row and field."""
    actor = as_actor(actor)
    patients = import_patients(actor, clinic, [p for p, _ in rows], "screen.import")
    staff = actor.require_staff()
    for patient in {p.pk: p for p in patients.values()}.values():
        require(actor, "screen.record", patient.pk)
    checked: list[tuple[Patient, ScreenEntry]] = []
    for index, (number, raw) in enumerate(rows):
        patient = patients[number]
        try:
            entry = clean_screen(_with_panel(raw, patient), patient_today(patient))
        except ValidationFailed as error:
            raise RowRefused.of(index, error) from None
        checked.append((patient, entry))
    in_order = sorted(checked, key=lambda pe: pe[1].collected_on)
    with transaction.atomic():
        stored = [_store(actor, staff, patient, entry) for patient, entry in in_order]
        record_event(
            actor,
            "screen.import",
            record_type="drugscreen",
            record_id=len(stored),
            patient_ids=sorted({p.pk for p, _ in checked}),
        )
    return stored


def _with_panel(raw: Mapping[str, Any], patient: Patient) -> dict[str, Any]:
    fields = {k: v for k, v in raw.items() if k != "stimulant_result"}
    reading = raw.get("stimulant_result")
    if reading in ANALYTE_RESULTS and not fields.get("analytes"):
        fields["analytes"] = {OWN_STIMULANT[own_stimulant(patient)][0]: reading}
    return fields


# ---------------------------------------------------------------- reading


def list_screens(
    actor: Actor, patient_id: Any, *, since: dt.date | None = None, limit: int | None = None
) -> list[DrugScreen]:
    """A patient's screens, newest first (from ``since``, at most ``limit``); audited."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="screen.list")
    rows = DrugScreen.objects.filter(patient=patient).select_related("recorded_by__user")
    if since is not None:
        rows = rows.filter(collected_on__gte=since)
    rows = rows.order_by("-collected_on", "-recorded_at", "-pk")
    return list(rows[:limit] if limit is not None else rows)


@dataclass(frozen=True)
class SheetRow:
    """One line of "today's screens": a patient and the screens already recorded today."""

    patient: Patient
    today: dt.date
    recorded: tuple[DrugScreen, ...]


def todays_sheet(actor: Actor) -> list[SheetRow]:
    """The active patients the actor may see (care team; a director's whole clinic),
    each with the screens already recorded for the clinic's today; audited as a list."""
    actor = as_actor(actor)
    staff = actor.require_staff()
    patients = list(
        visible_patients(staff)
        .filter(status="active")
        .select_related("organization")
        .order_by("display_name", "pk")
    )
    days = {p.pk: patient_today(p) for p in patients}
    found: dict[int, list[DrugScreen]] = {}
    for screen in DrugScreen.objects.filter(
        patient__in=patients, collected_on__in=set(days.values())
    ).order_by("recorded_at", "pk"):
        if screen.collected_on == days[screen.patient_id]:
            found.setdefault(screen.patient_id, []).append(screen)
    record_event(
        actor,
        "screen.today.view",
        record_type="screen_sheet",
        record_id=len(patients),
        patient_ids=[p.pk for p in patients],
    )
    return [SheetRow(p, days[p.pk], tuple(found.get(p.pk, ()))) for p in patients]
