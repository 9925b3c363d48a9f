"""Request and response schemas of the JSON API (validated at the edge)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, StrictInt

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


class FormulationOut(Schema):
    id: int
    patient_id: int
    ruleset_version: str
    created_at: dt.datetime
    output: dict[str, Any]


class InterventionIO(Schema):
    intervention_id: str = Field(min_length=1, max_length=60)
    category: Literal["clinical", "somatic_neuro"]
    targets: list[Literal["use", "mood", "trauma", "sleep", "safety"]] = Field(min_length=1)
    responsible: int | None = Field(default=None, ge=1, le=MAX_ID)
    frequency: str = Field(default="", max_length=200)
    measure: str = Field(default="", max_length=200)
    target: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)


class PlanOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    version: int = Field(ge=1)
    status: PlanStatus
    review_on: dt.date | None
    measures: list[str]
    interventions: list[InterventionIO]


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
