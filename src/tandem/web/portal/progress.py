"""My progress (portal.md): charts drawn on the server, each with a one-sentence summary
above it and a table of its numbers below it; what is shifting; days since the last use
said without shame. Every word is in the patient's language."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from tandem.domain.monitoring.progress import Earning
from tandem.reports import charts
from tandem.services import incentives
from tandem.services import progress as progress_service
from tandem.storage.models import PlanIntervention
from tandem.web.drawn import chart_text, daily_charts
from tandem.web.portal.common import page, patient_page


def _statement(text: str, params: Any) -> str:
    return gettext(text).format(**dict(params))


def _has_cm(patient: Any) -> bool:
    return PlanIntervention.objects.filter(
        plan__patient=patient, plan__status="signed", intervention_id="contingency_management"
    ).exists()


def _credit(actor: Any, patient: Any, period: Any) -> dict[str, Any] | None:
    """The credit chart (with the clinic's cap) and the balance, from the ledger in the
    record (monitoring.md s7); None while the clinic has no schedule."""
    account = incentives.account(actor, patient.pk)
    if account.kind is None:
        return None
    given = [Earning(e.day, e.earned_cents) for e in account.entries if e.earned_cents > 0]
    labels = charts.translated(charts.CreditLabels(), gettext, chart_text())
    chart = charts.credit_chart(given, period, labels, cap_cents=account.cap_cents)
    cents = max(account.balance_cents, 0)
    return {"chart": chart, "balance": f"${cents // 100}.{cents % 100:02d}"}


@patient_page
def my_progress(request: HttpRequest) -> HttpResponse:
    actor = request.portal_actor  # type: ignore[attr-defined]
    patient = request.portal_account.patient  # type: ignore[attr-defined]
    found = progress_service.progress(actor, patient.pk)
    drawn = daily_charts(found, request.portal_account.language)  # type: ignore[attr-defined]
    since = found.days_since_use
    has_cm = _has_cm(patient)
    context = {
        "charts": drawn,
        "days": found.period.days,
        "since": _statement(since.text, {"days": since.days}) if since else "",
        "shifting": [_statement(s.text, s.params) for s in found.shifting.statements],
        "has_cm": has_cm,
        "credit": _credit(actor, patient, found.period) if has_cm else None,
    }
    return page(request, "portal/progress.html", context)
