"""Questionnaires (portal.md "Weekly and monthly questionnaires"): what is due from the
signed plan, and answering one. The rules are ``services.portal_questionnaires``'."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tandem.domain.instruments import REGISTRY
from tandem.services import portal_questionnaires as questionnaires
from tandem.services.errors import ValidationFailed
from tandem.services.patient_plan import signed_plan
from tandem.web.portal.common import JUST_TOLD, carry_error, page, patient_page
from tandem.web.portal.forms import QuestionnaireForm


@patient_page
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    context = {
        "has_plan": signed_plan(account.patient) is not None,
        "items": questionnaires.questionnaires(account.patient),
        "offered": questionnaires.offered_in(account.language),
        "thanks": request.GET.get("thanks") == "1",
    }
    return page(request, "portal/questionnaires.html", context)


def _refusal(instrument_id: str, language: str) -> str:
    """Why the portal does not ask this questionnaire now (the page says it in words)."""
    instrument = REGISTRY.get(instrument_id)
    if instrument is None or not instrument.self_administrable:
        return "clinic"
    return "not_due" if questionnaires.offered_in(language) else "language"


@patient_page
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, instrument_id: str) -> HttpResponse:
    actor = request.portal_actor  # type: ignore[attr-defined]
    account = request.portal_account  # type: ignore[attr-defined]
    try:
        questionnaires.answerable(account.patient, instrument_id, account.language)
    except ValidationFailed:
        reason = _refusal(instrument_id, account.language)
        return page(request, "portal/questionnaire_refused.html", {"reason": reason}, 400)
    instrument = REGISTRY[instrument_id]
    form = QuestionnaireForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            record = questionnaires.record_own(actor, instrument_id, form.answers())
        except ValidationFailed as exc:
            carry_error(form, exc)
        else:
            if "suicide_item_positive" in record.result.get("flags", []):
                request.session[JUST_TOLD] = "questionnaire"
                return redirect("portal:help")
            return redirect(reverse("portal:questionnaires") + "?thanks=1")
    status = 400 if form.is_bound and form.errors else 200
    context: dict[str, Any] = {"form": form, "instrument": instrument}
    return page(request, "portal/questionnaire.html", context, status)
