"""API operations: thin calls into the services (which check access and audit)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router, Status
from ninja.params.functions import Header

from tandem.api.auth import actor
from tandem.api.schemas import (
    MAX_ID,
    AdministrationIn,
    AdministrationOut,
    CaseloadRowOut,
    ConsentIn,
    ConsentOut,
    DisclosureIn,
    DisclosureMadeOut,
    DisclosureOut,
    EmergencyIn,
    ErrorOut,
    FormulationOut,
    PatientIn,
    PatientOut,
    PatientStatus,
    PlanOut,
    PlanUpdateIn,
    RevokeIn,
)
from tandem.services import access, disclosures, intake, patients, plans

router = Router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 409, 413, 422), ErrorOut)


@router.get("/patients", response={200: list[PatientOut], **ERRORS})
def list_patients(request: HttpRequest, status: PatientStatus | None = None) -> Any:
    return patients.list_patients(actor(request), status=status)


@router.post("/patients", response={201: PatientOut, **ERRORS})
def register_patient(request: HttpRequest, payload: PatientIn) -> Any:
    return Status(201, patients.register_patient(actor(request), **payload.dict()))


@router.get("/patients/{patient_id}", response={200: PatientOut, **ERRORS})
def get_patient(request: HttpRequest, patient_id: Id) -> Any:
    return access.access_patient(actor(request), patient_id)


@router.get("/caseload", response={200: list[CaseloadRowOut], **ERRORS})
def caseload(request: HttpRequest) -> Any:
    return [
        {
            "patient_id": row.patient.pk,
            "display_name": row.patient.display_name,
            "level": row.level,
            "suicide_risk": row.suicide_risk,
            "overdose_risk": row.overdose_risk,
            "reassess_on": row.reassess_on,
            "plan_review_on": row.plan_review_on,
        }
        for row in access.caseload(actor(request))
    ]


@router.get(
    "/patients/{patient_id}/administrations", response={200: list[AdministrationOut], **ERRORS}
)
def list_administrations(request: HttpRequest, patient_id: Id) -> Any:
    return intake.list_administrations(actor(request), patient_id)


@router.post(
    "/patients/{patient_id}/administrations",
    response={201: AdministrationOut, **ERRORS},
    summary="Submit an instrument administration (scored by the instrument engine)",
    description="Send an Idempotency-Key header: a retry with the same key and body "
    "returns the first result and creates nothing new; the same key with a different "
    "body is a 409.",
)
def submit_administration(
    request: HttpRequest,
    patient_id: Id,
    payload: AdministrationIn,
    idempotency_key: str | None = Header(
        default=None,
        alias="Idempotency-Key",
        # Also checked by services.intake.record_administration (the web form too); the
        # bounds here put them in the OpenAPI document.
        description="1 to 200 printable ASCII characters, no spaces",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
    ),
) -> Any:
    record = intake.record_administration(
        actor(request),
        patient_id,
        payload.instrument_id,
        list(payload.answers),
        administered_on=payload.administered_on,
        idempotency_key=idempotency_key,
    )
    return Status(201, record)


@router.get("/patients/{patient_id}/formulations", response={200: list[FormulationOut], **ERRORS})
def list_formulations(request: HttpRequest, patient_id: Id) -> Any:
    return intake.list_formulations(actor(request), patient_id)


@router.get("/formulations/{formulation_id}", response={200: FormulationOut, **ERRORS})
def get_formulation(request: HttpRequest, formulation_id: Id) -> Any:
    return intake.get_formulation(actor(request), formulation_id)


@router.get("/patients/{patient_id}/plan", response={200: PlanOut, **ERRORS})
def current_plan(request: HttpRequest, patient_id: Id) -> Any:
    plan = plans.current_plan(actor(request), patient_id)
    if plan is None:
        return Status(
            404, {"error": {"code": "not_found", "message": "no plan yet", "field": None}}
        )
    return plans.plan_as_dict(plan)


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def get_plan(request: HttpRequest, plan_id: Id) -> Any:
    return plans.plan_as_dict(plans.get_plan(actor(request), plan_id))


@router.put("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def update_plan(request: HttpRequest, plan_id: Id, payload: PlanUpdateIn) -> Any:
    plan = plans.update_plan(
        actor(request),
        plan_id,
        expected_version=payload.expected_version,
        interventions=[item.dict() for item in payload.interventions],
        review_on=payload.review_on,
    )
    return plans.plan_as_dict(plan)


@router.get("/patients/{patient_id}/consents", response={200: list[ConsentOut], **ERRORS})
def list_consents(request: HttpRequest, patient_id: Id) -> Any:
    return disclosures.list_consents(actor(request), patient_id)


@router.post("/patients/{patient_id}/consents", response={201: ConsentOut, **ERRORS})
def record_consent(request: HttpRequest, patient_id: Id, payload: ConsentIn) -> Any:
    fields = payload.dict()
    return Status(201, disclosures.record_consent(actor(request), patient_id, **fields))


@router.post(
    "/patients/{patient_id}/consents/{consent_id}/revoke",
    response={200: ConsentOut, **ERRORS},
    summary="Revoke a consent (in writing) from now on",
)
def revoke_consent(request: HttpRequest, patient_id: Id, consent_id: Id, payload: RevokeIn) -> Any:
    return disclosures.revoke_consent(
        actor(request), patient_id, consent_id, reference=payload.reference
    )


@router.get(
    "/patients/{patient_id}/disclosures",
    response={200: list[DisclosureOut], **ERRORS},
    summary="Accounting of disclosures: the last three years (42 CFR 2.25)",
)
def accounting(request: HttpRequest, patient_id: Id) -> Any:
    return disclosures.accounting(actor(request), patient_id)


@router.post(
    "/patients/{patient_id}/disclosures",
    response={201: DisclosureMadeOut, **ERRORS},
    summary="Disclose under a consent (403 no_consent names what each consent lacks)",
)
def disclose(request: HttpRequest, patient_id: Id, payload: DisclosureIn) -> Any:
    made = disclosures.disclose(actor(request), patient_id, **payload.dict())
    return Status(201, {"disclosure": made.disclosure, "notice": made.notice})


@router.post(
    "/patients/{patient_id}/disclosures/emergency",
    response={201: DisclosureMadeOut, **ERRORS},
    summary="Disclose to medical personnel in a medical emergency (42 CFR 2.51)",
)
def disclose_in_emergency(request: HttpRequest, patient_id: Id, payload: EmergencyIn) -> Any:
    made = disclosures.disclose_in_emergency(actor(request), patient_id, **payload.dict())
    return Status(201, {"disclosure": made.disclosure, "notice": made.notice})
