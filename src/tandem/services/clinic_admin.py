"""The clinic's own administration pages: its staff (list, invite, role, deactivate) and
its settings (levels offered, time zone, phone). The escalation time, opening hours and
on-call roster are services.clinic_hours (directors keep them).

Admins change these; directors read them (services.permissions "clinic.admin"). Every
write is one transaction and one audit event; an account of another clinic does not exist
here (404). Accounts, passwords and enrolment codes stay with services.accounts.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db import transaction

from tandem.services import accounts
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.errors import NotFound, ValidationFailed
from tandem.services.permissions import require
from tandem.storage.models import Organization, StaffMember
from tandem.storage.models.organizations import LEVELS, ROLES


def list_staff(actor: Actor) -> tuple[Organization, list[StaffMember]]:
    """The clinic and its staff, by name (one audited read)."""
    actor = as_actor(actor)
    staff = require(actor, "clinic.admin.view")
    members = list(
        StaffMember.objects.filter(organization_id=staff.organization_id)
        .select_related("user")
        .order_by("display_name", "pk")
    )
    record_event(actor, "staff.list", record_type="staff", record_id=len(members))
    return staff.organization, members


def member_of_clinic(actor: Actor, staff_id: Any) -> StaffMember:
    """A staff member of the actor's own clinic, or NotFound (audited) for a missing one or
    another clinic's: checked before anything else, so both look the same."""
    actor = as_actor(actor)
    staff = actor.require_staff()
    wanted = int(staff_id) if str(staff_id).isdigit() and len(str(staff_id)) < 19 else -1
    member = StaffMember.objects.filter(pk=wanted, organization_id=staff.organization_id).first()
    if member is None:
        record_event(actor, "staff.view", record_type="staff", record_id=str(staff_id)[:40],
                     outcome="not_found")  # fmt: skip
        raise NotFound()
    return member


def _member(actor: Actor, admin: StaffMember, staff_id: Any, action: str) -> StaffMember:
    wanted = int(staff_id) if str(staff_id).isdigit() and len(str(staff_id)) < 19 else -1
    member = (
        StaffMember.objects.select_related("user")
        .filter(pk=wanted, organization_id=admin.organization_id)
        .first()
    )
    if member is None:
        record_event(actor, action, record_type="staff", record_id=str(staff_id)[:40],
                     outcome="not_found")  # fmt: skip
        raise NotFound()
    if member.pk == admin.pk:
        raise ValidationFailed("staff: you cannot change your own account here", "staff")
    return member


@audited_failures("staff.invite")
def invite_staff(
    actor: Actor, *, username: str, display_name: str, role: str, password: str
) -> StaffMember:
    """Add a staff member to the admin's clinic with a temporary password; they then
    enrol an authenticator with a one-time code (the enrolment-code page)."""
    actor = as_actor(actor)
    admin = require(actor, "clinic.admin")
    if role not in ROLES:
        raise ValidationFailed(f"role: expected one of {', '.join(ROLES)}", "role")
    with transaction.atomic():
        member = accounts.register_staff(
            clinic_slug=admin.organization.slug, username=(username or "").strip(), role=role,
            password=password, display_name=(display_name or "").strip(),
        )  # fmt: skip
        record_event(actor, "staff.invite", record_type="staff", record_id=member.pk)
    return member


@audited_failures("staff.role")
def set_role(actor: Actor, staff_id: Any, role: str) -> StaffMember:
    actor = as_actor(actor)
    admin = require(actor, "clinic.admin")
    member = _member(actor, admin, staff_id, "staff.role")
    if role not in ROLES:
        raise ValidationFailed(f"role: expected one of {', '.join(ROLES)}", "role")
    with transaction.atomic():
        StaffMember.objects.filter(pk=member.pk).update(role=role)
        record_event(actor, "staff.role", record_type="staff", record_id=member.pk)
    member.role = role
    return member


@audited_failures("staff.deactivate")
def deactivate(actor: Actor, staff_id: Any) -> StaffMember:
    """The account can no longer sign in and its API tokens are revoked; its records and
    audit history stay."""
    actor = as_actor(actor)
    admin = require(actor, "clinic.admin")
    member = _member(actor, admin, staff_id, "staff.deactivate")
    with transaction.atomic():
        type(member.user).objects.filter(pk=member.user_id).update(is_active=False)
        accounts.revoke_api_tokens(member.user.get_username())
        record_event(actor, "staff.deactivate", record_type="staff", record_id=member.pk)
    member.user.is_active = False
    return member


@audited_failures("clinic.settings")
def update_settings(
    actor: Actor, *, levels_offered: list[str], time_zone: str, phone: str
) -> Organization:
    """The clinic's settings: each checked before anything is saved."""
    actor = as_actor(actor)
    admin = require(actor, "clinic.admin")
    if not levels_offered or any(level not in LEVELS for level in levels_offered):
        raise ValidationFailed(f"levels_offered: one or more of {', '.join(LEVELS)}",
                               "levels_offered")  # fmt: skip
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationFailed("time_zone: a time zone name such as America/Chicago",
                               "time_zone")  # fmt: skip
    if len(phone or "") > 40:
        raise ValidationFailed("phone: at most 40 characters", "phone")
    with transaction.atomic():
        Organization.objects.filter(pk=admin.organization_id).update(
            levels_offered=[lv for lv in LEVELS if lv in levels_offered], time_zone=time_zone,
            phone=(phone or "").strip(),
        )  # fmt: skip
        record_event(actor, "clinic.settings", record_type="organization",
                     record_id=admin.organization_id)  # fmt: skip
    return Organization.objects.get(pk=admin.organization_id)
