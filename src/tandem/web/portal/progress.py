"""My progress (portal.md): charts drawn on the server, each with a one-sentence summary
above it and a table of its numbers below it; what is shifting; days since the last use
said without shame. Every word is in the patient's language."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from tandem.services import progress as progress_service
from tandem.storage.models import PlanIntervention
from tandem.web.drawn import daily_charts
from tandem.web.portal.common import page, patient_page


def _statement(text: str, params: Any) -> str:
    return gettext(text).format(**dict(params))


def _has_cm(patient: Any) -> bool:
    return PlanIntervention.objects.filter(
        plan__patient=patient, plan__status="signed", intervention_id="contingency_management"
    ).exists()


@patient_page
def my_progress(request: HttpRequest) -> HttpResponse:
    actor = request.portal_actor  # type: ignore[attr-defined]
    patient = request.portal_account.patient  # type: ignore[attr-defined]
    found = progress_service.progress(actor, patient.pk)
    drawn = daily_charts(found, request.portal_account.language)  # type: ignore[attr-defined]
    since = found.days_since_use
    context = {
        "charts": drawn,
        "days": found.period.days,
        "since": _statement(since.text, {"days": since.days}) if since else "",
        "shifting": [_statement(s.text, s.params) for s in found.shifting.statements],
        "has_cm": _has_cm(patient),
    }
    return page(request, "portal/progress.html", context)
