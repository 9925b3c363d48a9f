"""The daily charts of a patient's records, drawn once and reused (the portal's My
progress and the clinician's timeline).

Drawing is most of those pages' time (docs/benchmarks.md), so a drawing is kept in the
cache until a record it shows changes (``Progress.stamp``: patient, period, and the
newest change to a check-in or PHQ-9) or the day turns; the key also holds the
language and the page's id prefix. Every word is translated in the active language.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.utils import formats
from django.utils.translation import gettext

from tandem.reports import charts
from tandem.services.progress import Progress

CHART_CACHE_SECONDS = 3600  # the program's choice; a changed record changes the key anyway


def chart_text() -> charts.ChartText:
    """How dates and numbers are written on a chart in the active language."""
    return charts.ChartText(tick_date=lambda day: formats.date_format(day, "M j"))


def daily_charts(
    found: Progress, language: str, prefix: str = "", *, clinician: bool = False
) -> list[charts.Chart]:
    """Mood and craving with use days, sleep, and the PHQ-9 over its bands; summaries
    worded for the patient, or for a clinician reading about them (``clinician``)."""
    stamp = f"{found.stamp}|{language}|{prefix}|{clinician}"
    key = "tandem:charts:" + hashlib.sha256(stamp.encode()).hexdigest()
    cached: list[charts.Chart] | None = cache.get(key)
    if cached is not None:
        return cached
    text = chart_text()

    def words(labels: Any) -> Any:
        worded = charts.for_clinicians(labels) if clinician else labels
        return charts.translated(worded, gettext, text)

    drawn = [
        charts.mood_craving_chart(
            found.entries,
            found.period,
            words(charts.MoodCravingLabels()),
            id_prefix=f"{prefix}mood",
        ),
        charts.sleep_chart(
            found.entries,
            found.period,
            words(charts.SleepLabels()),
            id_prefix=f"{prefix}sleep",
        ),
        charts.phq9_chart(
            found.phq9,
            found.period,
            words(charts.Phq9Labels()),
            id_prefix=f"{prefix}phq9",
        ),
    ]
    cache.set(key, drawn, CHART_CACHE_SECONDS)
    return drawn
