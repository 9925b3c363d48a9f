"""Request and response schemas of the JSON API (validated at the edge)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, StrictInt

Sex = Literal["female", "male", "other", "unknown"]


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorBody


class PatientIn(Schema):
    display_name: str = Field(min_length=1, max_length=200)
    date_of_birth: dt.date
    sex: Sex


class PatientOut(Schema):
    id: int
    display_name: str
    date_of_birth: dt.date
    sex: str
    status: str


class AdministrationIn(Schema):
    instrument_id: str = Field(min_length=1, max_length=40)
    # Whole numbers only (JSON true/false or 1.0 are refused, not coerced); "-" marks an
    # item skipped by design (e.g. C-SSRS branching); null, an unanswered item.
    answers: list[StrictInt | Literal["-"] | None] = Field(max_length=100)
    # Its range (1900-01-01 to today) is checked by services.intake.record_administration.
    administered_on: dt.date | None = None


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
    responsible: int | None = None
    frequency: str = Field(default="", max_length=200)
    measure: str = Field(default="", max_length=200)
    target: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)


class PlanOut(Schema):
    id: int
    version: int
    status: str
    review_on: dt.date | None
    measures: list[str]
    interventions: list[InterventionIO]


class PlanUpdateIn(Schema):
    expected_version: int = Field(ge=1)
    review_on: dt.date | None = None
    interventions: list[InterventionIO] = Field(max_length=50)


class CaseloadRowOut(Schema):
    patient_id: int
    display_name: str
    level: str
    suicide_risk: str
    overdose_risk: str
    reassess_on: str | None
    plan_review_on: dt.date | None
