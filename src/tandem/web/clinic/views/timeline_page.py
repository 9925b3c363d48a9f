"""The patient's timeline (issue 11): one page over the episode, charts drawn on the
server with their summaries and tables, the crash cycle and what shifts first, MBC and
every dated record. Everything is computed by the domain (``services.timeline``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from tandem.domain.labels import label
from tandem.services import reassessment
from tandem.services import timeline as timeline_service
from tandem.web.clinic.views.common import actor, page
from tandem.web.drawn import daily_charts

MBC_NAMES = ("phq9", "gad7", "pcl5", "qids_sr16", "auditc", "isi")


@login_required
def timeline(request: HttpRequest, patient_id: int) -> HttpResponse:
    found = timeline_service.timeline(actor(request), patient_id)
    p = found.progress
    drawn = daily_charts(p, "en", prefix="tl-", clinician=True)
    report = found.report or {}
    mbc = [
        (label("instrument", name), course)
        for name, course in (report.get("mbc") or {}).items()
        if course and name in MBC_NAMES
    ]
    context = {
        "patient": found.patient,
        "period": p.period,
        "charts": drawn,
        "report": report,
        "refused": found.refused,
        "mbc": mbc,
        "events": found.events,
        "since": p.days_since_use,
        "offers": found.offers,
        "due": found.due,
        "level": reassessment.current_level(found.patient),
        "open_reassessment": found.open_reassessment,
    }
    return page(request, "timeline_page.html", context)
