"""My progress (portal.md): charts drawn on the server, each with a one-sentence summary
above it and a table of its numbers below it; what is shifting; days since the last use
said without shame. Every word is in the patient's language."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext

from tandem.domain.monitoring.progress import Earning
from tandem.reports import charts
from tandem.services import incentives
from tandem.services import progress as progress_service
from tandem.storage.models import PlanIntervention
from tandem.web.portal.common import page, patient_page

CHART_CACHE_SECONDS = 3600  # the program's choice; a changed record changes the key anyway


def _text() -> charts.ChartText:
    return charts.ChartText(tick_date=lambda day: formats.date_format(day, "M j"))


def _statement(text: str, params: Any) -> str:
    return gettext(text).format(**dict(params))


def _has_cm(patient: Any) -> bool:
    return PlanIntervention.objects.filter(
        plan__patient=patient, plan__status="signed", intervention_id="contingency_management"
    ).exists()


def _drawn(found: progress_service.Progress, language: str) -> list[charts.Chart]:
    """The three charts, drawn once per patient, language and state of their records: a
    drawing is reused until a record changes (``Progress.stamp``) or the day turns,
    because drawing is most of the page's time (docs/benchmarks.md)."""
    key = "tandem:progress:" + hashlib.sha256(f"{found.stamp}|{language}".encode()).hexdigest()
    cached: list[charts.Chart] | None = cache.get(key)
    if cached is not None:
        return cached
    text = _text()
    drawn = [
        charts.mood_craving_chart(
            found.entries,
            found.period,
            charts.translated(charts.MoodCravingLabels(), gettext, text),
        ),
        charts.sleep_chart(
            found.entries, found.period, charts.translated(charts.SleepLabels(), gettext, text)
        ),
        charts.phq9_chart(
            found.phq9, found.period, charts.translated(charts.Phq9Labels(), gettext, text)
        ),
    ]
    cache.set(key, drawn, CHART_CACHE_SECONDS)
    return drawn


def _credit(actor: Any, patient: Any, period: Any) -> dict[str, Any] | None:
    """The credit chart (with the clinic's cap) and the balance, from the ledger in the
    record (monitoring.md s7); None while the clinic has no schedule."""
    account = incentives.account(actor, patient.pk)
    if account.kind is None:
        return None
    given = [Earning(e.day, e.earned_cents) for e in account.entries if e.earned_cents > 0]
    labels = charts.translated(charts.CreditLabels(), gettext, _text())
    chart = charts.credit_chart(given, period, labels, cap_cents=account.cap_cents)
    cents = max(account.balance_cents, 0)
    return {"chart": chart, "balance": f"${cents // 100}.{cents % 100:02d}"}


@patient_page
def my_progress(request: HttpRequest) -> HttpResponse:
    actor = request.portal_actor  # type: ignore[attr-defined]
    patient = request.portal_account.patient  # type: ignore[attr-defined]
    found = progress_service.progress(actor, patient.pk)
    drawn = _drawn(found, request.portal_account.language)  # type: ignore[attr-defined]
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
