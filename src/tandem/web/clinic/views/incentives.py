"""Contingency management in the clinic (issue 11; monitoring.md s7, ruleset-v2.md s7):
a patient's incentives (the schedule in force, the ledger line by line, earned, given,
balance and cap, and the redemption form for the roles that give credit) and the
clinic's schedule settings (directors and admins). Every number is the domain engine's,
read through ``services.incentives``; every write goes through it too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tandem.domain import labels
from tandem.domain.labels import dollars
from tandem.domain.monitoring import incentives as cm_rules
from tandem.services import access, incentives, permissions
from tandem.services.errors import ValidationFailed
from tandem.storage.models import LedgerEntry
from tandem.web.clinic import errors
from tandem.web.clinic.forms import (
    BOTH_KINDS,
    ESCALATING_ONLY,
    MONEY_OPTIONS,
    PRIZE_ONLY,
    CmScheduleForm,
    RedemptionForm,
    schedule_initial,
)
from tandem.web.clinic.views.common import actor, form_status, page, staff_of

REFUSED_REDEEM = "Your role may not give incentive credit."
REFUSED_SCHEDULE = "Only the program director or the clinic's administrator sets the schedule."


@login_required
@require_http_methods(["GET", "POST"])
def patient_incentives(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET: the patient's incentives. POST: record credit given (``cm.redeem``), then
    back here with the new balance."""
    who = actor(request)
    patient = access.access_patient(who, patient_id, action="cm.page")
    may_redeem = permissions.may(staff_of(request), "cm.redeem")
    form = RedemptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_redeem:
            return errors.forbidden(request, REFUSED_REDEEM)
        if form.is_valid():
            try:
                incentives.redeem(who, patient.pk, form.cents(), form.cleaned_data["what"])
            except ValidationFailed as error:
                _refused(who, patient.pk, error, form)
            else:
                return redirect(reverse("clinic:incentives", args=[patient.pk]) + "?given=1")
    found = incentives.account(who, patient.pk)
    schedule = incentives.clinic_schedule(patient.organization_id)
    context = {
        "patient": patient,
        "account": found,
        "rows": [_row(e) for e in found.entries],
        "schedule": _schedule_words(schedule[1]) if schedule else [],
        "kind": labels.label("cm_kind", found.kind) if found.kind else "",
        "earned": dollars(found.earned_cents),
        "redeemed": dollars(found.redeemed_cents),
        "balance": dollars(found.balance_cents),
        "cap": dollars(found.cap_cents) if found.cap_cents is not None else "",
        "redemptions": [
            {
                "at": r.at,
                "what": r.what,
                "amount": dollars(r.cents),
                "by": r.by.display_name or r.by.user.get_username(),
            }
            for r in found.redemptions
        ],
        "may_redeem": may_redeem,
        "form": form,
        "given": request.GET.get("given") == "1",
    }
    return page(request, "incentives.html", context, form_status(form))


def _refused(who: Any, patient_id: int, error: ValidationFailed, form: RedemptionForm) -> None:
    """The service's refusal on its field; above the balance said with the balance in
    dollars (the service checked it; the words are the page's)."""
    if error.field == "cents" and "balance" in error.message:
        balance = max(incentives.account(who, patient_id).balance_cents, 0)
        form.add_error("amount", f"More than the balance: {dollars(balance)} at most.")
        return
    targets = {"cents": (form, "amount"), "what": (form, "what")}
    errors.attach(error, targets, form)


def _row(entry: LedgerEntry) -> dict[str, Any]:
    screen = entry.screen
    source = ""
    if screen is not None:
        source = (
            f"{labels.label('specimen', screen.specimen)}, "
            f"{labels.label('screen_kind', screen.kind).lower()}"
        )
        if screen.status != "result":
            source += f": {labels.label('screen_status', screen.status).lower()}"
    return {
        "day": entry.day,
        "source": source,
        "reading": labels.label("screen_reading", entry.result),
        "why": _why(entry),
        "earned": dollars(entry.earned_cents),
        "draws": entry.draws,
        "prizes": [
            {"name": p["name"], "value": dollars(p["value_cents"]), "awarded": p["awarded"]}
            for p in entry.prizes
        ],
        "seed": entry.draw_seed,
    }


def _why(entry: LedgerEntry) -> str:
    """Why the line earned what it did, in the clinic's words (monitoring.md s7)."""
    if entry.note:
        return labels.label("cm_note", entry.note)
    if entry.day_result != "negative":
        return "Not stimulant-negative: the reward starts again from the first amount"
    if entry.earned_cents == 0 and not entry.draws:
        return "Nothing left under the cap"
    if entry.draws:
        return "Earns draws: more with each negative in a row"
    return "Earns: the amount rises with each negative in a row"


def _schedule_words(schedule: incentives.Schedule) -> list[tuple[str, str]]:
    """Each option of the schedule in force as (what it is, its value)."""
    names = ESCALATING_ONLY if isinstance(schedule, cm_rules.EscalatingSchedule) else PRIZE_ONLY
    found = []
    for name in (*names, *BOTH_KINDS):
        value = getattr(schedule, name)
        if name in MONEY_OPTIONS:
            text = dollars(value)
        elif name == "bowl":
            text = "; ".join(f"{s.name} {dollars(s.value_cents)} ({s.count})" for s in value)
        elif name == "eligible_per_week":
            text = _pacing_words(value)
        else:
            text = str(value)
        found.append((labels.CM_OPTIONS[name][0], text))
    return found


def _pacing_words(pacing: Any) -> str:
    """``2@1-12,1@13-24`` as "2 a week in weeks 1 to 12; 1 a week in weeks 13 to 24"."""
    if pacing.ranges is None:
        return "Every negative (no weekly limit)"
    parts = [
        f"{days} a week in week {first}" if first == last
        else f"{days} a week in weeks {first} to {last}"
        for first, last, days in pacing.ranges
    ]  # fmt: skip
    return "; ".join(parts) + "; none in other weeks"


@login_required
@require_http_methods(["GET", "POST"])
def schedule_settings(request: HttpRequest) -> HttpResponse:
    """GET: the clinic's schedule and its form. POST: save it (directors and admins);
    every patient's ledger is recomputed under it by the service."""
    staff = staff_of(request)
    if not permissions.may(staff, "cm.configure") or staff is None:
        return errors.forbidden(request, REFUSED_SCHEDULE)
    found = incentives.clinic_schedule(staff.organization_id)
    initial = schedule_initial(found[0].kind, found[0].options) if found else {}
    posted = request.POST if request.method == "POST" else None
    form = CmScheduleForm(posted, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incentives.configure_schedule(
                actor(request), form.cleaned_data["kind"], form.as_options()
            )
        except ValidationFailed as error:
            errors.attach(error, _option_targets(form), form)
        else:
            return redirect(reverse("clinic:admin_incentives") + "?saved=1")
    context = {
        "form": form,
        "current": found[0] if found else None,
        "kind": labels.label("cm_kind", found[0].kind) if found else "",
        "schedule": _schedule_words(found[1]) if found else [],
        "saved": request.GET.get("saved") == "1",
        "nav": "admin",
    }
    return page(request, "admin_incentives.html", context, form_status(form))


def _option_targets(form: CmScheduleForm) -> dict[str, errors.Target]:
    targets: dict[str, errors.Target] = {f"options.{n}": (form, n) for n in form.fields}
    targets["kind"] = (form, "kind")
    return targets
