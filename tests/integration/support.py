"""Helpers for integration tests: a two-clinic world built through the services, and
signing staff in as the real sign-in would (password checked elsewhere; here the session
carries a confirmed TOTP device, as after a real second factor).

The pages engineer's tests may use ``build_world`` and ``sign_in`` too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.services import accounts, intake, placement, plans
from tandem.services.accounts import create_api_token
from tandem.services.actors import Actor
from tandem.services.clock import get_clock
from tandem.services.patients import register_patient, set_care_team
from tandem.services.referrals import submit_referral
from tandem.storage.models import (
    ROLES,
    Alert,
    CarePlan,
    EpisodeOfCare,
    FormulationRecord,
    GroupSession,
    Patient,
    Referral,
    StaffMember,
)
from tandem.web.security import SEEN, STARTED

PASSWORD = "correct-horse-battery-staple-42"
CANARY = "Zanzibar Quillfeather-Canary"


@dataclass
class Clinic:
    staff: dict[str, StaffMember]
    patient: Patient  # on the care team of intake + therapist only
    formulation: FormulationRecord
    plan: CarePlan
    outsider_patient: Patient  # same clinic, care team = prescriber only
    referral: Referral | None = None  # a self-check referral (``build_world(referrals=True)``)
    alert: Alert | None = None  # an alert on ``patient`` (``raise_alert``; the route walker)
    group: GroupSession | None = None  # a group session (``add_group``; the route walker)


@dataclass
class World:
    a: Clinic
    b: Clinic
    tokens: dict[int, str] = field(default_factory=dict)


def _case_through_services(actor: Actor, name: str, team: list[int]) -> Patient:
    patient = register_patient(actor, display_name=name, date_of_birth="1990-05-05", sex="female")
    set_care_team(actor, patient.pk, team)
    today = dt.date.today()
    intake.update_intake(actor, patient.pk, "assessed_on", today.isoformat())
    stimulant = {
        "substance": "cocaine",
        "use_periods": [{"start": "2021-03", "end": None}],
        "last_use": (today - dt.timedelta(days=3)).isoformat(),
        "days_used_past_30": 6,
        "dsm_criteria_past_12_months": [1, 2, 3, 4, 5],
        "uses_alone": False,
        "opioid_co_use": False,
        "overdose_past_12_months": False,
    }
    intake.update_intake(actor, patient.pk, "stimulant", stimulant)
    intake.update_intake(
        actor, patient.pk, "clinical", {"psychosis": False, "medically_unstable": False}
    )
    intake.record_administration(actor, patient.pk, "phq9", [2, 2, 1, 2, 1, 1, 1, 0, 0])
    intake.record_administration(actor, patient.pk, "cssrs", [1, 0, "-", "-", "-", 0])
    return patient


def build_clinic(slug: str, patient_name: str) -> Clinic:
    org = accounts.ensure_organization(slug=slug, name=slug.title(), levels_offered=["iop", "php"])
    staff = {
        role: accounts.ensure_staff(
            organization=org, username=f"{slug}-{role}", role=role, password=None
        )
        for role in ROLES
    }
    actor = Actor(user=staff["intake"].user, via="test")
    patient = _case_through_services(
        actor, patient_name, [staff["intake"].pk, staff["therapist"].pk]
    )
    formulation = intake.formulate_patient(actor, patient.pk)
    placement.decide_placement(actor, formulation.pk, level=formulation.recommended_level)
    plan = plans.draft_plan(actor, formulation.pk)
    outsider = register_patient(
        Actor(user=staff["prescriber"].user),
        display_name=f"{slug} second patient",
        date_of_birth="1980-01-01",
        sex="male",
    )
    # The director assigns the team (a prescriber may not change care teams; adr/0002).
    set_care_team(Actor(user=staff["director"].user), outsider.pk, [staff["prescriber"].pk])
    return Clinic(staff, patient, formulation, plan, outsider)


def add_referral(clinic: Clinic, name: str) -> Referral:
    """A self-check referral to ``clinic`` (through the service, as the public form does)."""
    clinic.referral = submit_referral(
        organization_id=clinic.staff["intake"].organization_id,
        contact_name=name,
        phone="555-0100",
        preferred_contact="phone",
        shared={},
        consent_text="I agree to be contacted.",
        consented_at=get_clock().now(),
    )
    return clinic.referral


def raise_alert(
    clinic: Clinic, kind: str = "lapse", on: dt.date | None = None, what: str = ""
) -> Alert:
    """An alert on the clinic's patient, raised as a check-in would raise it."""
    from tandem.services import alerts

    day = on or get_clock().today()
    evidence = alerts.Evidence(day, what or "Daily check-in: said they used", "check-in", 1, 1)
    clinic.alert = alerts.signal(Actor(None, via="test"), clinic.patient, kind, evidence)
    return clinic.alert


def add_group(
    clinic: Clinic, level: str = "iop", starts_at: dt.datetime | None = None
) -> GroupSession:
    """A group session at ``level`` facilitated by the clinic's peer specialist, started an
    hour ago; the clinic's patient is put on that level (the test's setting)."""
    from tandem.services import groups

    EpisodeOfCare.objects.filter(patient=clinic.patient).update(level=level)
    clinic.group = groups.create_session(
        Actor(user=clinic.staff["director"].user, via="test"),
        name="Relapse prevention",
        starts_at=starts_at or get_clock().now() - dt.timedelta(hours=1),
        level=level,
        facilitator_id=clinic.staff["peer_specialist"].pk,
    )
    return clinic.group


def build_world(*, referrals: bool = False) -> World:
    """The two clinics; ``referrals=True`` adds one self-check referral to each (off by
    default: some page tests count the referrals they make themselves)."""
    world = World(a=build_clinic("north", CANARY), b=build_clinic("south", "Southern Patient"))
    if referrals:
        add_referral(world.a, "North Caller")
        add_referral(world.b, "South Caller")
    for clinic in (world.a, world.b):
        for member in clinic.staff.values():
            world.tokens[member.pk] = create_api_token(Actor(user=member.user))
    return world


def sign_in(client: Client, staff: StaffMember, token: str | None = None) -> Client:
    """A signed-in session with a verified second factor (and a bearer token if given)."""
    client.force_login(staff.user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=staff.user, confirmed=True, defaults={"name": "test"}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.pop(STARTED, None)
    session.pop(SEEN, None)
    session.save()
    if token:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def signed_in_client(staff: StaffMember, world: World | None = None, **extra: Any) -> Client:
    client = Client(**extra)
    return sign_in(client, staff, world.tokens.get(staff.pk) if world else None)
