"""The use/mood timeline step: use periods, recent use and depressive episodes.

Dates of periods and episodes may be partial (YYYY, YYYY-MM, YYYY-MM-DD; ruleset-v1.md
s1-s2). The domain checks order, overlap and agreement with the assessment date; its
error names the JSON path, which lands on the row and field it means.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from tandem.services import intake as intake_service
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


def timeline_step(request: HttpRequest, patient: Patient) -> HttpResponse:
    case = intake_service.current_intake(patient).case
    stimulant = case.get("stimulant", {})
    data = request.POST or None
    recent = RecentUseForm(data, initial=stimulant)
    periods = UsePeriodFormSet(data, prefix="use", initial=stimulant.get("use_periods", []))
    episodes = EpisodeFormSet(data, prefix="mood", initial=case.get("depressive_episodes", []))
    if request.method == "POST" and all(f.is_valid() for f in (recent, periods, episodes)):
        last_use = recent.cleaned_data["last_use"]
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
