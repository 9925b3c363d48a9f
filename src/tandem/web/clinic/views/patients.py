"""Caseload, new patient, the chart and the clinic's referrals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tandem.domain import labels
from tandem.domain.monitoring.panel import PRESCRIBABLE_OPIOIDS
from tandem.services import (
    access,
    alerts,
    crisis,
    disclosures,
    groups,
    intake,
    patients,
    placement,
    plans,
    portal_accounts,
    referrals,
    relapse_prevention,
    screens,
)
from tandem.services.calendar import clinic_today, patient_today
from tandem.services.errors import Conflict, Forbidden, ValidationFailed
from tandem.storage.models.referrals import REFERRAL_STATUSES
from tandem.web.clinic import errors
from tandem.web.clinic.forms import DischargeForm, PatientForm, selfcheck_answer_rows
from tandem.web.clinic.views.common import (
    LEVEL_NAMES,
    actor,
    form_status,
    page,
    risk_panel,
    words,
)

# Sort orders of the caseload (GET ?sort=); suicide risk highest first for "risk".
_RISK_ORDER = {"high": 0, "moderate": 1, "needs_assessment": 2, "low": 3, "not_screened": 4,
               "none": 5, "": 6}  # fmt: skip
SORTS = {
    "alerts": ("Open alerts, most urgent first",
               lambda item: (*(-item["alerts"].get(s, 0) for s in ("urgent", "high", "routine")),
                             item["row"].patient.display_name.lower())),
    "name": ("Name", lambda item: (item["row"].patient.display_name.lower(),)),
    "risk": ("Suicide risk, highest first",
             lambda item: (_RISK_ORDER.get(item["row"].suicide_risk, 6),
                           item["row"].patient.display_name.lower())),
    "review": ("Plan review date, soonest first",
               lambda item: (item["row"].plan_review_on is None,
                             item["row"].plan_review_on or dt.date.max)),
    "born": ("Date of birth", lambda item: (item["row"].patient.date_of_birth,)),
}  # fmt: skip
STATUS_CHOICES = (("active", "Active"), ("discharged", "Discharged"), ("all", "All"))
SEARCH_KEY = "caseload_query"  # kept in the server-side session: a name never goes in a URL


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """The patients the clinician may see: record number, date of birth, level, risks,
    reassessment and plan review; search (by name or record number), filter and sort."""
    if request.method == "POST":
        query = "" if "clear" in request.POST else str(request.POST.get("q", ""))[:200]
        request.session[SEARCH_KEY] = query.strip()
        return redirect(f"{reverse('clinic:caseload')}?{_filters_query(request.POST)}")
    filters = _filters(request.GET)
    query = str(request.session.get(SEARCH_KEY, ""))
    today = clinic_today(request.user.staff.organization)  # type: ignore[union-attr]  # staff
    found = [
        row
        for row in access.caseload(actor(request), status=filters["status"], query=query)
        if _kept(row, filters)
    ]
    open_alerts = alerts.open_alerts_by_patient([row.patient.pk for row in found])
    attendance = groups.attendance_counts([row.patient.pk for row in found], today)
    rows = [
        {"row": row, "alerts": open_alerts.get(row.patient.pk, {}),
         "alert_counts": _alert_counts(open_alerts.get(row.patient.pk, {})),
         "groups": attendance.get(row.patient.pk),
         "suicide": labels.label("suicide_risk", row.suicide_risk),
         "overdose": labels.label("overdose_risk", row.overdose_risk),
         "level": LEVEL_NAMES.get(row.level, words(row.level)),
         "reassess_on": _date(row.reassess_on),
         "reassess_due": _due(row.reassess_on, today),
         "review_due": _due(row.plan_review_on, today)}
        for row in found
    ]  # fmt: skip
    rows.sort(key=SORTS[filters["sort"]][1])
    context = {
        "rows": rows, "nav": "caseload", "query": query, "filters": filters,
        "sorts": [(key, name) for key, (name, _) in SORTS.items()],
        "statuses": STATUS_CHOICES,
        "levels": [(lv, LEVEL_NAMES[lv]) for lv in ("php", "iop", "outpatient",
                                                      "residential_referral", "emergency")],
    }  # fmt: skip
    return page(request, "caseload.html", context)


def _alert_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(severity, open alerts) from the most urgent, for the caseload's badges."""
    return [(s, counts[s]) for s in ("urgent", "high", "routine") if counts.get(s)]


def _filters(data: Any) -> dict[str, str]:
    """The caseload's filters from the query string; anything unknown is the default."""
    status = str(data.get("status", "active"))
    sort = str(data.get("sort", "alerts"))
    level = str(data.get("level", ""))
    return {
        "status": status if status in dict(STATUS_CHOICES) else "active",
        "sort": sort if sort in SORTS else "alerts",
        "level": level if level in LEVEL_NAMES else "",
        "risk": "raised" if data.get("risk") == "raised" else "",
    }


def _filters_query(data: Any) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in _filters(data).items() if v})


def _kept(row: Any, filters: dict[str, str]) -> bool:
    if filters["level"] and row.level != filters["level"]:
        return False
    return not (filters["risk"] and row.suicide_risk not in crisis.CRISIS_SUICIDE_RISKS)


def _date(on: object) -> dt.date | None:
    """A stored date (a date or ISO text); None for no date (empty or JSON "null" text)."""
    if isinstance(on, dt.date):
        return on
    try:
        return dt.date.fromisoformat(str(on))
    except ValueError:
        return None


def _due(on: object, today: dt.date) -> bool:
    """Whether a date is today or past: the caseload shows it as due."""
    date = _date(on)
    return date is not None and date <= today


@login_required
def new_patient(request: HttpRequest) -> HttpResponse:
    """Register a patient; the intake wizard starts at once."""
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = patients.register_patient(actor(request), **form.cleaned_data)
        except ValidationFailed as error:
            errors.attach(error, {name: (form, name) for name in form.fields}, form)
        else:
            return redirect("clinic:intake_step", patient_id=patient.pk, step="stimulant")
    return page(
        request, "new_patient.html", {"form": form, "nav": "new_patient"}, status=form_status(form)
    )


@login_required
def chart(request: HttpRequest, patient_id: int) -> HttpResponse:
    """One patient's chart: formulation, placement history, plan, scores so far."""
    who = actor(request)
    patient = access.access_patient(who, patient_id, action="chart.view")
    formulation = intake.latest_formulation(who, patient.pk)
    patient_alerts = sorted(alerts.patient_alerts(who, patient.pk), key=lambda a: a.state != "open")
    context = {
        "patient": patient,
        "formulation": formulation,
        "output": formulation.output if formulation else None,
        "placements": placement.placement_history(who, patient.pk),
        "plan": plans.current_plan(who, patient.pk),
        "episode": patients.latest_episode(who, patient.pk),
        "administrations": intake.list_administrations(who, patient.pk),
        "relapse_prevention": relapse_prevention.plan_for(who, patient.pk),
        "risk": risk_panel(patient),
        # 42 CFR Part 2: the consents on file and the accounting of disclosures.
        "consents": disclosures.list_consents(who, patient.pk),
        "disclosures": disclosures.accounting(who, patient.pk),
        # Issue 10: the patient's alerts (open ones first) and portal account.
        "alerts": patient_alerts,
        "alerts_open": sum(a.state == "open" for a in patient_alerts),
        "portal_status": portal_accounts.portal_status(patient),
        # Issue 11: group attendance over the last 30 days.
        "attendance": groups.patient_attendance(
            patient, clinic_today(patient.organization) - dt.timedelta(days=29)
        ),
        # Issue 11: the latest drug screens (the whole list is in the API).
        "screens": screens.list_screens(who, patient.pk, limit=10),
        "prescribable": [(a, labels.label("analyte", a)) for a in PRESCRIBABLE_OPIOIDS],
    }
    return page(request, "chart.html", context)


@login_required
@require_POST
def prescribed_opioids(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Save the opioids prescribed to the patient (checkboxes; none ticked is none)."""
    try:
        patients.set_prescribed_opioids(
            actor(request), patient_id, request.POST.getlist("prescribed_opioids")
        )
    except ValidationFailed as error:
        return errors.bad_request(request, error.message)
    return redirect(reverse("clinic:chart", args=[patient_id]) + "#c-opioids")


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """Self-check referrals to this clinic, newest first (the intake list)."""
    rows = referrals.list_referrals(actor(request))
    for row in rows:
        _words_for(row)
    statuses = [(s, labels.label("referral_status", s)) for s in REFERRAL_STATUSES]
    context = {"referrals": rows, "nav": "referrals", "statuses": statuses}
    return page(request, "referrals.html", context)


def _words_for(referral: Any) -> None:
    """The referral's stored ids as words for the page (tandem.domain.labels)."""
    result = referral.shared.get("result") or {}
    referral.status_label = labels.label("referral_status", referral.status)
    referral.contact_label = labels.label("contact_method", referral.preferred_contact)
    referral.result_pattern = labels.label("selfcheck_pattern", result.get("pattern"))
    referral.result_link = labels.label("selfcheck_link", result.get("link"))
    referral.answer_rows = selfcheck_answer_rows(referral.shared.get("answers") or {})


@login_required
def referral_intake(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Start intake from a referral: the person's name comes from the referral; the
    clinician adds date of birth and sex, and the new patient's intake opens."""
    who = actor(request)
    try:
        referral = referrals.get_referral(who, referral_id)
    except Forbidden:
        raise Http404() from None
    form = PatientForm(request.POST or None, initial={"display_name": referral.contact_name})
    form.fields["display_name"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            patient = referrals.start_intake(
                who, referral.pk,
                date_of_birth=form.cleaned_data["date_of_birth"], sex=form.cleaned_data["sex"],
                not_duplicate=form.cleaned_data["not_duplicate"],
            )  # fmt: skip
        except (ValidationFailed, Conflict) as error:
            refused = ValidationFailed(error.message, error.field)
            errors.attach(refused, {name: (form, name) for name in form.fields}, form)
        else:
            return redirect("clinic:intake_step", patient_id=patient.pk, step="stimulant")
    context = {"form": form, "referral": referral, "nav": "referrals"}
    return page(request, "referral_intake.html", context, status=form_status(form))


@login_required
@require_POST
def referral_status(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Mark a referral contacted or closed.

    Another clinic's referral, a missing one, and any referral to a role that may not see
    referrals all answer 404 alike (STYLE.md s3: a record you may not see does not exist).
    """
    try:
        referrals.set_referral_status(actor(request), referral_id, request.POST.get("status", ""))
    except Forbidden:
        raise Http404() from None
    except ValidationFailed as error:
        return errors.bad_request(request, error.message)
    return redirect("clinic:referrals")


@login_required
def discharge(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET: the discharge form. POST: close the episode with a reason and date."""
    who = actor(request)
    patient = access.access_patient(who, patient_id, action="patient.discharge.view")
    form = DischargeForm(request.POST or None, initial={"ended_on": patient_today(patient)})
    if request.method == "POST" and form.is_valid():
        try:
            patients.discharge_patient(who, patient.pk, **form.cleaned_data)
        except ValidationFailed as error:
            errors.attach(error, {name: (form, name) for name in form.fields}, form)
        else:
            return redirect("clinic:chart", patient_id=patient.pk)
    context = {"patient": patient, "form": form, "risk": risk_panel(patient)}
    return page(request, "discharge.html", context, status=form_status(form))
