"""Timeline Followback abstinence outcomes for a whole caseload at once.

Normative spec: ``monitoring.md`` s4 (outcomes, intent-to-treat and responders-only,
biochemical verification) and s1 (the TLFB data). Definitions of point prevalence,
prolonged and continuous abstinence and the 2-week grace period come from the SRNT
workgroup (Hughes et al. 2003), ``facts.md`` s5; the urine cut-off from ``facts.md`` s8.1.

Every computation runs over dense subject-by-day NumPy arrays (rows are subjects, columns
are days): a window outcome is a difference of two prefix sums, so there is no Python
loop per subject or per day. Days are integers (proleptic ordinals, ``date.toordinal()``);
the caller converts dates. Column 0 of a subject's row is that subject's ``origin`` day.

Outcome cells are ``1.0``, ``0.0`` or ``nan`` (empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tandem.domain.errors import InvalidOption

Bools = NDArray[np.bool_]
Days = NDArray[np.int64]
Cells = NDArray[np.float64]

# facts.md s8.1: 300 ng/mL benzoylecgonine is the older initial immunoassay cut-off many
# point-of-care cups still use (V2); monitoring.md s4 makes it the default because the
# abstcal comparison uses it. The federal workplace screen is 150 ng/mL since 2017 (V).
DEFAULT_UDS_CUTOFF_NG_ML = 300.0
# monitoring.md s4: a positive urine on day t makes days t-2..t use; facts.md s8.1 gives a
# detection window of about 1-3 days after occasional use (V2).
UDS_LOOKBACK_DAYS = 2
# monitoring.md s4: point prevalence over 7 and 28 days by default (Hughes 2003, facts.md s5).
DEFAULT_PP_DAYS: tuple[int, ...] = (7, 28)
# facts.md s5: the SRNT workgroup recommends a 2-week grace period (Hughes 2003, V).
DEFAULT_GRACE_DAYS = 14
BASELINE_VISIT = "0"


class Mode(StrEnum):
    """How missing data count (monitoring.md s4)."""

    INTENT_TO_TREAT = "itt"
    RESPONDERS_ONLY = "ro"


@dataclass(frozen=True)
class LapseRule:
    """When use after the grace period ends prolonged abstinence (monitoring.md s4).

    ``none``: any use day; ``days:K``: K or more use days; ``run:K``: K consecutive use days.
    """

    kind: Literal["none", "days", "run"]
    k: int = 1

    @classmethod
    def parse(cls, text: str) -> LapseRule:
        """Read ``none``, ``days:K`` or ``run:K`` (K a positive integer)."""
        if text == "none":
            return cls("none")
        kind, _, count = text.partition(":")
        if kind in ("days", "run") and count.isdigit() and int(count) >= 1:
            return cls("days" if kind == "days" else "run", int(count))
        raise InvalidOption(f"lapse: {text!r} is not allowed; use none, days:K or run:K (K >= 1)")

    def __str__(self) -> str:
        return "none" if self.kind == "none" else f"{self.kind}:{self.k}"


@dataclass(frozen=True)
class Calendar:
    """Reported TLFB days of every subject on one dense grid.

    ``reported[s, c]`` is true when subject ``s`` reported day ``origin[s] + c``;
    ``use[s, c]`` is true when that reported day is a use day (amount > 0, or made use by
    a urine result). Unreported days are never use here; the modes decide what they mean.
    """

    origin: Days
    reported: Bools
    use: Bools

    @property
    def n_subjects(self) -> int:
        return int(self.reported.shape[0])

    @property
    def n_days(self) -> int:
        return int(self.reported.shape[1])


@dataclass(frozen=True)
class Visits:
    """Recorded visit days per subject (monitoring.md s4).

    ``recorded[label]`` is ``(day, present)``: the ordinal day of that visit for each
    subject and whether it was recorded. Visit ``"0"`` anchors the protocol days.
    """

    recorded: Mapping[str, tuple[Days, Bools]]
    protocol_days: Mapping[str, int]


@dataclass(frozen=True)
class OutcomeRequest:
    """Which outcomes to compute, as in ``tandem tlfb`` (monitoring.md s8)."""

    at: tuple[str, ...]
    pp_days: tuple[int, ...] = DEFAULT_PP_DAYS
    # (program) visit 1 as the start of continuous and prolonged abstinence is the
    # program's choice, taken from the command synopsis in monitoring.md s8.
    cont_from: str = "1"
    prolonged_from: str = "1"
    grace_days: int = DEFAULT_GRACE_DAYS
    lapse: LapseRule = LapseRule("none")
    mode: Mode = Mode.INTENT_TO_TREAT

    def columns(self) -> list[str]:
        """Output columns in order: per visit in ``at``: pp, cont, prolonged; then the rest."""
        names: list[str] = []
        for visit in self.at:
            names += [f"pp{k}_v{visit}" for k in self.pp_days]
            names += [
                f"cont_v{self.cont_from}_v{visit}",
                f"prolonged_v{self.prolonged_from}_v{visit}",
            ]
        return [*names, "pda", "days_to_first_use", "longest_abstinent_run"]


def build_calendar(
    subject: Days, day: Days, amount: NDArray[np.float64], n_subjects: int
) -> Calendar:
    """Scatter long-format TLFB records (one per subject and day) onto a dense grid.

    ``subject`` holds row numbers ``0..n_subjects-1``; a use day is amount > 0
    (monitoring.md s1). Each subject's column 0 is its first reported day.
    """
    first = np.full(n_subjects, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, subject, day)
    last = np.full(n_subjects, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, subject, day)
    has_days = first <= last
    origin = np.where(has_days, first, 0)
    n_days = int((last - first + 1)[has_days].max()) if has_days.any() else 0
    reported = np.zeros((n_subjects, n_days), dtype=np.bool_)
    use = np.zeros((n_subjects, n_days), dtype=np.bool_)
    column = day - origin[subject]
    reported[subject, column] = True
    use[subject, column] = amount > 0
    return Calendar(origin=origin, reported=reported, use=use)


def verify_biochemically(
    calendar: Calendar,
    subject: Days,
    day: Days,
    ng_ml: NDArray[np.float64],
    cutoff_ng_ml: float = DEFAULT_UDS_CUTOFF_NG_ML,
) -> Calendar:
    """Turn reported abstinence on days t-2..t into use for each urine above the cut-off.

    monitoring.md s4; cut-off provenance in ``DEFAULT_UDS_CUTOFF_NG_ML`` (facts.md s8.1).
    Unreported days stay unreported: a urine result verifies a report, it is not one.
    """
    positive = ng_ml > cutoff_ng_ml
    flagged = np.zeros_like(calendar.reported)
    rows = subject[positive]
    columns = day[positive] - calendar.origin[rows]
    for back in range(UDS_LOOKBACK_DAYS + 1):  # three shifts of the whole array, not per day
        target = columns - back
        inside = (target >= 0) & (target < calendar.n_days)
        flagged[rows[inside], target[inside]] = True
    use = calendar.use | (flagged & calendar.reported)
    return Calendar(origin=calendar.origin, reported=calendar.reported, use=use)


def abstinence_outcomes(
    calendar: Calendar, visits: Visits, request: OutcomeRequest
) -> dict[str, Cells]:
    """Every outcome column of ``request.columns()`` for every subject (monitoring.md s4).

    Cells are 1.0/0.0/nan for outcomes; ``pda`` is a percentage; the day counts are whole
    numbers. A subject with no visit 0 gets nan everywhere. Subjects are taken in blocks
    so that the temporaries stay small (same result, less memory traffic).
    """
    blocks = [
        _tlfb_block_outcomes(_tlfb_rows(calendar, visits, lo, lo + SUBJECT_BLOCK), request)
        for lo in range(0, max(calendar.n_subjects, 1), SUBJECT_BLOCK)
    ]
    return {name: np.concatenate([b[name] for b in blocks]) for name in request.columns()}


SUBJECT_BLOCK = 16384


def _tlfb_rows(calendar: Calendar, visits: Visits, lo: int, hi: int) -> tuple[Calendar, Visits]:
    """Subjects lo..hi-1 of a calendar and its visits (views, no copies)."""
    part = Calendar(calendar.origin[lo:hi], calendar.reported[lo:hi], calendar.use[lo:hi])
    recorded = {
        label: (day[lo:hi], known[lo:hi]) for label, (day, known) in visits.recorded.items()
    }
    return part, Visits(recorded=recorded, protocol_days=visits.protocol_days)


def _tlfb_block_outcomes(
    rows: tuple[Calendar, Visits], request: OutcomeRequest
) -> dict[str, Cells]:
    calendar, visits = rows
    results = _tlfb_mode_outcomes(calendar, visits, request, request.mode, (request.lapse,))
    named = {name.split("|", 1)[1]: cells for name, cells in results.items()}
    named.update(_tlfb_descriptives(calendar, visits, request))
    return _anchored(named, visits, calendar.n_subjects)


def _anchored(results: dict[str, Cells], visits: Visits, n: int) -> dict[str, Cells]:
    """A subject with no visit 0 gets nan everywhere (monitoring.md s4)."""
    anchored = _tlfb_has_visit0(visits, n)
    for column in results.values():
        column[~anchored] = np.nan
    return results


def _tlfb_mode_outcomes(
    calendar: Calendar,
    visits: Visits,
    request: OutcomeRequest,
    mode: Mode,
    lapses: tuple[LapseRule, ...],
) -> dict[str, Cells]:
    """pp, cont and prolonged under one mode, for each lapse rule: ``"<lapse>|<column>"``.

    The grid and the visit columns are built once per mode; only prolonged abstinence
    depends on the lapse rule, so pp and cont are computed once and shared.
    """
    grid = _tlfb_grid(calendar, mode)
    results: dict[str, Cells] = {}
    start, start_known = _tlfb_visit_column(visits, request.cont_from, mode, calendar.origin)
    quit_, quit_known = _tlfb_visit_column(visits, request.prolonged_from, mode, calendar.origin)
    for visit in request.at:
        end, end_known = _tlfb_visit_column(visits, visit, mode, calendar.origin)
        shared = {f"pp{k}_v{visit}": grid.no_use(end - k, end, end_known) for k in request.pp_days}
        shared[f"cont_v{request.cont_from}_v{visit}"] = grid.no_use(
            start, end, start_known & end_known
        )
        prolonged = f"prolonged_v{request.prolonged_from}_v{visit}"
        for lapse in lapses:
            for name, cells in shared.items():
                results[f"{lapse}|{name}"] = cells
            results[f"{lapse}|{prolonged}"] = grid.prolonged(
                quit_ + request.grace_days, end, quit_known & end_known, lapse
            )
    return results


def combined_columns(
    request: OutcomeRequest, modes: tuple[Mode, ...], lapses: tuple[LapseRule, ...]
) -> list[str]:
    """Columns of ``combined_outcomes``: each outcome prefixed by its mode and lapse rule
    (``itt_days2_prolonged_v1_v2``), in the order of ``request.columns()``; then ``pda``
    and ``longest_abstinent_run`` (the same in every mode) and ``days_to_first_use`` per
    mode (it starts at a visit, whose date depends on the mode)."""
    per_visit = [c for c in request.columns() if c not in _DESCRIPTIVES]
    names = [
        f"{mode}_{lapse_tag(lapse)}_{column}"
        for mode in modes
        for lapse in lapses
        for column in per_visit
    ]
    return [
        *names,
        "pda",
        *(f"{mode}_days_to_first_use" for mode in modes),
        "longest_abstinent_run",
    ]


_DESCRIPTIVES = ("pda", "days_to_first_use", "longest_abstinent_run")


def lapse_tag(lapse: LapseRule) -> str:
    """A lapse rule as a column prefix: ``none``, ``days2``, ``run7``."""
    return "none" if lapse.kind == "none" else f"{lapse.kind}{lapse.k}"


def combined_outcomes(
    calendar: Calendar,
    visits: Visits,
    request: OutcomeRequest,
    modes: tuple[Mode, ...],
    lapses: tuple[LapseRule, ...],
) -> dict[str, Cells]:
    """Every mode x lapse combination in one pass over the caseload (``combined_columns``).

    ``request.mode`` and ``request.lapse`` are ignored; each combination's cells equal
    those of ``abstinence_outcomes`` run with that mode and lapse (a test checks).
    """
    blocks = []
    for lo in range(0, max(calendar.n_subjects, 1), SUBJECT_BLOCK):
        part, part_visits = _tlfb_rows(calendar, visits, lo, lo + SUBJECT_BLOCK)
        block: dict[str, Cells] = {}
        for mode in modes:
            found = _tlfb_mode_outcomes(part, part_visits, request, mode, lapses)
            for lapse in lapses:
                for column in request.columns():
                    key = f"{lapse}|{column}"
                    if key in found:
                        block[f"{mode}_{lapse_tag(lapse)}_{column}"] = found[key].copy()
            start, known = _tlfb_visit_column(part_visits, request.cont_from, mode, part.origin)
            block[f"{mode}_days_to_first_use"] = days_to_first_use(part, start, known)
        block["pda"] = percent_days_abstinent(part)
        block["longest_abstinent_run"] = longest_abstinent_run(part)
        blocks.append(_anchored(block, part_visits, part.n_subjects))
    columns = combined_columns(request, modes, lapses)
    return {name: np.concatenate([b[name] for b in blocks]) for name in columns}


def _tlfb_descriptives(
    calendar: Calendar, visits: Visits, request: OutcomeRequest
) -> dict[str, Cells]:
    start, known = _tlfb_visit_column(visits, request.cont_from, request.mode, calendar.origin)
    return {
        "pda": percent_days_abstinent(calendar),
        "days_to_first_use": days_to_first_use(calendar, start, known),
        "longest_abstinent_run": longest_abstinent_run(calendar),
    }


def percent_days_abstinent(calendar: Calendar) -> Cells:
    """100 x abstinent reported days / reported days; nan with no reported day (s4)."""
    reported = calendar.reported.sum(axis=1)
    abstinent = (calendar.reported & ~calendar.use).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(reported > 0, 100.0 * abstinent / reported, np.nan)


def days_to_first_use(calendar: Calendar, start: Days, known: Bools) -> Cells:
    """Days from ``start`` (a grid column) to the first reported use day on or after it.

    nan when there is no reported use from ``start`` on, or ``start`` is unknown (s4).
    """
    if calendar.n_days == 0:
        return np.full(calendar.n_subjects, np.nan)
    columns = np.arange(calendar.n_days, dtype=np.int64)
    after = calendar.use & (columns[None, :] >= start[:, None])
    found = after.any(axis=1) & known
    first = after.argmax(axis=1)
    return np.where(found, (first - start).astype(np.float64), np.nan)


def longest_abstinent_run(calendar: Calendar) -> Cells:
    """Longest run of consecutive reported days without use; an unreported day breaks it.

    nan for a subject with no reported day (monitoring.md s4).
    """
    runs = _tlfb_run_lengths(calendar.reported & ~calendar.use)
    longest = runs.max(axis=1) if calendar.n_days else np.zeros(calendar.n_subjects, np.int64)
    return np.where(calendar.reported.any(axis=1), longest.astype(np.float64), np.nan)


def _tlfb_run_lengths(flags: Bools) -> NDArray[np.int64]:
    """Length of the run of true cells ending at each cell, along each row."""
    columns = np.arange(flags.shape[1], dtype=np.int64)
    last_false = np.where(flags, -1, columns[None, :])
    np.maximum.accumulate(last_false, axis=1, out=last_false)
    return np.asarray(columns[None, :] - last_false, dtype=np.int64)


def _tlfb_has_visit0(visits: Visits, n_subjects: int) -> Bools:
    if BASELINE_VISIT not in visits.recorded:
        return np.zeros(n_subjects, dtype=np.bool_)
    return visits.recorded[BASELINE_VISIT][1]


def _tlfb_visit_column(visits: Visits, visit: str, mode: Mode, origin: Days) -> tuple[Days, Bools]:
    """Grid column of a visit per subject, and whether it is known in this mode.

    Intent-to-treat: a missing date is visit 0 plus the protocol day; responders only:
    recorded dates only (monitoring.md s4).
    """
    n = origin.shape[0]
    base_day, base_known = visits.recorded.get(
        BASELINE_VISIT, (np.zeros(n, np.int64), np.zeros(n, np.bool_))
    )
    day, known = visits.recorded.get(visit, (np.zeros(n, np.int64), np.zeros(n, np.bool_)))
    if mode is Mode.INTENT_TO_TREAT:
        offset = 0 if visit == BASELINE_VISIT else visits.protocol_days.get(visit)
        if offset is None:
            raise InvalidOption(f"protocol-days: no protocol day for visit {visit!r}")
        day = np.where(known, day, base_day + offset)
        known = known | base_known
    return day - origin, known


@dataclass(frozen=True)
class _TlfbGrid:
    """Prefix sums of valued and use days, with the mode's missing-data rule applied."""

    mode: Mode
    valued: NDArray[np.int32]
    used: NDArray[np.int32]
    run_use: Bools

    def counts(self, start: Days, end: Days) -> tuple[Days, Days]:
        """Valued and use days in [start, end) per subject; outside the grid counts as unvalued."""
        width = self.valued.shape[1] - 1
        lo = np.clip(start, 0, width)[:, None]
        hi = np.clip(np.maximum(end, start), 0, width)[:, None]
        valued = np.take_along_axis(self.valued, hi, 1) - np.take_along_axis(self.valued, lo, 1)
        used = np.take_along_axis(self.used, hi, 1) - np.take_along_axis(self.used, lo, 1)
        return valued[:, 0].astype(np.int64), used[:, 0].astype(np.int64)

    def settle(self, abstinent: Bools, start: Days, end: Days, known: Bools) -> Cells:
        """Apply s4: 1 needs every day valued; empty windows are 0 (ITT) or empty (RO)."""
        valued, _ = self.counts(start, end)
        complete = (end > start) & (valued == end - start) & known
        fallback = 0.0 if self.mode is Mode.INTENT_TO_TREAT else np.nan
        cells = np.where(complete, abstinent.astype(np.float64), fallback)
        cells[~known] = np.nan
        return cells

    def no_use(self, start: Days, end: Days, known: Bools) -> Cells:
        _, used = self.counts(start, end)
        return self.settle(used == 0, start, end, known)

    def prolonged(self, start: Days, end: Days, known: Bools, lapse: LapseRule) -> Cells:
        _, used = self.counts(start, end)
        if lapse.kind == "none":
            return self.settle(used == 0, start, end, known)
        if lapse.kind == "days":
            return self.settle(used < lapse.k, start, end, known)
        return self.settle(~self._has_run(start, end, lapse.k), start, end, known)

    def _has_run(self, start: Days, end: Days, k: int) -> Bools:
        """A run of k consecutive use days lies wholly inside [start, end)."""
        run_end = _tlfb_run_lengths(self.run_use) >= k
        ends = np.zeros((run_end.shape[0], run_end.shape[1] + 1), dtype=np.int32)
        np.cumsum(run_end, axis=1, out=ends[:, 1:])
        width = run_end.shape[1]
        lo = np.clip(start + k - 1, 0, width)[:, None]
        hi = np.clip(np.maximum(end, start + k - 1), 0, width)[:, None]
        found = np.take_along_axis(ends, hi, 1) - np.take_along_axis(ends, lo, 1)
        return np.asarray(found[:, 0] > 0)


def _tlfb_grid(calendar: Calendar, mode: Mode) -> _TlfbGrid:
    """Valued/use prefix sums. ITT: an unreported day between a subject's first and last
    reported day is valued and counts as use (monitoring.md s4)."""
    valued, use = calendar.reported, calendar.use
    if mode is Mode.INTENT_TO_TREAT:
        gap = _tlfb_between_reports(calendar.reported) & ~calendar.reported
        valued, use = valued | gap, use | gap
    return _TlfbGrid(mode=mode, valued=_tlfb_prefix(valued), used=_tlfb_prefix(use), run_use=use)


def _tlfb_between_reports(reported: Bools) -> Bools:
    """Cells on or between each row's first and last reported day."""
    seen_before = np.logical_or.accumulate(reported, axis=1)
    seen_after = np.logical_or.accumulate(reported[:, ::-1], axis=1)[:, ::-1]
    return np.asarray(seen_before & seen_after)


def _tlfb_prefix(flags: Bools) -> NDArray[np.int32]:
    sums = np.zeros((flags.shape[0], flags.shape[1] + 1), dtype=np.int32)
    np.cumsum(flags, axis=1, out=sums[:, 1:])
    return sums
