"""Which roles may do which writes (the program's own policy; docs/adr/0002-access.md).

Seeing a patient is decided by ``tandem.services.access``; this table only narrows what a
staff member who can see the patient may change. Admins run the clinic's accounts and
may read, but make no clinical entries.
"""

from __future__ import annotations

from tandem.domain.labels import label
from tandem.services.actors import Actor
from tandem.services.audit import record_event
from tandem.services.errors import Forbidden
from tandem.storage.models import StaffMember

CLINICIANS = frozenset({"intake", "therapist", "prescriber", "director"})
MAY = {
    "patient.register": CLINICIANS,
    # Changing a care team (replacing it, or adding/removing one member): the clinic's
    # directors and admins, and the patient's intake clinician (who must be on the care
    # team; docs/adr/0002). Logged under the action "patient.care_team".
    "patient.care_team.manage": frozenset({"intake", "director", "admin"}),
    "patient.discharge": CLINICIANS,
    "administration.record": CLINICIANS | {"peer_specialist"},
    # Issue 10: a check-in entered by the clinic (the patient enters their own in the
    # portal), and acting on an alert (acknowledge, resolve).
    "checkin.record": CLINICIANS | {"peer_specialist"},
    "alert.handle": CLINICIANS | {"peer_specialist"},
    # Issue 11: drug screens, collected and read by any clinician or peer specialist on
    # the patient's care team (a cup is often read by the peer specialist at group).
    "screen.record": CLINICIANS | {"peer_specialist"},
    "patient.portal.invite": CLINICIANS | {"peer_specialist"},
    # Issue 11: contingency management. The clinic's schedule is set by its director or
    # admin (it prices every patient's rewards); credit is given to a patient by a
    # clinician on the care team (the program's choice: a redemption moves value).
    "cm.configure": frozenset({"director", "admin"}),
    "cm.redeem": CLINICIANS,
    # Issue 11: IOP/PHP groups. Clinicians and directors schedule sessions; attendance
    # is marked by the session's facilitator (any clinical role) or a director
    # (services.groups narrows it to those two).
    "group.create": CLINICIANS,
    "group.attendance": CLINICIANS | {"peer_specialist"},
    "intake.update": CLINICIANS,
    "formulation.create": CLINICIANS,
    "placement.decide": CLINICIANS,
    # Issue 11: accepting a step-up, step-down or emergency-evaluation suggestion, or a
    # due depression review, starts a reassessment; whoever may formulate may start or
    # stop one (the program's choice).
    "reassessment.start": CLINICIANS,
    # Issue 11: which opioids a patient is prescribed (read with every drug screen):
    # any clinician on the care team, as prescriptions from elsewhere are told to them.
    "patient.prescribed_opioids": CLINICIANS,
    "reassessment.cancel": CLINICIANS,
    "plan.edit": CLINICIANS,
    # The intake clinician signs the plan of a patient on their care team (docs/adr/0002,
    # "The intake clinician signs"); clinical roles only ever see care-team patients.
    "plan.sign": frozenset({"intake", "therapist", "prescriber", "director"}),
    # 42 CFR Part 2 (issue 13): consents are recorded and revoked, and patient data is
    # disclosed, by the clinicians who can see the patient (docs/disclosures.md).
    "consent.record": CLINICIANS,
    "consent.revoke": CLINICIANS,
    "disclosure.make": CLINICIANS,
    "disclosure.emergency": CLINICIANS,
    "referral.view": frozenset({"intake", "director", "admin"}),
    "referral.update": frozenset({"intake", "director"}),
    # The clinic's staff and settings pages (services.clinic_admin): admins change them,
    # directors read them.
    "clinic.admin": frozenset({"admin"}),
    "clinic.admin.view": frozenset({"admin", "director"}),
    # Issue 10: the opening hours, the weekly on-call roster and the escalation time of
    # urgent alerts (services.clinic_hours). The issue names the director as the one who
    # keeps the roster; the clinic's administrators, who already run its settings, may
    # too (the program's choice: a clinic whose director is away can still fix a gap).
    "clinic.on_call.manage": frozenset({"director", "admin"}),
}


# Each action in words, for the refusal a person reads (never "referral.view").
ACTION_WORDS = {
    "patient.register": "register patients",
    "patient.care_team.manage": "change care teams",
    "patient.discharge": "discharge patients",
    "administration.record": "record questionnaires",
    "checkin.record": "record check-ins",
    "alert.handle": "acknowledge or resolve alerts",
    "screen.record": "record drug screens",
    "patient.portal.invite": "invite patients to the portal",
    "cm.configure": "set the clinic's incentive schedule",
    "cm.redeem": "give incentive credit",
    "group.create": "schedule group sessions",
    "group.attendance": "record group attendance",
    "intake.update": "enter the intake",
    "formulation.create": "formulate",
    "placement.decide": "decide the level of care",
    "reassessment.start": "start a reassessment",
    "patient.prescribed_opioids": "record prescribed opioids",
    "reassessment.cancel": "stop a reassessment",
    "plan.edit": "edit plans",
    "plan.sign": "sign plans",
    "referral.view": "see self-check referrals",
    "referral.update": "update self-check referrals",
    "clinic.admin": "change the clinic's staff or settings",
    "clinic.admin.view": "see the clinic's staff and settings",
    "clinic.on_call.manage": "change the opening hours, the on-call roster or the escalation time",
}


def require(actor: Actor, action: str, patient_id: int | None = None) -> StaffMember:
    """The actor's staff record if their role may do ``action``; else Forbidden (audited)."""
    staff = actor.require_staff()
    if staff.role not in MAY[action]:
        record_event(actor, action, patient_id=patient_id, outcome="denied")
        role = label("role", staff.role)
        raise Forbidden(f"Your role ({role}) may not {ACTION_WORDS.get(action, action)}.")
    return staff


def may(staff: StaffMember | None, action: str) -> bool:
    """Whether the staff member's role may do ``action`` (pages show only what it may)."""
    return staff is not None and staff.role in MAY[action]


def abilities(staff: StaffMember | None) -> dict[str, bool]:
    """Every action in ``MAY`` -> whether this staff member's role may do it, with dots
    as underscores for templates (``can.plan_edit``)."""
    return {action.replace(".", "_"): may(staff, action) for action in MAY}
