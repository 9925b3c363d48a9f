"""The "what is shifting" panel of the patient portal (portal.md, My progress).

Plain-language statements from the early markers of ``monitoring.md`` s2, computed by
``markers.early_markers`` exactly as the clinician sees them: crash dips (check-in days
with mood <= local baseline - 3), the spread (population SD) of sleep hours, short
nights (under 6 hours, ruleset-v2.md s7) and mean craving, per 14-day block from the
first check-in.

**The comparison** (program): "than a month ago" is the latest two *complete* blocks
(28 days) against the two blocks before them. A shift is claimed only when the data
allow it and the change goes the right way:

- *fewer low days*: fewer crash dips in the recent window, both as a count and per
  check-in (so fewer check-ins cannot pass for fewer dips); needs baseline days (s2);
- *steadier sleep*: the sleep spread fell by at least ``min_sleep_sd_drop`` hours while
  short nights (per check-in) did not rise; *fewer short nights*: they fell, count and
  per check-in. Either is what ruleset-v2.md s7 calls settling ("short nights fall, or
  the spread falls while short nights do not rise": steady four-hour nights are not
  progress); each sentence says only what happened;
- *milder cravings*: mean craving fell by at least ``min_craving_drop`` points.

Nothing is claimed (and the panel says why) with fewer than 28 check-ins (s2), before
four complete blocks exist, or when either window has fewer than
``min_window_checkins`` check-ins. Worsening markers are not turned into sentences for
the patient (program: the portal shows what is shifting; the clinician sees every
marker). The deeper-low sentence is always shown: depression often lifts later than
these markers (monitoring.md s2, "before the weekly PHQ-9 moves").

Every sentence is English marked with ``N_``; the web layer translates it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import numpy as np

from tandem.domain.i18n import N_
from tandem.domain.monitoring.cycle import CrashCycle, baselines, crash_cycle
from tandem.domain.monitoring.markers import EarlyMarkers, early_markers
from tandem.domain.monitoring.records import Checkin, caseload_from_records
from tandem.domain.monitoring.rows import check_caseload
from tandem.domain.monitoring.series import RowSelection, build_grid
from tandem.domain.monitoring.thresholds import CycleThresholds

DEEPER_LOW: Final = N_(
    "The deeper low often takes longer to lift; that is expected, and your team is "
    "working on it too."
)
FEWER_LOW_DAYS: Final = N_("Your low days after using are fewer than a month ago.")
STEADIER_SLEEP: Final = N_("Your sleep has been steadier.")
FEWER_SHORT_NIGHTS: Final = N_("You have had fewer short nights than a month ago.")
MILDER_CRAVINGS: Final = N_("Your cravings have been milder than a month ago.")
NO_CLEAR_SHIFT: Final = N_(
    "No clear shift yet in your low days, sleep or cravings compared with a month ago; "
    "these often take weeks to move."
)
NEED_28_CHECKINS: Final = N_(
    "There are not enough check-ins yet to compare: it takes 28, and there are {checkins} so far."
)
NEED_8_WEEKS: Final = N_(
    "Comparing the last month with the month before needs about 8 weeks of check-ins; "
    "this panel will fill in after that."
)
NEED_CHECKINS_IN_BOTH: Final = N_(
    "There were too few check-ins in the last two months to compare them fairly, so "
    "nothing is claimed yet."
)


@dataclass(frozen=True)
class ShiftSettings:
    """The panel's figures; all the program's own choices except where cited."""

    cycle: CycleThresholds = field(default_factory=CycleThresholds)  # s2's own figures
    window_blocks: int = 2  # program: two 14-day blocks (s2) = 28 days, "a month"
    min_window_checkins: int = 14  # program: half the window's days have a check-in
    min_sleep_sd_drop: float = 0.25  # program: 15 minutes less spread, not noise
    min_craving_drop: float = 1.0  # program: one point on the 0-10 craving scale


@dataclass(frozen=True)
class Statement:
    """One sentence of the panel: a key, English text marked with ``N_`` (a template
    when ``params`` is not empty) and the figures it rests on (for the clinician)."""

    key: str
    text: str
    params: Mapping[str, int] = field(default_factory=dict)
    figures: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """The early markers summed over a window of complete blocks."""

    start_block: int  # 0 = the block starting at the first check-in
    checkins: int
    crash_dips: float  # NaN when a block of the window has no check-in
    sleep_sd: float  # mean of the blocks' sleep SDs
    short_nights: float
    mean_craving: float  # mean of the blocks' mean cravings


@dataclass(frozen=True)
class ShiftingPanel:
    """The panel: the shifts found, or why nothing is claimed, and always the
    deeper-low sentence (last)."""

    shifts: tuple[Statement, ...]
    why_not: Statement | None  # set exactly when nothing could be compared
    deeper_low: Statement
    earlier: Window | None = None
    recent: Window | None = None

    @property
    def statements(self) -> tuple[Statement, ...]:
        """Everything the panel shows, in order."""
        first = (self.why_not,) if self.why_not is not None else self.shifts
        return (*first, self.deeper_low)


_DEEPER_LOW = Statement("deeper_low", DEEPER_LOW)


def _why_not(key: str, text: str, **params: int) -> ShiftingPanel:
    return ShiftingPanel((), Statement(key, text, params), _DEEPER_LOW)


def shifting_of(
    markers: EarlyMarkers, cycle: CrashCycle, row: int, settings: ShiftSettings | None = None
) -> ShiftingPanel:
    """The panel for grid row ``row`` of an analysis (``GroupAnalysis.markers``/``.cycle``)."""
    s = settings or ShiftSettings()
    checkins = int(cycle.checkins[row])
    if checkins < s.cycle.min_checkins:
        return _why_not("fewer_than_28_checkins", NEED_28_CHECKINS, checkins=checkins)
    complete = int((markers.days[row] == s.cycle.block_days).sum())
    w = s.window_blocks
    if complete < 2 * w:
        return _why_not("fewer_than_8_weeks", NEED_8_WEEKS)
    earlier = _window(markers, row, complete - 2 * w, w)
    recent = _window(markers, row, complete - w, w)
    if min(earlier.checkins, recent.checkins) < s.min_window_checkins:
        return _why_not("too_few_checkins_to_compare", NEED_CHECKINS_IN_BOTH)
    has_baseline = not np.isnan(cycle.baseline_mood[row])
    shifts = _shifts(earlier, recent, has_baseline, s)
    if not shifts:
        shifts = (Statement("no_clear_shift", NO_CLEAR_SHIFT),)
    return ShiftingPanel(shifts, None, _DEEPER_LOW, earlier, recent)


def _window(m: EarlyMarkers, row: int, start: int, n: int) -> Window:
    cut = slice(start, start + n)
    return Window(
        start_block=start,
        checkins=int(m.checkins[row, cut].sum()),
        crash_dips=float(m.crash_dips[row, cut].sum()),
        sleep_sd=float(m.sleep_sd[row, cut].mean()),
        short_nights=float(m.short_sleep_nights[row, cut].sum()),
        mean_craving=float(m.mean_craving[row, cut].mean()),
    )


def _fewer(recent: float, earlier: float, n_recent: int, n_earlier: int) -> bool:
    """Fewer as a count and per check-in (NaN compares false: nothing claimed)."""
    return bool(recent < earlier and recent / n_recent < earlier / n_earlier)


def _shifts(
    earlier: Window, recent: Window, has_baseline: bool, s: ShiftSettings
) -> tuple[Statement, ...]:
    e, r = earlier, recent
    found: list[Statement] = []
    if has_baseline and _fewer(r.crash_dips, e.crash_dips, r.checkins, e.checkins):
        found.append(_said("fewer_low_days", FEWER_LOW_DAYS, "crash_dips", e.crash_dips, r))
    short_not_up = r.short_nights / r.checkins <= e.short_nights / e.checkins
    if r.sleep_sd <= e.sleep_sd - s.min_sleep_sd_drop and short_not_up:
        found.append(_said("steadier_sleep", STEADIER_SLEEP, "sleep_sd", e.sleep_sd, r))
    elif _fewer(r.short_nights, e.short_nights, r.checkins, e.checkins):
        found.append(
            _said("fewer_short_nights", FEWER_SHORT_NIGHTS, "short_nights", e.short_nights, r)
        )
    if r.mean_craving <= e.mean_craving - s.min_craving_drop:
        found.append(_said("milder_cravings", MILDER_CRAVINGS, "mean_craving", e.mean_craving, r))
    return tuple(found)


def _said(key: str, text: str, marker: str, before: float, recent: Window) -> Statement:
    now = float(getattr(recent, marker))
    return Statement(key, text, figures={"earlier": round(before, 3), "recent": round(now, 3)})


def what_is_shifting(
    checkins: Iterable[Checkin], today: date, settings: ShiftSettings | None = None
) -> ShiftingPanel:
    """The panel for one person's check-ins as of ``today`` (later ones are ignored, s2).

    Raises ``ValueError`` when the check-ins belong to more than one person, and
    ``InvalidTimeline`` when a check-in breaks monitoring.md s1.
    """
    s = settings or ShiftSettings()
    chosen = list(checkins)
    if len({c.patient_id for c in chosen}) > 1:
        raise ValueError("what_is_shifting takes one person's check-ins")
    if not chosen:
        return _why_not("fewer_than_28_checkins", NEED_28_CHECKINS, checkins=0)
    caseload = caseload_from_records(chosen)
    scored = check_caseload(caseload)
    empty = np.zeros(0, np.int64)
    rows = RowSelection(np.arange(len(chosen), dtype=np.int64), empty, empty)
    grid = build_grid(caseload, scored, np.arange(1, dtype=np.int64), rows, today.toordinal())
    base = baselines(grid, s.cycle)
    return shifting_of(early_markers(grid, base, s.cycle), crash_cycle(grid, base, s.cycle), 0, s)
