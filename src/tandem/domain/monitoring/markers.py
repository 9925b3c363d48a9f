"""What shifts first: early markers per 14-day block and their trend (``monitoring.md`` s2).

Blocks run from the patient's first check-in; the last one may be shorter and says how
many days it holds. Per block: crash dips (check-in days with mood <= local baseline
- 3), the population standard deviation of sleep hours and the mean craving. A block
with no check-in has no value (missing, never zero).

The trend of each marker is the least-squares slope per block over the *complete*
blocks that have a value (at least 2): a short last block would hold fewer dips only
because it holds fewer days (the program's choice). Fewer dips, steadier sleep and less
craving are early signs of progress, often before the weekly PHQ-9 moves; they are not a
diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tandem.domain.monitoring.cycle import Baselines, masked_slope
from tandem.domain.monitoring.series import Bools, DayGrid, Floats, Ints, first_true
from tandem.domain.monitoring.thresholds import CycleThresholds

BlockSum = Callable[[Floats, Bools], Floats]


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
    dips_trend: Floats  # per patient: change per block (NaN under 2 complete blocks)
    sleep_sd_trend: Floats
    craving_trend: Floats


def early_markers(grid: DayGrid, b: Baselines, th: CycleThresholds) -> EarlyMarkers:
    """Blocks, markers and trends for every patient of ``grid`` at once."""
    first = first_true(grid.checked)
    n_days = grid.n_days
    span = np.maximum(n_days - first, 0)
    n_blocks = (span + th.block_days - 1) // th.block_days
    width = max(int(n_blocks.max(initial=0)), 1)
    block = (grid.day_index[None, :] - first[:, None]) // th.block_days
    inside = block >= 0
    flat = np.where(inside, np.arange(grid.mood.shape[0])[:, None] * width + block, 0)
    shape = (grid.mood.shape[0], width)

    def per_block(weights: Floats, mask: Bools) -> Floats:
        w = np.where(mask & inside, weights, 0.0)
        return np.bincount(flat.ravel(), w.ravel(), minlength=shape[0] * width).reshape(shape)

    ones = np.ones(grid.mood.shape)
    checkins = per_block(ones, grid.checked)
    dips = per_block(ones, b.at_or_below(grid.mood, th.dip_drop) & grid.checked)
    sleep_sd = _population_sd(per_block, grid.sleep, flat)
    n_craving = per_block(ones, ~np.isnan(grid.craving))
    with np.errstate(invalid="ignore", divide="ignore"):
        craving = per_block(np.nan_to_num(grid.craving), ~np.isnan(grid.craving)) / n_craving
    k = np.arange(width)
    days = np.clip(span[:, None] - k * th.block_days, 0, th.block_days)
    exists = k[None, :] < n_blocks[:, None]
    dips = np.where(exists & (checkins > 0), dips, np.nan)
    complete = exists & (days == th.block_days)
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
    )


def _population_sd(per_block: BlockSum, sleep: Floats, flat: Ints) -> Floats:
    """Population SD of sleep hours per block (two passes: mean, then squared gaps)."""
    has = ~np.isnan(sleep)
    ones = np.ones(sleep.shape)
    n = per_block(ones, has)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = per_block(np.nan_to_num(sleep), has) / n
    centre = mean.ravel()[flat]
    squares = per_block(np.nan_to_num((sleep - centre) ** 2), has)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Floats = np.where(n > 0, np.sqrt(squares / n), np.nan)
    return result


def _trend(values: Floats, complete: Bools) -> Floats:
    mask = complete & ~np.isnan(values)
    x = np.broadcast_to(np.arange(values.shape[1], dtype=float), values.shape)
    return masked_slope(x, np.nan_to_num(values), mask, 2)
