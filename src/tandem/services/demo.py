"""The demo clinic: staff of every role and 12 synthetic patients, built through the
services and the real formulation engine (each patient: intake case, administrations,
formulation, placement, plan). Idempotent: patients are found by name before creation.

Every person here is invented. The cases were written to span the onset orders, risk
tiers and levels of ruleset-v1.md s3, s7 and s8; the engine, not this file, decides
what each case yields. One patient is the "canary" whose unique name must never appear
in logs (SECURITY.md "Audit and disclosure").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from django.contrib.auth import get_user_model

from tandem.domain.vocabulary import ROLES
from tandem.services import accounts, intake, placement, plans, portal_accounts
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.services.clock import get_clock
from tandem.services.demo_monitoring import Course, seed_monitoring, seed_screens
from tandem.services.incentives import configure_schedule
from tandem.services.patients import register_patient
from tandem.storage.models import CmSchedule, Organization, Patient, PatientAccount, StaffMember

DEMO_PASSWORD = "tandem-demo-2026"  # noqa: S105  (the published demo password)
CANARY_NAME = "Zanzibar Quillfeather-Canary"


@dataclass(frozen=True)
class DemoPatient:
    """A synthetic patient: name, birth date, sex, case sections, instrument answers."""

    name: str
    born: str
    sex: str
    stimulant: dict[str, Any]
    episodes: list[tuple[int, int | None]]  # (onset, end) in months before today
    answers: dict[str, list[Any]]
    clinical: dict[str, Any] = field(default_factory=dict)


PHQ9_MILD = [1, 1, 1, 1, 1, 0, 0, 0, 0]
PHQ9_MODERATE = [2, 2, 1, 2, 1, 1, 1, 0, 0]
PHQ9_SEVERE = [3, 3, 2, 3, 2, 2, 2, 2, 1]
CSSRS_NONE = [0, 0, "-", "-", "-", 0]
CSSRS_LOW = [1, 0, "-", "-", "-", 0]
CSSRS_MODERATE = [1, 1, 1, 0, 0, 0]
CSSRS_HIGH = [1, 1, 1, 1, 0, 2]


def _use(start: int, end: int | None, days: int, criteria: int, **extra: Any) -> dict[str, Any]:
    """A stimulant section: one use period from ``start`` to ``end`` months ago."""
    return {"periods": [(start, end)], "days": days, "criteria": criteria, **extra}


PATIENTS = (
    DemoPatient(
        "Avery Lindqvist",
        "1991-04-12",
        "female",
        _use(60, None, 12, 7),
        [(120, 110), (30, None)],
        {"phq9": PHQ9_MODERATE, "cssrs": CSSRS_LOW},
        {
            "prior_treatment": [{"level": "iop", "response": "none"}],
            "functional_impairment": "moderate",
        },
    ),
    DemoPatient(
        "Bram Okonkwo",
        "1986-09-03",
        "male",
        _use(48, None, 8, 5),
        [(6, None)],
        {"phq9": PHQ9_MODERATE, "cssrs": CSSRS_NONE},
    ),
    DemoPatient(
        "Celine Marchetti",
        "1995-01-22",
        "female",
        _use(24, None, 15, 8),
        [(24, None)],
        {"phq9": PHQ9_SEVERE, "cssrs": CSSRS_MODERATE},
    ),
    DemoPatient(
        "Dario Venkataraman",
        "1979-11-30",
        "male",
        _use(36, None, 20, 9),
        [(12, None)],
        {"phq9": PHQ9_SEVERE, "cssrs": CSSRS_HIGH},
    ),
    DemoPatient(
        "Esme Halvorsen",
        "1990-06-15",
        "female",
        _use(30, None, 10, 6, route="injected", opioid_co_use=True),
        [(10, None)],
        {"phq9": PHQ9_MODERATE, "cssrs": CSSRS_NONE},
    ),
    DemoPatient(
        "Farid Nakamura",
        "1983-02-08",
        "male",
        _use(40, 20, 0, 3),
        [(90, 80)],
        {"phq9": PHQ9_MILD, "cssrs": CSSRS_NONE},
    ),
    DemoPatient(
        "Greta Oyelaran",
        "1988-08-19",
        "female",
        _use(50, None, 18, 5),
        [(20, None)],
        {"phq9": PHQ9_MODERATE, "cssrs": CSSRS_LOW},
        {"recovery_environment": "unsafe"},
    ),
    DemoPatient(
        "Hugo Castellanos",
        "1993-12-01",
        "male",
        _use(36, None, 9, 4, substance="amphetamine_type"),
        [(14, None)],
        {"phq9": PHQ9_MODERATE, "cssrs": CSSRS_NONE},
    ),
    DemoPatient(
        "Ines Abernathy",
        "1997-03-27",
        "female",
        _use(18, None, 6, 4),
        [(17, None)],
        {"phq9": [1, 2, 1, 1, 1, 1, 1, 0, 1]},
    ),
    DemoPatient(
        "Jonah Przybylski",
        "1981-07-04",
        "male",
        _use(70, None, 22, 10),
        [(100, 96), (40, None)],
        {"phq9": PHQ9_SEVERE, "cssrs": CSSRS_LOW},
        {"functional_impairment": "severe"},
    ),
    DemoPatient(
        "Kalani Whitfield",
        "1975-05-11",
        "female",
        _use(200, 150, 0, 2),
        [(230, 224)],
        {"phq9": PHQ9_MILD, "cssrs": CSSRS_NONE},
    ),
    DemoPatient(
        CANARY_NAME,
        "1989-10-10",
        "female",
        _use(26, None, 7, 5),
        [(25, None)],
        {"phq9": PHQ9_MODERATE, "cssrs": CSSRS_LOW},
    ),
)


def _month(today: dt.date, months_ago: int) -> str:
    """``YYYY-MM`` of the month ``months_ago`` before today (partial dates, s1)."""
    index = today.year * 12 + today.month - 1 - months_ago
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _stimulant(spec: dict[str, Any], today: dt.date) -> dict[str, Any]:
    start, end = spec["periods"][0]
    days = spec["days"]
    section: dict[str, Any] = {
        "substance": spec.get("substance", "cocaine"),
        "use_periods": [{"start": _month(today, start), "end": end and _month(today, end)}],
        "days_used_past_30": days,
        "dsm_criteria_past_12_months": list(range(1, spec["criteria"] + 1)),
        "last_use": (today - dt.timedelta(days=2)).isoformat() if days else None,
        # The demo intakes ask every overdose question (case/2: unasked is null).
        "uses_alone": False,
        "opioid_co_use": False,
        "overdose_past_12_months": False,
    }
    if end is not None and not days:
        section["last_use"] = f"{_month(today, end)}-10"
    for key in ("route", "opioid_co_use"):
        if key in spec:
            section[key] = spec[key]
    return section


def ensure_clinics() -> tuple[Organization, Organization]:
    # Two time zones, so that the demo shows each clinic keeping its own calendar.
    demo = accounts.ensure_organization(
        slug="demo",
        name="Tandem Demo Clinic",
        levels_offered=["iop", "php"],
        time_zone="America/New_York",
    )
    other = accounts.ensure_organization(
        slug="riverside",
        name="Riverside Recovery (second demo clinic)",
        levels_offered=["outpatient", "iop"],
        time_zone="America/Phoenix",
    )
    for role in ROLES:  # one demo account per role
        accounts.ensure_staff(
            organization=demo,
            username=f"demo-{role.replace('_', '-')}",
            role=role,
            password=DEMO_PASSWORD,
            display_name=f"Demo {role.replace('_', ' ')}",
        )
    accounts.ensure_staff(
        organization=other,
        username="riverside-therapist",
        role="therapist",
        password=DEMO_PASSWORD,
        display_name="Riverside therapist",
    )
    return demo, other


def _build_patient(actor: Actor, spec: DemoPatient, care_team: list[int]) -> Patient:
    from tandem.services.patients import set_care_team

    patient = register_patient(actor, display_name=spec.name, date_of_birth=spec.born, sex=spec.sex)
    today = patient_today(patient)  # the clinic's local date
    set_care_team(actor, patient.pk, care_team)
    intake.update_intake(actor, patient.pk, "assessed_on", today.isoformat())
    intake.update_intake(actor, patient.pk, "stimulant", _stimulant(spec.stimulant, today))
    episodes = [
        {"onset": _month(today, o), "end": e and _month(today, e)} for o, e in spec.episodes
    ]
    intake.update_intake(actor, patient.pk, "depressive_episodes", episodes)
    assessed = {"psychosis": False, "medically_unstable": False, "mania_history": False}
    intake.update_intake(actor, patient.pk, "clinical", {**assessed, **(spec.clinical or {})})
    for instrument_id, answers in spec.answers.items():
        intake.record_administration(actor, patient.pk, instrument_id, answers)
    formulation = intake.formulate_patient(actor, patient.pk)
    recommended = formulation.recommended_level
    # The demo clinician reads each review flag (ruleset-v2.md s4) and acknowledges it.
    flags = [flag["id"] for flag in placement.review_flags(formulation)]
    placement.decide_placement(actor, formulation.pk, level=recommended, acknowledged_flags=flags)
    plan = plans.draft_plan(actor, formulation.pk)
    interventions = [
        dict(item, responsible=care_team[1]) for item in plans.plan_as_dict(plan)["interventions"]
    ]
    plans.update_plan(
        actor,
        plan.pk,
        expected_version=plan.version,
        interventions=interventions,
        review_on=(today + dt.timedelta(days=28)).isoformat(),
    )
    return patient


# Two synthetic self-check referrals: one urgent (PHQ-9 item 9 above 0) that shared
# nothing but contact details, one routine that shared its result.
DEMO_REFERRALS: tuple[tuple[str, bool, dict[str, Any]], ...] = (
    ("Jordan Whitfield", True, {}),
    ("Casey Marlowe", False, {"result": {
        "pattern": "use_first", "link": "likely", "link_signs": [],
        "persistent_low_mood": False, "phq9_total": 11, "phq9_band": "moderate",
        "suicide_item_positive": False, "overdose_guidance": "standard",
    }}),
)  # fmt: skip


def _ensure_referrals(clinic: Organization) -> None:
    from tandem.services.referrals import submit_referral
    from tandem.storage.models import Referral

    for name, urgent, shared in DEMO_REFERRALS:
        if Referral.objects.filter(organization=clinic, contact_name=name).exists():
            continue
        submit_referral(
            organization_id=clinic.pk, contact_name=name, phone="555-0100",
            preferred_contact="phone", shared=shared, urgent=urgent,
            consent_text="I ask Tandem Demo Clinic to contact me (demo consent).",
            consented_at=get_clock().now(),
        )  # fmt: skip


# Portal accounts (issue 10, Demo item): three patients who are still using at intake
# (never the canary), each with 90 days of check-ins and weekly PHQ-9s
# (services/demo_monitoring.py). The seeds were chosen, by looking, for courses that
# tell the story plainly; tests/integration/test_demo_portal.py checks that they do.
# Avery's late lapse and next-day "yes" to the safety question raise the one open alert.
PORTAL_PATIENTS: tuple[tuple[str, str, Course], ...] = (
    ("Avery Lindqvist", "en", Course(seed=101, uses_per_week=2.0, phq9_start=14, phq9_end=6,
                                     turn_week=9, lapse_days_ago=3, safety_days_ago=2)),
    ("Bram Okonkwo", "en", Course(seed=202, uses_per_week=2.0, phq9_start=13, phq9_end=5,
                                  turn_week=8)),
    ("Hugo Castellanos", "es", Course(seed=303, uses_per_week=1.5, phq9_start=14, phq9_end=7,
                                      turn_week=10)),
)  # fmt: skip


def portal_username(number: int) -> str:
    return f"demo-patient-{number}"


def _ensure_portal(clinic: Organization) -> list[str]:
    """Enrol the portal patients (invite, then the enrolment path with the published
    password) and seed their monitoring; both steps skip what is already there."""
    usernames = []
    for number, (name, language, course) in enumerate(PORTAL_PATIENTS, start=1):
        patient = Patient.objects.get(organization=clinic, display_name=name)
        account = PatientAccount.objects.filter(patient=patient, user__isnull=False).first()
        if account is None:
            _, code, _ = portal_accounts.invite(None, patient.pk)
            user = portal_accounts.enrol(
                code, username=portal_username(number), password=DEMO_PASSWORD, language=language
            )
        else:
            user = account.user
        seed_monitoring(patient, user, course)
        usernames.append(user.get_username())
    return usernames


# Issue 11: contingency management and drug screens. The demo clinic pays on the
# escalating schedule's defaults (monitoring.md s7; ruleset-v2.md s7); screens twice a
# week for the portal patients (from their reported use) and for Farid (outpatient),
# whose two recent stimulant-positive screens give the demo's step-up suggestion
# (ruleset-v2.md s7).
STEP_UP_PATIENT: Final = "Farid Nakamura"
STEP_UP_POSITIVE_DAYS_AGO: Final = frozenset({4, 11})


def _ensure_screens(clinic: Organization, staff: dict[str, StaffMember]) -> None:
    if not CmSchedule.objects.filter(organization=clinic).exists():
        configure_schedule(Actor(user=staff["director"].user, via="cli"), "escalating", {})
    actor = Actor(user=staff["therapist"].user, via="cli")
    for name, _, _ in PORTAL_PATIENTS:
        seed_screens(Patient.objects.get(organization=clinic, display_name=name), actor)
    stepping = Patient.objects.get(organization=clinic, display_name=STEP_UP_PATIENT)
    seed_screens(stepping, actor, STEP_UP_POSITIVE_DAYS_AGO)


def load_demo() -> dict[str, Any]:
    """Create (or find) the demo clinics, staff and patients; returns what was made."""
    demo, other = ensure_clinics()
    staff = {s.role: s for s in StaffMember.objects.filter(organization=demo)}
    actor = Actor(user=staff["intake"].user, via="cli")
    team = [staff[r].pk for r in ("intake", "therapist", "prescriber", "peer_specialist")]
    existing = set(Patient.objects.filter(organization=demo).values_list("display_name", flat=True))
    created = 0
    for spec in PATIENTS:
        if spec.name not in existing:
            _build_patient(actor, spec, team)
            created += 1
    _ensure_referrals(demo)
    portal = _ensure_portal(demo)
    _ensure_screens(demo, staff)
    usernames = sorted(
        get_user_model()
        .objects.filter(staff__organization__in=[demo, other])
        .values_list("username", flat=True)
    )
    return {
        "created": created,
        "patients": len(PATIENTS),
        "usernames": usernames,
        "portal_usernames": portal,
    }
