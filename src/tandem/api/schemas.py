"""Request and response schemas of the JSON API (validated at the edge).

A document that returns an id a person reads (a level, an alert kind, an instrument, an
intervention and its class) carries its words beside it in a ``*_label`` field, from
``tandem.domain.labels`` as the pages show them; the id stays, for programs.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, StrictFloat, StrictInt
from pydantic.config import JsonDict

from tandem.domain.labels import band_label, instrument_label, label

Sex = Literal["female", "male", "other", "unknown"]
# The stored choices (storage.models; tests/integration/test_openapi.py keeps them equal).
PatientStatus = Literal["active", "discharged"]
PlanStatus = Literal["draft", "signed"]
Level = Literal["", "outpatient", "iop", "php", "residential"]
# Ids are positive database keys: larger numbers are refused (422), never sent on.
MAX_ID = 2**63 - 1
ERROR_CODES = (
    "bad_request",
    "conflict",
    "error",
    "forbidden",
    "internal",
    "invalid",
    "method_not_allowed",
    "no_consent",
    "not_found",
    "too_large",
    "too_many",
    "unauthenticated",
)
RISK_NOTE = "the latest formulation's level, or empty before the first formulation"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    """A date is a "YYYY-MM-DD" string: pydantic alone would take 0 as 1970-01-01 (a
    Unix time) and "2026-01-01T00:00" as a date (issue 13, probe finding 2)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("expected a date as a YYYY-MM-DD string")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]


def _value(obj: Any, name: str) -> Any:
    """A field of what a service returned: a model or a plain dict."""
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _label_of(kind: str, name: str) -> Any:
    """A resolver for a ``*_label`` field: the label of the id in ``name``."""
    return staticmethod(lambda obj: label(kind, _value(obj, name)))


def _words(what: str) -> Any:
    return Field(description=f"{what} in words (tandem.domain.labels), as the pages show it")


class ErrorBody(Schema):
    code: str = Field(json_schema_extra={"enum": list(ERROR_CODES)})
    message: str
    field: str | None = Field(default=None, description="the field at fault, if one is")


class ErrorOut(Schema):
    error: ErrorBody


class PatientIn(Schema):
    display_name: str = Field(min_length=1, max_length=200)
    date_of_birth: IsoDate = Field(description="YYYY-MM-DD, from 1900-01-01 to today")
    sex: Sex


class PatientOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    display_name: str
    date_of_birth: dt.date
    sex: Sex
    status: PatientStatus


class AdministrationIn(Schema):
    instrument_id: str = Field(min_length=1, max_length=40)
    # Whole numbers only (JSON true/false or 1.0 are refused, not coerced); "-" marks an
    # item skipped by design (e.g. C-SSRS branching); null, an unanswered item.
    answers: list[StrictInt | Literal["-"] | None] = Field(
        max_length=100,
        description="each item's allowed range is the instrument's (docs/clinical/instruments.md)",
    )
    # Its range (1900-01-01 to today) is checked by services.intake.record_administration.
    administered_on: IsoDate | None = Field(
        default=None, description="YYYY-MM-DD, from 1900-01-01 to today"
    )


class AdministrationOut(Schema):
    id: int
    patient_id: int
    instrument_id: str
    instrument_version: str
    answers: list[Any]
    result: dict[str, Any]
    administered_on: dt.date
    recorded_at: dt.datetime
    instrument_label: str = _words("the instrument")

    @staticmethod
    def resolve_instrument_label(obj: Any) -> str:
        return instrument_label(str(_value(obj, "instrument_id")))


class FormulationOut(Schema):
    id: int
    patient_id: int
    ruleset_version: str
    created_at: dt.datetime
    output: dict[str, Any]
    level_label: str = _words("the recommended level of care (output.placement.level)")

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        placement = (_value(obj, "output") or {}).get("placement") or {}
        return label("level", placement.get("level"))


class InterventionIO(Schema):
    intervention_id: str = Field(min_length=1, max_length=60)
    category: Literal["clinical", "somatic_neuro"]
    targets: list[Literal["use", "mood", "trauma", "sleep", "safety"]] = Field(min_length=1)
    responsible: int | None = Field(default=None, ge=1, le=MAX_ID)
    frequency: str = Field(default="", max_length=200)
    measure: str = Field(default="", max_length=200)
    target: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)


class InterventionOut(InterventionIO):
    intervention_label: str = _words("the intervention")
    category_label: str = _words("its class (clinical, or somatic or neuro adjunct)")
    resolve_intervention_label = _label_of("intervention", "intervention_id")
    resolve_category_label = _label_of("category", "category")


class PlanOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    version: int = Field(ge=1)
    status: PlanStatus
    review_on: dt.date | None
    measures: list[str]
    interventions: list[InterventionOut]


class PlanUpdateIn(Schema):
    expected_version: int = Field(ge=1)
    review_on: IsoDate | None = Field(default=None, description="YYYY-MM-DD, today or later")
    interventions: list[InterventionIO] = Field(max_length=50)


class CaseloadRowOut(Schema):
    patient_id: int = Field(ge=1, le=MAX_ID)
    display_name: str
    level: Level
    suicide_risk: str = Field(description=RISK_NOTE)
    overdose_risk: str = Field(description=RISK_NOTE)
    reassess_on: str | None
    plan_review_on: dt.date | None
    level_label: str = _words("the level (empty before the first placement)")
    suicide_risk_label: str = _words("the suicide risk")
    overdose_risk_label: str = _words("the overdose risk")
    resolve_level_label = _label_of("level", "level")
    resolve_suicide_risk_label = _label_of("suicide_risk", "suicide_risk")
    resolve_overdose_risk_label = _label_of("overdose_risk", "overdose_risk")


# 42 CFR Part 2 consents and disclosures (tandem.domain.consent; test_openapi keeps the
# literals equal to the domain's codes).
Purpose = Literal["treatment", "payment", "health_care_operations", "research", "other"]
RecipientKind = Literal["person", "organization", "tpo"]
InformationKind = Literal[
    "diagnoses_formulation",
    "plan",
    "questionnaire_scores",
    "drug_screens",
    "check_ins",
    "attendance",
]
Period = Literal["until_date", "end_of_treatment", "none"]
Signature = Literal["typed", "scanned"]


class ConsentIn(Schema):
    recipient_kind: RecipientKind
    recipient_name: str = Field(default="", max_length=200, description="empty for TPO")
    purposes: list[Purpose] = Field(min_length=1, max_length=5)
    purpose_other: str = Field(default="", max_length=500)
    all_records: bool = False
    kinds: list[InformationKind] = Field(default_factory=list, max_length=6)
    period: Period
    ends_on: IsoDate | None = Field(default=None, description="YYYY-MM-DD, with until_date")
    revocation_how: str = Field(min_length=1, max_length=500)
    signature: Signature
    signed_name: str = Field(default="", max_length=200)
    scan_reference: str = Field(default="", max_length=200)
    signed_on: IsoDate


class ConsentOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    patient_id: int
    discloser: str
    recipient_kind: RecipientKind
    recipient_name: str
    purposes: list[Purpose]
    purpose_other: str
    all_records: bool
    kinds: list[InformationKind]
    period: Period
    ends_on: dt.date | None
    revocation_how: str
    signature: Signature
    signed_name: str
    signed_on: dt.date
    recorded_at: dt.datetime
    revoked_at: dt.datetime | None


class RevokeIn(Schema):
    reference: str = Field(
        min_length=1, max_length=200, description="where the written revocation is kept"
    )


class DisclosureIn(Schema):
    recipient_kind: RecipientKind
    recipient_name: str = Field(min_length=1, max_length=200)
    purpose: Purpose
    kinds: list[InformationKind] = Field(min_length=1, max_length=6)
    description: str = Field(min_length=1, max_length=500)


class EmergencyIn(Schema):
    recipient_name: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=10, max_length=1000)
    kinds: list[InformationKind] = Field(min_length=1, max_length=6)
    description: str = Field(min_length=1, max_length=500)


class DisclosureOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    patient_id: int
    consent_id: int | None
    emergency: bool
    emergency_reason: str
    recipient_kind: RecipientKind
    recipient_name: str
    purpose: Purpose
    kinds: list[InformationKind]
    description: str
    notice: str
    disclosed_at: dt.datetime


class DisclosureMadeOut(Schema):
    disclosure: DisclosureOut
    notice: str = Field(description="send this notice with the data (42 CFR 2.32)")


# Daily check-ins and alerts (issue 10). The check-in's rules (ranges, half hours, use
# days, late days) are services.checkins.clean_answers's, the same for the portal's form,
# the clinic and the API: the schema takes JSON types only and documents the ranges, so
# an out-of-range answer gets the service's message naming the field.
CheckInSource = Literal["portal", "clinic", "api"]
AlertState = Literal["open", "acknowledged", "resolved"]
InboxState = Literal["open", "acknowledged", "resolved", "active"]
Severity = Literal["urgent", "high", "routine"]
_SCALE: JsonDict = {"minimum": 0, "maximum": 10}
_DAY = "YYYY-MM-DD: the check-in's day or one of the 2 days before it"


class CheckInIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "mood": 6,
                    "sleep_hours": 7.5,
                    "craving": 3,
                    "energy": 5,
                    "used": True,
                    "use_days": ["2026-12-03"],
                    "safety": False,
                }
            ]
        },
    )

    on: str | None = Field(
        default=None,
        description="YYYY-MM-DD: today (the clinic's day, the default) or up to 2 days "
        "before (a late check-in)",
        json_schema_extra={"format": "date"},
    )
    mood: StrictInt = Field(
        description="How has your mood been today? 0 (worst) to 10 (best)",
        json_schema_extra=_SCALE,
    )
    sleep_hours: StrictFloat | StrictInt = Field(
        description="Hours slept last night, 0 to 14 in half hours (more than 14: send 14)",
        json_schema_extra={"minimum": 0, "maximum": 14, "multipleOf": 0.5},
    )
    craving: StrictInt = Field(
        description="How strong were cravings today? 0 (none) to 10 (strongest)",
        json_schema_extra=_SCALE,
    )
    energy: StrictInt | None = Field(
        default=None, description="Energy, 0 to 10 (optional)", json_schema_extra=_SCALE
    )
    used: StrictBool = Field(
        description="Used cocaine or other stimulants since the last check-in?"
    )
    use_days: list[str] = Field(
        default_factory=list,
        description=f"When used is true, which days ({_DAY}); empty when false",
        json_schema_extra={"maxItems": 3, "items": {"type": "string", "format": "date"}},
    )
    safety: StrictBool = Field(
        description="Thoughts of harming yourself or that you would be better off dead? "
        "A yes raises an urgent alert to the care team"
    )


class CheckInOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    patient_id: int
    on: dt.date
    mood: int
    sleep_hours: float
    craving: int
    energy: int | None
    used: bool
    use_days: list[dt.date]
    safety: bool
    late: bool = Field(description="filled in on a later day (at most 2 days late)")
    source: CheckInSource
    created_at: dt.datetime
    updated_at: dt.datetime


class HelpResourceOut(Schema):
    name: str
    call: str = Field(description="the number to call")
    text: str | None = Field(description="the number to text, if it takes texts")
    note: str


class HelpOut(Schema):
    resources: list[HelpResourceOut] = Field(description="988 (call or text), 911")
    clinic_phone: str = Field(description="the clinic's phone, during opening hours; may be empty")
    care_team_told: bool = Field(description="an urgent alert went to the care team")


class CheckInRecordedOut(Schema):
    checkin: CheckInOut
    replaced: bool = Field(description="the day already had a check-in: this one updated it")
    help_first: bool = Field(
        description="show the help screen before anything else (a yes to safety)"
    )
    help: HelpOut | None = Field(description="the help screen's content, when help_first")
    coping: bool = Field(
        description="craving 7 or more, or mood 3 or less: show the person's own coping steps"
    )


class ProgressDayOut(Schema):
    on: dt.date
    mood: int
    craving: int
    sleep_hours: float
    energy: int | None
    used: bool


class Phq9Out(Schema):
    administered_on: dt.date
    total: int | None
    band: str = Field(description="minimal, mild, moderate, moderately_severe or severe")
    band_label: str = _words("the band, as the PHQ-9 names it,")

    @staticmethod
    def resolve_band_label(obj: Any) -> str:
        return band_label("phq9", _value(obj, "band"))


class ProgressOut(Schema):
    today: dt.date = Field(description="the clinic's local day")
    since: dt.date = Field(description="the first day of the window (the last 90 days)")
    days: list[ProgressDayOut] = Field(description="each check-in day in the window, oldest first")
    use_days: list[dt.date] = Field(description="use days reported in the window")
    last_use: dt.date | None = Field(
        description="the latest known use day (check-ins, or the intake's last use)"
    )
    days_since_last_use: int | None = Field(
        description="days from the last known use day to today; null when none is known "
        "or the last use is today (never a streak)"
    )
    phq9: list[Phq9Out] = Field(description="every PHQ-9, oldest first, with its total and band")


class EvidenceOut(Schema):
    on: dt.date
    what: str
    record_type: str
    record_id: int
    score: int
    at: dt.datetime


class AlertOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    patient_id: int
    kind: str = Field(description="e.g. suicide_risk (docs/clinical/monitoring.md)")
    raised_on: dt.date = Field(description="the clinic-local day of the first signal")
    severity: Severity
    state: AlertState
    score: int
    evidence: list[EvidenceOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    escalated_at: dt.datetime | None
    kind_label: str = _words("the kind")
    severity_label: str = _words("the severity")
    resolve_kind_label = _label_of("alert_kind", "kind")
    resolve_severity_label = _label_of("alert_severity", "severity")


class AcknowledgeIn(Schema):
    note: str | None = Field(default=None, description="optional, at most 2,000 characters")


class ResolveIn(Schema):
    note: str = Field(description="what was done: 1 to 2,000 characters")


# IOP/PHP groups (issue 11; services.groups). Test_openapi keeps the literals equal to
# the domain's (domain/monitoring/groups.py).
GroupLevel = Literal["iop", "php", "outpatient"]
AttendanceStatus = Literal["present", "late", "excused", "unexcused"]
GroupWhen = Literal["upcoming", "past"]


class GroupSessionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    starts_at: dt.datetime = Field(
        description="ISO 8601 date and time; without an offset it is the clinic's local "
        "time; within a year of today"
    )
    level: GroupLevel
    facilitator_id: int = Field(ge=1, le=MAX_ID, description="a staff member of the clinic")


class GroupSessionOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    name: str
    starts_at: dt.datetime
    level: GroupLevel
    facilitator_id: int
    level_label: str = _words("the level")
    resolve_level_label = _label_of("level", "level")


class RosterEntryOut(Schema):
    patient_id: int = Field(ge=1, le=MAX_ID)
    display_name: str
    status: AttendanceStatus | None = Field(description="null until attendance is recorded")
    on_level: bool = Field(description="the patient's current level is the session's")


class GroupSessionDetailOut(GroupSessionOut):
    roster: list[RosterEntryOut] = Field(
        description="the facilitator, directors and admins see everyone; others, their "
        "care team's patients only"
    )
    roster_complete: bool
    may_record: bool = Field(description="the caller may record this session's attendance")


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    attendance: dict[str, AttendanceStatus] = Field(
        description="patient id -> status, for every patient on the roster (all or nothing)",
        max_length=500,
    )


class AttendanceOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    session_id: int
    patient_id: int
    status: AttendanceStatus
    on: dt.date = Field(description="the session's clinic-local day")
    recorded_at: dt.datetime


# Drug screens (issue 11; services.screens). The choices are the domain's vocabulary
# (domain/monitoring/screening.py, panel.py); test_openapi keeps them equal.
Specimen = Literal["urine", "oral_fluid"]
ScreenKind = Literal["point_of_care", "lab"]
ScreenStatus = Literal["result", "missed", "invalid"]
CmResult = Literal["negative", "positive", "invalid", "missed"]
AnalyteIn = Literal["negative", "positive", "not_tested"]
AnalyteOut = Literal["negative", "positive"]
AnalyteName = Literal[
    "cocaine",
    "amphetamine",
    "methamphetamine",
    "fentanyl",
    "opiates",
    "oxycodone",
    "methadone",
    "buprenorphine",
    "benzodiazepines",
]


class ScreenIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "collected_on": "2026-12-03",
                    "specimen": "urine",
                    "kind": "point_of_care",
                    "status": "result",
                    "analytes": {"cocaine": "negative", "amphetamine": "negative",
                                 "fentanyl": "negative"},
                }
            ]
        },
    )  # fmt: skip

    collected_on: str | None = Field(
        default=None,
        description="YYYY-MM-DD: the day the specimen was collected (default: the clinic's "
        "today; never a later day)",
        json_schema_extra={"format": "date"},
    )
    specimen: Specimen
    kind: ScreenKind = Field(description="a point-of-care cup or card, or a laboratory result")
    status: ScreenStatus = Field(
        description="result (at least one analyte tested), missed (no specimen) or invalid "
        "(a specimen that could not be read)"
    )
    analytes: dict[AnalyteName, AnalyteIn] = Field(
        default_factory=dict,
        description="each analyte tested: negative or positive (not_tested or absent: not "
        "tested); none for a missed or invalid screen",
    )
    benzoylecgonine_ng_ml: StrictInt | None = Field(
        default=None,
        description="the cocaine metabolite's level in ng/mL, when known (cocaine tested)",
        json_schema_extra={"minimum": 0},
    )


class ScreenOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    patient_id: int
    collected_on: dt.date
    specimen: Specimen
    kind: ScreenKind
    status: ScreenStatus
    analytes: dict[AnalyteName, AnalyteOut] = Field(description="the analytes tested")
    benzoylecgonine_ng_ml: int | None
    cm_result: CmResult = Field(
        description="the result for contingency management (ruleset-v2.md s7): negative "
        "only when the patient's own stimulant was tested and every stimulant tested was "
        "negative; invalid when the own stimulant was not tested"
    )
    own_stimulant: str = Field(description="the stimulant cm_result was read against")
    cm_result_label: str = _words("cm_result")
    resolve_cm_result_label = _label_of("screen_reading", "cm_result")
    overdose_opioids: list[AnalyteName] = Field(
        description="the opioids positive that raise overdose_risk (fentanyl; other opioids "
        "not prescribed)"
    )
    recorded_at: dt.datetime


class ScreenRecordedOut(Schema):
    screen: ScreenOut
    alert: AlertOut | None = Field(
        description="the overdose_risk alert this screen raised or added to, if any"
    )


# ---------------------------------------------------------------- contingency management
# monitoring.md s7, ruleset-v2.md s7; money is integer cents, never a float.

CmKind = Literal["escalating", "prize"]
LedgerNote = Literal["", "same_day", "not_eligible_this_week", "outside_window"]


class PrizeOut(Schema):
    name: str = Field(description="the slip drawn (e.g. good job, small, large, jumbo)")
    value_cents: int = Field(ge=0)
    awarded: bool = Field(description="false when the prize would pass the cap")


class LedgerRowOut(Schema):
    position: int = Field(ge=1, description="the line's place in the ledger, oldest first")
    day: dt.date
    screen_id: int | None = Field(description="the drug screen this line came from")
    result: CmResult = Field(description="the screen's own result for CM")
    day_result: CmResult = Field(description="the day's result (one reward a day)")
    week: int = Field(ge=1, description="the program week (1 = days 0-6 from the first screen)")
    in_window: bool = Field(description="false after the incentive period (window_days)")
    earned_cents: int = Field(ge=0)
    draws: int = Field(ge=0, description="prize draws earned (prize schedules)")
    prizes: list[PrizeOut] = Field(description="each draw's slip, in drawing order")
    note: LedgerNote = Field(description="why a negative earned nothing, if it did")
    rule: str = Field(description="the schedule that priced the line, in words")
    draw_seed: str = Field(
        description="the recorded seed the draws came from (empty on a line without draws); "
        "the same seed and screens give the same draws"
    )


class RedemptionOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    patient_id: int
    cents: int = Field(ge=1)
    what: str = Field(description="what was given: a gift card or voucher, never cash")
    by_id: int = Field(description="the staff member who gave it")
    at: dt.datetime


class IncentivesOut(Schema):
    patient_id: int
    kind: CmKind | None = Field(description="the clinic's schedule; null when it has none")
    cap_cents: int | None = Field(description="the most a patient can earn in all")
    earned_cents: int
    redeemed_cents: int
    balance_cents: int = Field(
        description="earned - redeemed; below zero when a screen recorded late lowered what "
        "earlier, already redeemed days earned (redemptions are never changed)"
    )
    rows: list[LedgerRowOut] = Field(description="one line per drug screen, oldest first")
    redemptions: list[RedemptionOut] = Field(description="oldest first")


class RedemptionIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"cents": 1250, "what": "grocery gift card"}]},
    )
    cents: StrictInt = Field(ge=1, description="whole cents, 1 or more, at most the balance")
    what: str = Field(
        min_length=1, max_length=200, description="what was given (a gift card, never cash)"
    )


# ---------------------------------------------------------------- the timeline

TimelineEventKind = Literal[
    "screen", "incentive", "alert", "attendance", "level", "plan", "questionnaire"
]


class TimelineEventOut(Schema):
    on: dt.date
    kind: TimelineEventKind
    text: str = Field(description="the record in the clinic's words")


class MbcCourseOut(Schema):
    baseline: int | None
    baseline_date: dt.date | None
    latest: int | None
    latest_date: dt.date | None
    change: int | None
    percent_change: float | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    response: bool | None = Field(default=None, description="PHQ-9 only")
    remission: bool | None = Field(default=None, description="PHQ-9 only")
    not_on_track: bool | None = Field(default=None, description="PHQ-9 only")
    latest_item9: int | None = Field(default=None, description="PHQ-9 only")
    item9_unknown: bool | None = Field(default=None, description="PHQ-9 given as a total only")
    latest_item12: int | None = Field(default=None, description="QIDS-SR16 only")
    item12_unknown: bool | None = Field(default=None, description="QIDS-SR16 only")


class SuggestionOut(Schema):
    kind: str = Field(description="e.g. step_up, step_down, emergency_evaluation")
    evidence: Any = Field(description="what the suggestion rests on (monitoring.md s6)")


class TimelineReportOut(Schema):
    cycle: dict[str, Any] = Field(
        description="the crash cycle (monitoring.md s2), or {insufficient_data: true, "
        "reason} when the records do not allow it (ruleset-v2.md s7)"
    )
    early_markers_trend: dict[str, Any] = Field(
        description="what shifts first (monitoring.md s2), or insufficient_data"
    )
    mbc: dict[str, MbcCourseOut | None] = Field(
        description="measurement-based care per instrument (monitoring.md s3); null for an "
        "instrument without a baseline"
    )
    suggestion: SuggestionOut | None = Field(description="step up or down, if any")


class OfferOut(Schema):
    reason: Literal["step_up", "step_down", "emergency_evaluation", "depression_review"]
    title: str = Field(description="in the clinic's words")
    evidence: dict[str, Any] = Field(description="what it rests on, as stored if accepted")
    lines: list[str] = Field(description="the evidence in the clinic's words")


class QuestionnaireDueOut(Schema):
    instrument_id: str
    instrument_label: str
    status: Literal["done", "due", "missed", "upcoming"] = Field(
        description="the open or latest due date's status (portal.md: due for 3 days)"
    )
    due_on: dt.date
    open_until: dt.date
    done_on: dt.date | None
    next_on: dt.date = Field(description="the next due date after today")
    missed: int = Field(description="due dates missed since the plan was signed")


class TimelineOut(Schema):
    patient_id: int
    today: dt.date = Field(description="the clinic's local day")
    since: dt.date = Field(description="the first day drawn (the episode's start, a year at most)")
    days: list[ProgressDayOut] = Field(description="the daily check-ins, oldest first")
    use_days: list[dt.date] = Field(description="use days reported in the period")
    last_use: dt.date | None
    days_since_last_use: int | None
    phq9: list[Phq9Out] = Field(description="every PHQ-9, oldest first")
    events: list[TimelineEventOut] = Field(
        description="every dated record of the period, newest first: drug screens, alerts, "
        "group attendance, level-of-care decisions, plan versions, questionnaires"
    )
    report: TimelineReportOut | None = Field(
        description="the monitoring core's report; null when it could not read the records"
    )
    refused: str = Field(description="why the report is null (empty when it is not)")
    offers: list[OfferOut] = Field(
        description="what a clinician may accept today to start a reassessment (issue 11); "
        "empty while one is under way"
    )
    reassessment_open: bool = Field(description="a reassessment is under way")
    due: list[QuestionnaireDueOut] = Field(
        description="the signed plan's questionnaires: due, missed, done, next due"
    )
