"""Alerts from everything recorded (issue 11): the monitoring core over the app's records.

The records of a set of patients are read from the database into the columns the
monitoring core reads (``domain.monitoring.rows.Caseload``, as the CSV reader of
``tandem analyze`` builds them), the core raises the alerts of ``monitoring.md`` s5 with
``ruleset-v2.md`` s7 (``analysis.analyze_caseload``, the same call ``tandem analyze``
makes), and the alerts raised on the days asked for go into the alert store through
``services.alerts.signal``, with their evidence in the clinic's words. Nothing here
decides whether an alert holds: the domain does.

When (docs/clinical/monitoring-in-the-app.md):

- **inline**: ``after_record`` is the one call every recording path makes, in its own
  transaction, once the record is saved (check-ins, questionnaires; drug screens and
  group attendance plug in the same way). It evaluates that patient, the kinds a new
  record can make true (``INLINE_KINDS``), for the record's day (when it is at most
  ``RECENT_DAYS`` old) through today, clinic-local.
- **daily**: ``run_due`` (the task framework, ``tandem.tasks``) runs each clinic's last
  complete day once (``MonitoringRun`` is the claim), over all its active patients in
  chunks, for every kind but ``suicide_risk`` (``DAILY_KINDS``): those that become true
  with no new record (``missed_checkins``, ``not_on_track``, the abstinence windows) and
  any a recording path did not write. ``tandem monitor run`` is the operator's way in.
- ``suicide_risk`` is never written here: its signals are raised inline by the records
  that give them (``checkins``, ``intake.score_and_store``) under ruleset-v2.md s7's own
  rules; writing it twice would notify twice.

The store keeps one alert per patient, kind and day; an alert already stored for that
day is left as it is (re-runs add nothing, not even evidence).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from tandem.domain.errors import InvalidTimeline
from tandem.domain.monitoring.alerts import KINDS
from tandem.domain.monitoring.analysis import analyze_caseload
from tandem.domain.monitoring.panel import ANALYTES
from tandem.domain.monitoring.report import patient_reports
from tandem.domain.monitoring.rows import (
    ANALYTE_NEGATIVE,
    ANALYTE_POSITIVE,
    INSTRUMENTS,
    NO_LAST_USE,
    NOT_TESTED,
    SCREEN_RESULTS,
    SKIPPED,
    Caseload,
    CheckinRows,
    InstrumentRows,
    Intake,
    Ints,
    ScreenRows,
    Source,
    no_screens,
)
from tandem.services import alerts
from tandem.services.actors import Actor
from tandem.services.calendar import clinic_today, patient_today
from tandem.services.clock import get_clock
from tandem.services.progress import last_use_of
from tandem.storage.models import (
    Alert,
    CheckIn,
    DrugScreen,
    InstrumentAdministration,
    MonitoringRun,
    Organization,
    Patient,
)
from tandem.storage.models import Intake as IntakeRecord

log = logging.getLogger("tandem.monitoring")

# The kinds a new record can make true, evaluated when one is recorded.
INLINE_KINDS: Final = (
    "overdose_risk",
    "deterioration",
    "early_sobriety_depression",
    "persistent_depression",
    "lapse",
    "not_on_track",
)
# The daily run: every kind but suicide_risk (see the module docstring).
DAILY_KINDS: Final = (*INLINE_KINDS, "missed_checkins")
# A record up to this many days old (a late check-in: checkins.LATE_DAYS) has its own
# day evaluated too; an older one only today.
RECENT_DAYS: Final = 2
# Among the instruments only PHQ-9 feeds the kinds written here (monitoring.md s5);
# C-SSRS and QIDS give suicide signals, which their recording paths raise inline.
MONITORED_INSTRUMENTS: Final = ("phq9",)
# Patients per load: ~900 x 365 days stays under analysis.CELL_BUDGET (one domain group
# per chunk) and under SQLite's bound-parameter limit.
CHUNK: Final = 900
CATCH_UP_DAYS: Final = 7  # the daily run makes up at most a week of missed days
_KEY: Final = 1_000_000  # patient index * _KEY + proleptic day: one int64 per (patient, day)
_EPOCH: Final = dt.date(1970, 1, 1).toordinal()


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class Loaded:
    """Some patients' records as the domain's caseload, with the record ids by day."""

    caseload: Caseload
    patient_pks: Ints  # caseload patient index -> Patient pk (ascending)
    checkin_keys: Ints  # sorted (patient index, day) keys of the check-ins ...
    checkin_ids: Ints  # ... and their ids
    phq9_keys: Ints
    phq9_ids: Ints

    def record(self, table: str, index: int, day: dt.date) -> int | None:
        keys, ids = (
            (self.checkin_keys, self.checkin_ids)
            if table == "check-in"
            else (self.phq9_keys, self.phq9_ids)
        )
        key = index * _KEY + day.toordinal()
        at = int(np.searchsorted(keys, key))
        return int(ids[at]) if at < keys.size and keys[at] == key else None


def _ordinals(days: Sequence[dt.date]) -> Ints:
    stamps = np.array(days, dtype="datetime64[D]").astype(np.int64)
    return np.asarray(stamps + _EPOCH, np.int64)


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    return list(zip(*rows, strict=True)) if rows else [()] * width


def _raw(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A ``values_list`` query's rows as the database driver returns them, without
    Django's per-value converters (dates stay ISO text, JSON stays text on SQLite):
    about three times faster for a year of check-ins (bench/monitoring_run.py)."""
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _iso(name: str) -> Cast:
    """A date column as ISO text: the driver's per-value date conversion is skipped and
    NumPy parses the text in bulk. Listed last, as the SQL puts expressions last."""
    return Cast(name, CharField(max_length=10))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def load(patient_pks: Sequence[int], through: dt.date) -> Loaded:
    """The check-ins, PHQ-9s and intake last use of these patients, dated up to
    ``through`` (later records are not yet known on that day)."""
    pks = np.array(sorted(patient_pks), np.int64)
    checkins, ci_keys, ci_ids = _checkins(pks, through)
    instruments, phq_keys, phq_ids = _phq9(pks, through)
    caseload = Caseload(
        patient_ids=tuple(str(pk) for pk in pks.tolist()),
        checkins=checkins,
        instruments=instruments,
        screens=_screens(pks, through),
        intake=_intake(pks),
    )
    return Loaded(caseload, pks, ci_keys, ci_ids, phq_keys, phq_ids)


def _screens(pks: Ints, through: dt.date) -> ScreenRows:
    """The drug screens up to ``through``: the stimulant result is the screen's reading
    for contingency management and lapses (``services.screens``: ruleset-v2.md s7's
    stimulant-negative), with each analyte of the panel for ``overdose_risk``."""
    rows = _raw(
        DrugScreen.objects.filter(patient_id__in=pks.tolist(), collected_on__lte=through)
        .order_by("patient_id", "collected_on", "pk")
        .values_list(
            "pk",
            "patient_id",
            "cm_result",
            "benzoylecgonine_ng_ml",
            "analytes",
            _iso("collected_on"),
        )
    )
    if not rows:
        return no_screens("drug screen")
    ids, patient, result, level, analytes, on = _columns(rows, 6)
    panel = np.full((len(rows), len(ANALYTES)), NOT_TESTED, np.int64)
    codes = {"negative": ANALYTE_NEGATIVE, "positive": ANALYTE_POSITIVE}
    for row, cells in enumerate(analytes):
        for name, value in (_json(cells) or {}).items():
            if name in ANALYTES and value in codes:
                panel[row, ANALYTES.index(name)] = codes[value]
    return ScreenRows(
        patient=np.searchsorted(pks, np.array(patient, np.int64)),
        day=_ordinals(on),
        result=np.array([SCREEN_RESULTS.index(r) for r in result], np.int64),
        benzoylecgonine=np.array([np.nan if v is None else float(v) for v in level], float),
        source=Source("drug screen", np.array(ids, np.int64), record=True),
        analytes=panel,
    )


def _checkins(pks: Ints, through: dt.date) -> tuple[CheckinRows, Ints, Ints]:
    found = CheckIn.objects.filter(patient_id__in=pks.tolist(), on__lte=through)
    rows = _raw(
        found.order_by("patient_id", "on").values_list(
            "pk", "patient_id", "mood", "sleep_hours", "craving", "energy", "safety", _iso("on")
        )
    )
    ids, patient, mood, sleep, craving, energy, safety, on = _columns(rows, 8)
    index = np.searchsorted(pks, np.array(patient, np.int64))
    day = _ordinals(on)
    keys = index * _KEY + day
    used = np.isin(keys, _use_keys(pks, found))
    record_ids = np.array(ids, np.int64)
    return (
        CheckinRows(
            patient=index,
            day=day,
            mood=np.array(mood, float),
            sleep_hours=np.array(sleep, float),  # Decimal or REAL, as the driver gives it
            craving=np.array(craving, float),
            used=used.astype(float),
            energy=np.array(energy, float),  # None (unanswered) becomes NaN
            safety=np.array(safety, float),
            source=Source("check-in", record_ids, record=True),
        ),
        keys,
        record_ids,
    )


def _use_keys(pks: Ints, found: Any) -> Ints:
    """The use days the check-ins report (each check-in's day or the 2 before it): a
    check-in day is a use day when any check-in names it (checkins.py; progress.py)."""
    keys = [
        int(np.searchsorted(pks, patient)) * _KEY + dt.date.fromisoformat(day).toordinal()
        for patient, days in _raw(found.filter(used=True).values_list("patient_id", "use_days"))
        for day in _json(days)
    ]
    return np.array(keys, np.int64)


def _phq9(pks: Ints, through: dt.date) -> tuple[InstrumentRows, Ints, Ints]:
    """Every PHQ-9 up to ``through``; of two the same day the later recorded one counts
    (the domain refuses two scores of one instrument on one day)."""
    rows = _raw(
        InstrumentAdministration.objects.filter(
            patient_id__in=pks.tolist(),
            administered_on__lte=through,
            instrument_id__in=MONITORED_INSTRUMENTS,
        )
        .order_by("patient_id", "administered_on", "pk")
        .values_list("pk", "patient_id", "total", "answers", _iso("administered_on"))
    )
    ids, patient, total, answers, on = _columns(rows, 5)
    index = np.searchsorted(pks, np.array(patient, np.int64))
    day = _ordinals(on)
    keys = index * _KEY + day
    last = np.ones(keys.size, bool)
    last[:-1] = keys[1:] != keys[:-1]
    keep = np.flatnonzero(last)
    items = np.full((keep.size, 9), np.nan)
    totals = np.array(total, float)[keep] if keep.size else np.zeros(0)
    for row, i in enumerate(keep.tolist()):
        given = _json(answers[i]) or []
        if len(given) == 9:  # answered item by item: the library scores them
            items[row] = [SKIPPED if a == "-" else float(a) for a in given]
            totals[row] = np.nan
    record_ids = np.array(ids, np.int64)[keep]
    return (
        InstrumentRows(
            patient=index[keep],
            day=day[keep],
            instrument=np.full(keep.size, INSTRUMENTS.index("phq9"), np.int64),
            total=totals,
            items=items,
            source=Source("questionnaire", record_ids, record=True),
        ),
        keys[keep],
        record_ids,
    )


def _intake(pks: Ints) -> Intake:
    """Each patient's intake last use (ruleset-v2.md s7), from their latest intake, and the
    opioids they are prescribed (``Patient.prescribed_opioids``)."""
    last = np.full(pks.size, NO_LAST_USE, np.int64)
    found = (
        IntakeRecord.objects.filter(patient_id__in=pks.tolist())
        .order_by("patient_id", "episode__started_on", "pk")
        .values_list("patient_id", "case__stimulant__last_use")
    )
    for patient, raw in found:  # the latest intake of each patient comes last
        day = last_use_of({"stimulant": {"last_use": raw}})
        last[np.searchsorted(pks, patient)] = NO_LAST_USE if day is None else day.toordinal()
    prescribed: list[frozenset[str]] = [frozenset()] * pks.size
    named = Patient.objects.filter(pk__in=pks.tolist()).exclude(prescribed_opioids=[])
    for patient, analytes in named.values_list("pk", "prescribed_opioids"):
        prescribed[int(np.searchsorted(pks, patient))] = frozenset(analytes)
    return Intake(last, tuple(prescribed))


# ---------------------------------------------------------------- evaluating


@dataclass(frozen=True)
class Raised:
    """An alert the domain raised, in the store's terms."""

    patient_id: int
    kind: str
    on: dt.date
    evidence: alerts.Evidence


def raised_between(
    loaded: Loaded, first: dt.date, last: dt.date, kinds: Sequence[str]
) -> list[Raised]:
    """The alerts of ``kinds`` the domain raises on ``first`` .. ``last``, with the
    records known on ``last`` (``InvalidTimeline`` when a record breaks the contract)."""
    wanted = np.array([k for k, kind in enumerate(KINDS) if kind.name in kinds], np.int64)
    found = []
    for group in analyze_caseload(loaded.caseload, last):
        a, grid = group.alerts, group.grid
        lo, hi = first.toordinal() - grid.first_day, last.toordinal() - grid.first_day
        pick = np.flatnonzero((a.days >= lo) & (a.days <= hi) & np.isin(a.kinds, wanted))
        for i in pick.tolist():
            index = int(grid.patients[a.rows[i]])
            kind = KINDS[int(a.kinds[i])].name
            on = dt.date.fromordinal(grid.first_day + int(a.days[i]))
            found.append(
                Raised(
                    int(loaded.patient_pks[index]),
                    kind,
                    on,
                    _evidence(loaded, index, kind, on, a.evidence[i]),
                )
            )
    return found


def _evidence(
    loaded: Loaded, index: int, kind: str, on: dt.date, e: dict[str, Any]
) -> alerts.Evidence:
    """The store's evidence: the clinic's words, and the record the alert points to."""
    record_type, record_id = "monitoring", 0
    if e.get("phq9_date"):
        found = loaded.record("questionnaire", index, dt.date.fromisoformat(e["phq9_date"]))
        record_type, record_id = "questionnaire", found or 0
    elif kind == "missed_checkins" and e.get("last_checkin"):
        found = loaded.record("check-in", index, dt.date.fromisoformat(e["last_checkin"]))
        record_type, record_id = "check-in", found or 0
    else:
        found = loaded.record("check-in", index, on)
        if found is not None:
            record_type, record_id = "check-in", found
    return alerts.Evidence(on, describe(kind, e), record_type, record_id)


def _n(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(kind: str, e: dict[str, Any]) -> str:
    """A raised alert's evidence (``domain.monitoring.alerts``) in the clinic's words."""
    phq9 = f"PHQ-9 {_n(e.get('phq9'))} on {e.get('phq9_date')}"
    if kind == "deterioration":
        text = (
            f"{phq9}: {_n(e['threshold_points'])} or more points worse than the baseline "
            f"({_n(e['baseline'])}) or the best score so far ({_n(e['best_so_far'])})"
        )
    elif kind == "early_sobriety_depression":
        text = f"{phq9} while {_n(e['days_without_use'])} days without use"
    elif kind == "persistent_depression":
        text = (
            f"Low mood after {_n(e['days_without_use'])} days without use (since "
            f"{e['run_start']}): mood on days 22-28 {_n(e['mood_days_22_28'])}, {phq9}"
        )
    elif kind == "not_on_track":
        text = (
            f"{phq9}: {_n(e['percent_below_baseline'])}% below the baseline of "
            f"{_n(e['baseline'])} ({e['baseline_date']}) after {_n(e['days_since_baseline'])} "
            "days"
        )
    elif kind == "missed_checkins":
        text = f"No check-in for {_n(e['days_without_checkin'])} days (last on {e['last_checkin']})"
    elif kind == "lapse":
        text = _lapse_words(e)
    elif kind == "overdose_risk":
        text = f"Drug screen on {e['screen_date']} positive for {', '.join(e['positive_for'])}"
    else:
        raise ValueError(f"no words for alert kind {kind!r}")
    if e.get("item9_unknown"):
        text += " (the PHQ-9 was given as a total only: item 9 unknown)"
    return text


def _lapse_words(e: dict[str, Any]) -> str:
    parts = []
    if e.get("use_reported"):
        gap = _n(e["days_without_use_before"])
        parts.append(f"Check-in: use reported after {gap} days without use")
    if e.get("positive_screen"):
        level = e.get("benzoylecgonine_ng_ml")
        parts.append(
            f"Positive drug screen after {_n(e['negatives_in_a_row_before'])} negatives in a row"
            + (f" (benzoylecgonine {_n(level)} ng/mL)" if level is not None else "")
            + "; possible carry-over"
        )
    return "; ".join(parts)


# ---------------------------------------------------------------- writing


def store(actor: Actor, raised: Sequence[Raised]) -> list[Alert]:
    """Write each raised alert not already in the store (patient, kind, day) through
    ``alerts.signal``, in the caller's transaction; the alerts written."""
    if not raised:
        return []
    stored = set(
        Alert.objects.filter(
            patient_id__in={r.patient_id for r in raised},
            kind__in={r.kind for r in raised},
            raised_on__in={r.on for r in raised},
        ).values_list("patient_id", "kind", "raised_on")
    )
    fresh = [r for r in raised if (r.patient_id, r.kind, r.on) not in stored]
    patients = Patient.objects.in_bulk({r.patient_id for r in fresh})
    return [alerts.signal(actor, patients[r.patient_id], r.kind, r.evidence) for r in fresh]


# ---------------------------------------------------------------- inline


def after_record(actor: Actor, patient: Patient, on: dt.date) -> list[Alert]:
    """Evaluate ``patient`` after a record dated ``on`` was saved, in the caller's
    transaction: the alerts of ``INLINE_KINDS`` raised on the record's day (when at most
    ``RECENT_DAYS`` old) through today go into the store. The one call a recording path
    makes (check-ins, questionnaires; drug screens and attendance the same way)."""
    today = patient_today(patient)
    first = min(max(on, today - dt.timedelta(days=RECENT_DAYS)), today)
    loaded = load([patient.pk], today)
    try:
        raised = raised_between(loaded, first, today, INLINE_KINDS)
    except InvalidTimeline as exc:
        # Never refuse the person's record because an older one breaks the contract;
        # the message names record ids and fields only (no patient data).
        log.warning("monitoring skipped for patient %s: %s", patient.pk, exc)
        return []
    return store(actor, raised)


def patient_report(patient: Patient, today: dt.date) -> tuple[dict[str, Any] | None, str]:
    """The monitoring core's report for one patient as of ``today`` (crash cycle, markers,
    recovery, MBC, current C-SSRS, alerts, the step suggestion), or ``None`` with the
    reason the core could not read the records. Computed, never stored."""
    loaded = load([patient.pk], today)
    try:
        for group in analyze_caseload(loaded.caseload, today):
            return patient_reports(group, loaded.caseload.patient_ids)[str(patient.pk)], ""
    except InvalidTimeline as exc:
        return None, str(exc)
    return None, ""


# ---------------------------------------------------------------- the daily run


@dataclass
class RunSummary:
    """One clinic's run for one day: how many patients, alerts written, and the time."""

    clinic: str
    day: dt.date
    patients: int = 0
    alerts_raised: int = 0
    skipped_patients: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(
        default_factory=lambda: {"load": 0.0, "domain": 0.0, "writes": 0.0}
    )


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_day(organization: Organization, day: dt.date, actor: Actor | None = None) -> RunSummary:
    """The daily run of ``organization`` for its clinic-local ``day``: every active
    patient, ``DAILY_KINDS``, the alerts raised on ``day`` written (each chunk of
    patients in one transaction). Idempotent: what is stored stays as it is."""
    actor = actor or Actor(None, via="task")
    pks = list(
        Patient.objects.filter(organization=organization, status="active")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    summary = RunSummary(organization.slug, day, patients=len(pks))
    for chunk in _chunks(pks, CHUNK):
        t0 = time.perf_counter()
        loaded = load(chunk, day)
        t1 = time.perf_counter()
        raised = _raised_or_skip(loaded, chunk, day, summary)
        t2 = time.perf_counter()
        with transaction.atomic():
            summary.alerts_raised += len(store(actor, raised))
        t3 = time.perf_counter()
        for name, seconds in (("load", t1 - t0), ("domain", t2 - t1), ("writes", t3 - t2)):
            summary.seconds[name] += seconds
    return summary


def _raised_or_skip(
    loaded: Loaded, chunk: Sequence[int], day: dt.date, summary: RunSummary
) -> list[Raised]:
    """The chunk's alerts; if one patient's records break the contract, the others are
    evaluated one by one and that patient is named in the log (ids only)."""
    try:
        return raised_between(loaded, day, day, DAILY_KINDS)
    except InvalidTimeline:
        found = []
        for pk in chunk:
            try:
                found += raised_between(load([pk], day), day, day, DAILY_KINDS)
            except InvalidTimeline as exc:
                log.warning("monitoring skipped for patient %s: %s", pk, exc)
                summary.skipped_patients.append(pk)
        return found


def _claim(organization: Organization, day: dt.date) -> MonitoringRun | None:
    try:
        with transaction.atomic():
            return MonitoringRun.objects.create(
                organization=organization, day=day, started_at=get_clock().now()
            )
    except IntegrityError:
        return None  # another scheduler (or an earlier run) has this day


def _finish(run: MonitoringRun, summary: RunSummary) -> None:
    run.finished_at = get_clock().now()
    run.patients = summary.patients
    run.alerts_raised = summary.alerts_raised
    run.save(update_fields=["finished_at", "patients", "alerts_raised"])


def due_days(organization: Organization) -> list[dt.date]:
    """The clinic's complete days not yet run: up to yesterday (clinic-local), back to
    the day after its last run, at most ``CATCH_UP_DAYS``."""
    yesterday = clinic_today(organization) - dt.timedelta(days=1)
    latest = (
        MonitoringRun.objects.filter(organization=organization)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    start = yesterday if latest is None else latest + dt.timedelta(days=1)
    start = max(start, yesterday - dt.timedelta(days=CATCH_UP_DAYS - 1))
    return [start + dt.timedelta(days=k) for k in range((yesterday - start).days + 1)]


def run_due() -> list[RunSummary]:
    """Run every clinic's due days, each once (the scheduler's periodic task)."""
    done = []
    for organization in Organization.objects.order_by("pk"):
        for day in due_days(organization):
            run = _claim(organization, day)
            if run is None:
                continue
            summary = run_day(organization, day)
            _finish(run, summary)
            done.append(summary)
    return done


def run_now(day: dt.date | None = None, clinic: str | None = None) -> list[RunSummary]:
    """``tandem monitor run``: run ``day`` (default: each clinic's yesterday) for one
    clinic or all, whether or not it ran before (harmless: nothing stored changes)."""
    organizations = Organization.objects.order_by("pk")
    if clinic is not None:
        organizations = organizations.filter(slug=clinic)
    done = []
    for organization in organizations:
        chosen = day or clinic_today(organization) - dt.timedelta(days=1)
        run, _ = MonitoringRun.objects.get_or_create(
            organization=organization, day=chosen, defaults={"started_at": get_clock().now()}
        )
        summary = run_day(organization, chosen, Actor(None, via="cli"))
        _finish(run, summary)
        done.append(summary)
    return done
