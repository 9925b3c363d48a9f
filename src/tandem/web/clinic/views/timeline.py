"""The use/mood timeline step: use periods, recent use and depressive episodes.

Dates of periods and episodes may be partial (YYYY, YYYY-MM, YYYY-MM-DD; ruleset-v1.md
s1-s2). The domain checks order, overlap and agreement with the assessment date; its
error names the JSON path, which lands on the row and field it means.

"Add a use period" / "Add an episode" post the form with ``add=use|mood``: the page comes
back with one more empty row and nothing is saved. Without JavaScript that is a whole
page; with htmx (vendored) the button swaps in just its fieldset (the same response).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from tandem.services import intake as intake_service
from tandem.services.clock import get_clock
from tandem.storage.models import Patient
from tandem.web.clinic.errors import Target
from tandem.web.clinic.forms import EpisodeFormSet, RecentUseForm, UsePeriodFormSet, spans
from tandem.web.clinic.views.common import page
from tandem.web.clinic.views.wizard import next_step, saved, step_context


def _row_targets(formset: Any, path: str, first: str) -> dict[str, Target]:
    """JSON paths of the saved list -> the formset rows they came from (blank rows skipped)."""
    kept = [
        form
        for form in formset.forms
        if form.cleaned_data.get(first) and not form.cleaned_data.get("DELETE")
    ]
    targets: dict[str, Target] = {}
    for index, form in enumerate(kept):
        targets[f"{path}[{index}]"] = (form, None)
        targets[f"{path}[{index}].{first}"] = (form, first)
        targets[f"{path}[{index}].end"] = (form, "end")
    return targets


ADD_ROW = ("use", "mood")  # the formset prefixes an "add a row" button may name
MAX_ROWS = 30  # the formsets' max_num (forms.py)


def _with_added_row(data: QueryDict, prefix: str) -> QueryDict:
    """The posted form with one more (empty) row in the ``prefix`` formset."""
    grown = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        return grown  # a broken management form: the formset reports it
    grown[key] = str(min(total + 1, MAX_ROWS))
    return grown


def assessment_day(case: dict[str, Any]) -> dt.date:
    """The day the timeline is measured against: the case's assessment date, else today."""
    try:
        return dt.date.fromisoformat(str(case.get("assessed_on")))
    except ValueError:
        return get_clock().today()


def _forms(data: Any, case: dict[str, Any]) -> tuple[RecentUseForm, Any, Any]:
    """The step's three forms (recent use, use periods, episodes) over the stored case."""
    stimulant = case.get("stimulant", {})
    recent = RecentUseForm(data, initial=RecentUseForm.initial_from(stimulant))
    day = {"today": assessment_day(case)}
    periods = UsePeriodFormSet(
        data, prefix="use", initial=stimulant.get("use_periods", []), form_kwargs=day
    )
    episodes = EpisodeFormSet(
        data, prefix="mood", initial=case.get("depressive_episodes", []), form_kwargs=day
    )
    return recent, periods, episodes


def timeline_step(request: HttpRequest, patient: Patient) -> HttpResponse:
    case = intake_service.current_intake(patient).case
    stimulant = case.get("stimulant", {})
    adding = request.POST.get("add") if request.method == "POST" else None
    if adding in ADD_ROW:
        return _render_with_row(request, patient, case, str(adding))
    data = request.POST or None
    recent, periods, episodes = _forms(data, case)
    if request.method == "POST" and all(f.is_valid() for f in (recent, periods, episodes)):
        last_use = recent.cleaned_data["last_use"]  # None: ticked unknown (case/2)
        sections = {
            "stimulant": {
                **stimulant,
                "use_periods": spans(periods, "start"),
                "last_use": last_use.isoformat() if last_use else None,
                "days_used_past_30": recent.cleaned_data["days_used_past_30"],
            },
            "depressive_episodes": spans(episodes, "onset"),
        }
        targets: dict[str, Target] = {
            "$.stimulant.last_use": (recent, "last_use"),
            "$.stimulant.days_used_past_30": (recent, "days_used_past_30"),
            **_row_targets(periods, "$.stimulant.use_periods", "start"),
            **_row_targets(episodes, "$.depressive_episodes", "onset"),
        }
        if saved(request, patient, sections, targets, recent):
            return next_step(patient, "timeline")
    failed = request.method == "POST"  # reaching here after a POST means it was refused
    context = step_context(patient, "timeline", recent=recent, periods=periods, episodes=episodes)
    return page(request, "intake/timeline.html", context, status=400 if failed else 200)


def _render_with_row(
    request: HttpRequest, patient: Patient, case: dict[str, Any], prefix: str
) -> HttpResponse:
    """The step again, as posted plus one empty row; nothing is saved."""
    data = _with_added_row(request.POST, prefix)
    recent, periods, episodes = _forms(data, case)
    context = step_context(
        patient, "timeline", recent=recent, periods=periods, episodes=episodes, added=prefix
    )
    return page(request, "intake/timeline.html", context)
