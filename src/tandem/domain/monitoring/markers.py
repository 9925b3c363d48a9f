"""What shifts first: early markers per 14-day block and their trend (``monitoring.md`` s2).

Blocks run from the patient's first check-in; the last one may be shorter and says how
many days it holds. Per block: crash dips (check-in days with mood <= local baseline
- 3), the population standard deviation of sleep hours, the mean craving, and
(ruleset-v2.md s7) the mean sleep hours and the short nights (check-ins with under 6
hours of sleep; program, beside the adult recommendation of 7 hours or more, facts.md
s12.2). A block with no check-in has no value (missing, never zero).

The trend of each marker is the least-squares slope per block over the *complete*
blocks that have a value (at least 2): a short last block would hold fewer dips only
because it holds fewer days (the program's choice). Fewer dips, settling sleep and less
craving are early signs of progress, often before the weekly PHQ-9 moves; they are not a
diagnosis. Sleep counts as settling only when short nights fall, or the spread falls
while short nights do not rise (ruleset-v2.md s7): steady four-hour nights are not
progress (``sleep_settling``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tandem.domain.monitoring.cycle import Baselines, masked_slope
from tandem.domain.monitoring.series import Bools, DayGrid, Floats, Ints, first_true
from tandem.domain.monitoring.thresholds import CycleThresholds

BlockSum = Callable[[Floats | Bools], Floats]


@dataclass(frozen=True)
class EarlyMarkers:
    """(patients x blocks) arrays; block ``k`` of a patient exists when ``k < n_blocks``."""

    first_checkin: Ints  # day index per patient (n_days when none)
    n_blocks: Ints
    days: Ints  # days each block holds (14, or fewer for the last)
    checkins: Ints
    crash_dips: Floats  # NaN when the block has no check-in
    sleep_sd: Floats
    mean_craving: Floats
    mean_sleep_hours: Floats  # NaN when the block has no check-in
    short_sleep_nights: Floats  # check-ins under 6 hours; NaN without a check-in
    dips_trend: Floats  # per patient: change per block (NaN under 2 complete blocks)
    sleep_sd_trend: Floats
    craving_trend: Floats
    short_nights_trend: Floats
    mean_sleep_trend: Floats

    @property
    def sleep_settling(self) -> Bools:
        """Short nights fall, or the spread falls while short nights do not rise."""
        with np.errstate(invalid="ignore"):
            fewer_short = self.short_nights_trend < 0
            steadier = (self.sleep_sd_trend < 0) & (self.short_nights_trend <= 0)
        result: Bools = fewer_short | steadier
        return result


def early_markers(grid: DayGrid, b: Baselines, th: CycleThresholds) -> EarlyMarkers:
    """Blocks, markers and trends for every patient of ``grid`` at once."""
    first = first_true(grid.checked)
    span = np.maximum(grid.n_days - first, 0)
    n_blocks = (span + th.block_days - 1) // th.block_days
    width = max(int(n_blocks.max(initial=0)), 1)
    k = np.arange(width + 1)
    bounds = np.minimum(first[:, None] + k[None, :] * th.block_days, grid.n_days)
    per_block = _block_sums(bounds)
    checkins = per_block(grid.checked)
    dips = per_block(b.at_or_below(th.dip_drop) & grid.checked)
    has_sleep = ~np.isnan(grid.sleep)
    has_craving = ~np.isnan(grid.craving)
    n_craving = per_block(has_craving)
    with np.errstate(invalid="ignore", divide="ignore"):
        craving = per_block(np.where(has_craving, grid.craving, 0.0)) / n_craving
    sleep_sd = _population_sd(per_block, grid.sleep, has_sleep, first, th.block_days)
    n_sleep = per_block(has_sleep)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_sleep = per_block(np.where(has_sleep, grid.sleep, 0.0)) / n_sleep
        short = per_block(has_sleep & (grid.sleep < th.short_sleep_below_hours))
    days = np.clip(span[:, None] - k[None, :-1] * th.block_days, 0, th.block_days)
    exists = k[None, :-1] < n_blocks[:, None]
    dips = np.where(exists & (checkins > 0), dips, np.nan)
    complete = exists & (days == th.block_days)
    mean_sleep = np.where(exists & (n_sleep > 0), mean_sleep, np.nan)
    short = np.where(exists & (n_sleep > 0), short, np.nan)
    return EarlyMarkers(
        first_checkin=first,
        n_blocks=n_blocks.astype(np.int64),
        days=np.where(exists, days, 0).astype(np.int64),
        checkins=checkins.astype(np.int64),
        crash_dips=dips,
        sleep_sd=np.where(exists, sleep_sd, np.nan),
        mean_craving=np.where(exists & (n_craving > 0), craving, np.nan),
        dips_trend=_trend(dips, complete),
        sleep_sd_trend=_trend(sleep_sd, complete),
        craving_trend=_trend(craving, complete),
        mean_sleep_hours=mean_sleep,
        short_sleep_nights=short,
        short_nights_trend=_trend(short, complete),
        mean_sleep_trend=_trend(mean_sleep, complete),
    )


def _block_sums(bounds: Ints) -> BlockSum:
    """Sums over each block [bounds[k], bounds[k + 1]) from one cumulative sum."""

    def per_block(values: Floats | Bools) -> Floats:
        cum = np.zeros((values.shape[0], values.shape[1] + 1))
        np.cumsum(values, axis=1, out=cum[:, 1:])
        at = np.take_along_axis(cum, bounds, axis=1)
        result: Floats = at[:, 1:] - at[:, :-1]
        return result

    return per_block


def _population_sd(
    per_block: BlockSum, sleep: Floats, has: Bools, first: Ints, block_days: int
) -> Floats:
    """Population SD of sleep hours per block (two passes: mean, then squared gaps)."""
    n = per_block(has)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = per_block(np.where(has, sleep, 0.0)) / n
    block = np.arange(sleep.shape[1])[None, :] - first[:, None]
    block = np.clip(block // block_days, 0, mean.shape[1] - 1)
    centre = np.take_along_axis(mean, block, axis=1)
    squares = per_block(np.where(has, (sleep - centre) ** 2, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Floats = np.where(n > 0, np.sqrt(squares / n), np.nan)
    return result


def _trend(values: Floats, complete: Bools) -> Floats:
    mask = complete & ~np.isnan(values)
    x = np.broadcast_to(np.arange(values.shape[1], dtype=float), values.shape)
    return masked_slope(x, np.nan_to_num(values), mask, 2)
