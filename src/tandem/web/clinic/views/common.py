"""What every clinician page shares: the actor, level names, the intake steps.

When the crisis resources show is decided in one place: ``services.crisis``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.domain import labels
from tandem.services import alerts, crisis, permissions, referrals
from tandem.services.actors import Actor
from tandem.services.clock import get_clock
from tandem.storage.models import StaffMember

# ruleset-v1.md s8: the levels a placement names, in words (tandem.domain.labels).
LEVEL_NAMES = labels.LEVELS

# The intake wizard, in order: (slug, title).
INTAKE_STEPS = (
    ("stimulant", "Stimulant use"),
    ("timeline", "Use and mood timeline"),
    ("instruments", "Questionnaires"),
    ("clinical", "Clinical facts"),
    ("review", "Review and formulate"),
)


def words(value: object) -> str:
    """A stored key as words for a page ("needs_assessment" -> "needs assessment")."""
    return str(value or "").replace("_", " ")


def risk_panel(patient: Any, output: dict[str, Any] | None = None) -> crisis.RiskPanel:
    """The risk panel a patient's staff pages show (services.crisis.risk_panel)."""
    return crisis.risk_panel(patient, output, get_clock().today())


def staff_of(request: HttpRequest) -> StaffMember | None:
    """The signed-in staff member, or None (an anonymous or patient session)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return StaffMember.objects.filter(user=user).first()


def actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a clinician page; signed-in pages are never cached (shared tablets).

    Every page gets ``can`` (what this role may do: pages show only those links and forms),
    the count of open alerts sent to this staff member (the navigation's "Alerts (3)")
    and, for roles that work the referral list, the count of urgent ones not yet contacted.
    """
    staff = staff_of(request)
    can = permissions.abilities(staff)
    shared: dict[str, Any] = {"can": can, "staff_member": staff,
                              "open_alerts": alerts.open_count(staff)}  # fmt: skip
    if staff is not None and can["referral_view"]:
        shared["urgent_referrals"] = referrals.urgent_count(staff)
    response = render(request, f"clinic/{template}", {**shared, **context}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def form_status(*forms: Any) -> int:
    """400 when a bound form has errors, so tests and tools see a failed submission."""
    return 400 if any(f.is_bound and not f.is_valid() for f in forms) else 200
