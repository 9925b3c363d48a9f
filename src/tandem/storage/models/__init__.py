"""Tandem's tables. Rows are written only through ``tandem.services`` (one write path)."""

from tandem.storage.models.alerts import (
    Alert,
    AlertRecipient,
    AlertTransition,
    MonitoringRun,
    OnCall,
    OpeningHours,
)
from tandem.storage.models.audit import AuditChainHead, AuditEvent
from tandem.storage.models.clinical import (
    FormulationRecord,
    InstrumentAdministration,
    Intake,
    Placement,
    Reassessment,
    ReviewFlagAcknowledgement,
)
from tandem.storage.models.consent import Consent, Disclosure
from tandem.storage.models.groups import Attendance, GroupSession
from tandem.storage.models.incentives import CmSchedule, LedgerEntry, Redemption
from tandem.storage.models.organizations import LEVELS, ROLES, Organization, StaffMember
from tandem.storage.models.patients import EpisodeOfCare, Patient
from tandem.storage.models.plans import CarePlan, CarePlanVersion, PlanIntervention
from tandem.storage.models.portal import (
    CheckIn,
    CheckInSubmission,
    PatientAccount,
    PatientEnrolmentCode,
    RelapsePreventionPlan,
)
from tandem.storage.models.referrals import Referral
from tandem.storage.models.screens import DrugScreen
from tandem.storage.models.security import (
    ApiToken,
    ContactAttempt,
    EnrolmentCode,
    IdempotentRequest,
    LoginThrottle,
    SelfCheckNonce,
)

__all__ = [
    "LEVELS",
    "ROLES",
    "Alert",
    "AlertRecipient",
    "AlertTransition",
    "ApiToken",
    "Attendance",
    "AuditChainHead",
    "AuditEvent",
    "CarePlan",
    "CarePlanVersion",
    "CheckIn",
    "CheckInSubmission",
    "CmSchedule",
    "Consent",
    "ContactAttempt",
    "Disclosure",
    "DrugScreen",
    "EnrolmentCode",
    "EpisodeOfCare",
    "FormulationRecord",
    "GroupSession",
    "IdempotentRequest",
    "InstrumentAdministration",
    "Intake",
    "LedgerEntry",
    "LoginThrottle",
    "MonitoringRun",
    "OnCall",
    "OpeningHours",
    "Organization",
    "Patient",
    "PatientAccount",
    "PatientEnrolmentCode",
    "Placement",
    "PlanIntervention",
    "Reassessment",
    "Redemption",
    "Referral",
    "RelapsePreventionPlan",
    "ReviewFlagAcknowledgement",
    "SelfCheckNonce",
    "StaffMember",
]
