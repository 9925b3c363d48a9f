"""One call that runs the whole monitoring core over a caseload (``monitoring.md`` s2-s6).

Patients are taken in groups whose day grids stay under a fixed number of cells, so a
caseload of any size, or one patient with years of history, runs in bounded memory;
within a group every figure is computed for all patients and days at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from tandem.domain.monitoring.alerts import AlertContext, RaisedAlerts, conditions, raise_alerts
from tandem.domain.monitoring.cycle import CrashCycle, baselines, crash_cycle
from tandem.domain.monitoring.markers import EarlyMarkers, early_markers
from tandem.domain.monitoring.mbc import (
    Phq9Outcomes,
    ScoreCourse,
    courses,
    phq9_daily,
    phq9_outcomes,
)
from tandem.domain.monitoring.recovery import (
    Recovery,
    days_without_use,
    persistent_low_daily,
    recovery,
    use_days,
)
from tandem.domain.monitoring.rows import Caseload, check_caseload
from tandem.domain.monitoring.series import Bools, DayGrid, Ints, RowSelection, build_grid
from tandem.domain.monitoring.stepping import Suggestion, suggestions
from tandem.domain.monitoring.suicide import CurrentCssrs, current_cssrs
from tandem.domain.monitoring.thresholds import MonitoringSettings

# About half a million patient-days per group: small enough to stay in the processor's
# caches, large enough to amortise each NumPy call (measured; not a clinical figure).
CELL_BUDGET = 1 << 19


@dataclass(frozen=True)
class GroupAnalysis:
    """Every figure for one group of patients (rows of ``grid``)."""

    grid: DayGrid
    cycle: CrashCycle
    markers: EarlyMarkers
    recovery: Recovery
    courses: dict[str, ScoreCourse]
    phq9: Phq9Outcomes
    alerts: RaisedAlerts
    suggestions: list[Suggestion]
    cssrs: CurrentCssrs
    use_known: Bools  # per patient: a use day is known (records or the intake's last use)
    settings: MonitoringSettings


Mapper = Callable[[Callable[[Ints], GroupAnalysis], Iterable[Ints]], Iterable[GroupAnalysis]]


def analyze_group(grid: DayGrid, settings: MonitoringSettings) -> GroupAnalysis:
    """All of s2-s6 for the patients of one day grid."""
    th = settings.cycle
    base = baselines(grid, th)
    abstinent = days_without_use(use_days(grid, th), grid.intake_last_use)
    rec = recovery(grid, abstinent, th)
    scores = courses(grid, settings.mbc)
    daily = phq9_daily(grid, scores["phq9"], settings.mbc)
    outcomes = phq9_outcomes(scores["phq9"], daily, settings.mbc)
    persistent = persistent_low_daily(grid, daily.latest, daily.latest_day, th)
    conds = conditions(grid, daily, persistent, settings.alerts)
    ctx = AlertContext(grid, conds, daily, scores["phq9"], settings.alerts)
    signal = conds.by_kind["suicide_risk"]
    st = settings.alerts
    cssrs = current_cssrs(grid, st.cssrs_current_days, st.behaviour_repeat_days)
    steps = suggestions(grid, daily, outcomes, signal, cssrs, settings.alerts)
    return GroupAnalysis(
        grid=grid,
        cycle=crash_cycle(grid, base, th),
        markers=early_markers(grid, base, th),
        recovery=rec,
        courses=scores,
        phq9=outcomes,
        alerts=raise_alerts(ctx),
        suggestions=steps,
        cssrs=cssrs,
        use_known=np.asarray((abstinent[:, -1] >= 0), bool),
        settings=settings,
    )


def analyze_caseload(
    caseload: Caseload,
    today: date,
    settings: MonitoringSettings | None = None,
    mapper: Mapper = map,
) -> Iterator[GroupAnalysis]:
    """Check the caseload's contract, then yield the analysis group by group, in order.

    Raises ``InvalidTimeline`` before yielding anything when the input breaks s1.
    ``mapper`` runs the groups (``map`` by default; a caller may pass a thread pool's).
    """
    chosen = settings or MonitoringSettings()
    scored = check_caseload(caseload)
    day = today.toordinal()
    tables = _sorted_tables(caseload)

    def analyse(patients: Ints) -> GroupAnalysis:
        rows = RowSelection(*(_rows_of(order, keys, patients) for order, keys in tables))
        return analyze_group(build_grid(caseload, scored, patients, rows, day), chosen)

    yield from mapper(analyse, _groups(caseload, day))


def _sorted_tables(caseload: Caseload) -> list[tuple[Ints, Ints]]:
    """Each table's rows in patient order, with the sorted patient indexes."""
    out = []
    for table in (caseload.checkins, caseload.instruments, caseload.screens):
        p = table.patient
        ordered = bool(np.all(p[1:] >= p[:-1])) if p.size else True
        order = np.arange(p.size) if ordered else np.argsort(p, kind="stable")
        out.append((order.astype(np.int64), p[order]))
    return out


def _rows_of(order: Ints, keys: Ints, patients: Ints) -> Ints:
    lo = np.searchsorted(keys, patients[0], "left")
    hi = np.searchsorted(keys, patients[-1], "right")
    return order[lo:hi]


def _groups(caseload: Caseload, today: int) -> Iterator[Ints]:
    """Consecutive patients whose grid (patients x days back to the earliest) fits."""
    n = len(caseload.patient_ids)
    earliest = np.full(n, today, np.int64)
    for table in (caseload.checkins, caseload.instruments, caseload.screens):
        keep = table.day <= today
        np.minimum.at(earliest, table.patient[keep], table.day[keep])
    # The intake's last use does not widen the grid: days before it are counted, not
    # laid out (series.DayGrid.intake_last_use).
    span = (today - earliest + 1).tolist()
    start, width = 0, 1
    for i in range(n):
        wider = max(width, span[i])
        if i > start and (i - start + 1) * wider > CELL_BUDGET:
            yield np.arange(start, i, dtype=np.int64)
            start, wider = i, span[i]
        width = wider
    if n:
        yield np.arange(start, n, dtype=np.int64)
