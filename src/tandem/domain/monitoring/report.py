"""The per-patient result of ``tandem analyze`` as plain JSON-ready values (s8).

One object per patient: ``cycle``, ``early_markers`` (the list of 14-day blocks),
``early_markers_trend``, ``recovery``, ``mbc``, ``cssrs_current``, ``alerts`` and
``suggestion``. Figures are rounded to 3 decimals; a figure that cannot be computed is
``None`` (null). A part that cannot be computed says why (ruleset-v2.md s7):
``{"insufficient_data": true, "reason": ...}`` with ``fewer_than_28_checkins`` (and
``checkins``, the count; every s2 part, and the block list is empty),
``no_baseline_days`` (``cycle``: no day with a check-in and no use that day or the 3
before, so no figure has a baseline) or ``no_use_days`` (``recovery``: no use day is
known, from the records or the intake's last use, so there is no run "after stopping").
"""

from __future__ import annotations

import json
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from tandem.domain.monitoring.alerts import KINDS
from tandem.domain.monitoring.analysis import GroupAnalysis
from tandem.domain.monitoring.cells import DIGITS, figures, flags, records, whole
from tandem.domain.monitoring.markers import EarlyMarkers
from tandem.domain.monitoring.rows import CSSRS_TIERS
from tandem.domain.monitoring.series import Floats, iso_date_table, iso_dates, iso_dates_known

BLOCK_KEYS: Final = (
    "block", "start", "end", "days", "checkins", "crash_dips", "sleep_sd", "mean_craving",
    "mean_sleep_hours", "short_sleep_nights",
)  # fmt: skip
TREND_MEANING: Final = (
    "Fewer crash dips, settling sleep (fewer short nights, or a smaller spread without "
    "more short nights) and less craving over the blocks are early signs of progress, "
    "often before the weekly PHQ-9 moves. A description, not a diagnosis."
)
FEWER_THAN_28 = "fewer_than_28_checkins"
NO_BASELINE_DAYS = "no_baseline_days"
NO_USE_DAYS = "no_use_days"


def insufficient(reason: str, checkins: int | None = None) -> dict[str, Any]:
    """Why a part cannot be computed (ruleset-v2.md s7)."""
    out: dict[str, Any] = {"insufficient_data": True, "reason": reason}
    if checkins is not None:
        out["checkins"] = checkins
    return out


def patient_reports(
    group: GroupAnalysis, patient_ids: tuple[str, ...], *, with_blocks: bool = True
) -> dict[str, Any]:
    """The result object of every patient of one analysed group, keyed by patient id.

    Without ``with_blocks`` the ``early_markers`` lists are left empty (``patient_json``
    writes them itself).
    """
    ids = [patient_ids[i] for i in group.grid.patients.tolist()]
    cycle = _cycles(group)
    markers, trends = _markers(group, with_blocks)
    rec = _recoveries(group)
    mbc = _mbc(group)
    alerts = _alerts(group)
    steps = {s.row: {"kind": s.kind, "evidence": s.evidence} for s in group.suggestions}
    sufficient = (~group.cycle.insufficient_data).tolist()
    counts = group.cycle.checkins.tolist()
    no_baseline = np.isnan(group.cycle.baseline_mood).tolist()
    use_known = group.use_known.tolist()
    cssrs = _cssrs_current(group)
    out: dict[str, Any] = {}
    for row, pid in enumerate(ids):
        if sufficient[row]:
            parts = {
                "cycle": insufficient(NO_BASELINE_DAYS) if no_baseline[row] else cycle[row],
                "early_markers": markers[row],
                "early_markers_trend": trends[row],
                "recovery": rec[row] if use_known[row] else insufficient(NO_USE_DAYS),
            }
        else:
            few = insufficient(FEWER_THAN_28, counts[row])
            parts = {"cycle": few, "early_markers": [], "early_markers_trend": dict(few)}
            parts["recovery"] = dict(few)
        out[pid] = {
            **parts,
            "mbc": mbc[row],
            "cssrs_current": cssrs[row],
            "alerts": alerts.get(row, []),
            "suggestion": steps.get(row),
        }
    return out


def _cssrs_current(group: GroupAnalysis) -> list[dict[str, Any] | None]:
    """The C-SSRS current today (ruleset-v2.md s7: 30 days or until the next), its tier
    during treatment, or ``None``."""
    c = group.cssrs
    dates = iso_dates(group.grid.first_day, c.day)
    tiers = np.nan_to_num(c.tier, nan=0).astype(np.int64).tolist()
    return [
        {"tier": CSSRS_TIERS[tier], "date": when} if when is not None else None
        for tier, when in zip(tiers, dates, strict=True)
    ]


def _cycles(group: GroupAnalysis) -> list[dict[str, Any]]:
    c = group.cycle
    chase = records(
        {
            "after_low": figures(c.chase_after_low),
            "after_other": figures(c.chase_after_other),
            "ratio": figures(c.chase_ratio),
            "n_low": c.chase_n_low.tolist(),
            "n_other": c.chase_n_other.tolist(),
        }
    )
    return records(
        {
            "checkins": c.checkins.tolist(),
            "baseline_mood": figures(c.baseline_mood),
            "surge": figures(c.surge),
            "crash": figures(c.crash),
            "crash_days": c.crash_days.tolist(),
            "chase": chase,
            "deepening": figures(c.deepening),
            "deepening_flag": flags(c.deepening_flag),
        }
    )


def _markers(
    group: GroupAnalysis, with_blocks: bool
) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    m = group.markers
    n_blocks = m.n_blocks.tolist()
    trends = _trends(m, len(n_blocks))
    if not with_blocks:
        return [[] for _ in n_blocks], trends
    first_day = group.grid.first_day
    starts = (
        m.first_checkin[:, None]
        + group.settings.cycle.block_days * np.arange(m.days.shape[1])[None, :]
    )
    start_iso = np.asarray(iso_dates(first_day, starts.ravel()), object).reshape(starts.shape)
    end_iso = np.asarray(
        iso_dates(first_day, (starts + np.maximum(m.days, 1) - 1).ravel()), object
    ).reshape(starts.shape)
    columns = (
        np.arange(1, m.days.shape[1] + 1)[None, :].repeat(m.days.shape[0], 0).tolist(),
        start_iso.tolist(),
        end_iso.tolist(),
        m.days.tolist(),
        m.checkins.tolist(),
        whole(m.crash_dips),
        figures(m.sleep_sd),
        figures(m.mean_craving),
        figures(m.mean_sleep_hours),
        whole(m.short_sleep_nights),
    )
    blocks = [
        [
            dict(zip(BLOCK_KEYS, cells, strict=True))
            for cells in zip(*(c[row][:n] for c in columns), strict=True)
        ]
        for row, n in enumerate(n_blocks)
    ]
    return blocks, trends


def _trends(m: EarlyMarkers, n: int) -> list[dict[str, Any]]:
    return records(
        {
            "crash_dips_per_block": figures(m.dips_trend),
            "sleep_sd_per_block": figures(m.sleep_sd_trend),
            "mean_craving_per_block": figures(m.craving_trend),
            "mean_sleep_hours_per_block": figures(m.mean_sleep_trend),
            "short_sleep_nights_per_block": figures(m.short_nights_trend),
            "signs_of_progress": _signs(m),
            "blocks": m.n_blocks.tolist(),
            "meaning": [TREND_MEANING] * n,
        }
    )


def _signs(m: EarlyMarkers) -> list[list[str]]:
    with np.errstate(invalid="ignore"):
        hits = [
            ("fewer crash dips", (m.dips_trend < 0).tolist()),
            ("sleep settling", m.sleep_settling.tolist()),
            ("less craving", (m.craving_trend < 0).tolist()),
        ]
    return [[label for label, h in hits if h[row]] for row in range(m.dips_trend.size)]


def _recoveries(group: GroupAnalysis) -> list[dict[str, Any]]:
    r = group.recovery
    first_day = group.grid.first_day
    found = r.run_days > 0
    return records(
        {
            "run_start": iso_dates_known(first_day, r.run_start, found),
            "run_end": iso_dates(first_day, r.run_end),
            "days_without_use": whole(np.where(found, r.run_days, np.nan)),
            "ongoing": flags(np.where(found, r.run_end == group.grid.n_days - 1, np.nan)),
            "mood_days_1_7": figures(r.mood_days_1_7),
            "mood_days_22_28": figures(r.mood_days_22_28),
            "phq9": whole(r.phq9),
            "phq9_date": iso_dates(first_day, r.phq9_day),
            "persistent_low": flags(r.persistent_low),
        }
    )


def _mbc(group: GroupAnalysis) -> list[dict[str, Any]]:
    first_day = group.grid.first_day
    per: dict[str, list[Any]] = {}
    for name, c in group.courses.items():
        if not bool((c.baseline_day >= 0).any()):  # no patient of the group has one
            per[name] = [None] * c.baseline_day.size
            continue
        cols = {
            "baseline": whole(c.baseline),
            "baseline_date": iso_dates(first_day, c.baseline_day),
            "latest": whole(c.latest),
            "latest_date": iso_dates(first_day, c.latest_day),
            "change": whole(c.change),
            "percent_change": figures(c.percent_change),
            "reliable_improvement": flags(c.reliable_improvement),
            "reliable_deterioration": flags(c.reliable_deterioration),
        }
        if name == "phq9":
            cols["response"] = flags(group.phq9.response)
            cols["remission"] = flags(group.phq9.remission)
            cols["not_on_track"] = flags(group.phq9.not_on_track)
            item9 = _latest_item(group.grid.phq9_item9, c.latest_day)
            cols["latest_item9"] = whole(item9)
            # ruleset-v2.md s7: a PHQ-9 given as a total only has item 9 unknown.
            cols["item9_unknown"] = ((c.latest_day >= 0) & np.isnan(item9)).tolist()
        if name == "qids_sr16":
            item12 = _latest_item(group.grid.qids_item12, c.latest_day)
            cols["latest_item12"] = whole(item12)
            cols["item12_unknown"] = ((c.latest_day >= 0) & np.isnan(item12)).tolist()
        known = (c.baseline_day >= 0).tolist()
        per[name] = [d if k else None for d, k in zip(records(cols), known, strict=True)]
    return records(per)


def _latest_item(items: Floats, day: NDArray[np.int64]) -> Floats:
    """The item on the latest score's day; NaN (null: unknown, never 0) for a
    total-only row."""
    rows = np.arange(day.size)
    item = items[rows, np.maximum(day, 0)]
    result: Floats = np.where(day >= 0, item, np.nan)
    return result


def _alerts(group: GroupAnalysis) -> dict[int, list[dict[str, Any]]]:
    raised = group.alerts
    dates = iso_dates(group.grid.first_day, raised.days)
    out: dict[int, list[dict[str, Any]]] = {}
    for row, when, k, evidence in zip(
        raised.rows.tolist(), dates, raised.kinds.tolist(), raised.evidence, strict=True
    ):
        kind = KINDS[k]
        out.setdefault(row, []).append(
            {
                "kind": kind.name,
                "severity": kind.severity,
                "date": when,
                "evidence": evidence,
                "action": kind.action,
                "recipients": list(raised.recipients[k]),
            }
        )
    return out


def _tokens(values: Floats, digits: int | None) -> NDArray[np.str_]:
    """JSON tokens of numbers in bulk: rounded floats (or ints), ``null`` for NaN."""
    a = np.asarray(values, float)
    if digits is None:
        text = np.nan_to_num(a).astype(np.int64).astype(str)
    else:
        text = np.round(a, digits).astype(str)
    result: NDArray[np.str_] = np.where(np.isnan(a), "null", text)
    return result


# One block as JSON text, in BLOCK_KEYS order (dates quoted; the rest are JSON tokens).
BLOCK_TEMPLATE: Final = (
    '{{"block":{},"start":"{}","end":"{}","days":{},"checkins":{},"crash_dips":{},'
    '"sleep_sd":{},"mean_craving":{},"mean_sleep_hours":{},"short_sleep_nights":{}}}'
)


def blocks_json(group: GroupAnalysis) -> list[str]:
    """Each patient's ``early_markers`` list as JSON text: tokens built with array ops,
    each block written with one ``str.format``.

    Equal to ``json.dumps`` of the ``patient_reports`` blocks (a test checks it), and
    several times faster on a large caseload.
    """
    m = group.markers
    first_day = group.grid.first_day
    shape = m.days.shape
    starts = m.first_checkin[:, None] + group.settings.cycle.block_days * np.arange(shape[1])
    ends = starts + np.maximum(m.days, 1) - 1
    table = iso_date_table(first_day, group.grid.n_days + 1)
    start = table[np.clip(starts, -1, group.grid.n_days) + 1].ravel()
    end = table[np.clip(ends, -1, group.grid.n_days) + 1].ravel()
    columns = (
        np.broadcast_to(np.arange(1, shape[1] + 1), shape).ravel().astype(str),
        start,
        end,
        m.days.ravel().astype(str),
        m.checkins.ravel().astype(str),
        _tokens(m.crash_dips.ravel(), None),
        _tokens(m.sleep_sd.ravel(), DIGITS),
        _tokens(m.mean_craving.ravel(), DIGITS),
        _tokens(m.mean_sleep_hours.ravel(), DIGITS),
        _tokens(m.short_sleep_nights.ravel(), None),
    )
    texts = list(map(BLOCK_TEMPLATE.format, *(c.tolist() for c in columns)))
    width = shape[1]
    rows = [texts[i : i + width] for i in range(0, len(texts), width)]
    n_blocks = m.n_blocks.tolist()
    return ["[" + ",".join(row[:n]) + "]" for row, n in zip(rows, n_blocks, strict=True)]


def patient_json(group: GroupAnalysis, patient_ids: tuple[str, ...]) -> list[tuple[str, str]]:
    """(patient id, JSON text of its result) for every patient of the group, in order.

    The same content as ``patient_reports`` (a test checks it), with the blocks written
    by ``blocks_json``.
    """
    reports = patient_reports(group, patient_ids, with_blocks=False)
    blocks = blocks_json(group)
    sufficient = (~group.cycle.insufficient_data).tolist()
    out = []
    for row, (pid, result) in enumerate(reports.items()):
        head = json.dumps(result["cycle"], separators=(",", ":"), allow_nan=False)
        rest = {k: v for k, v in result.items() if k not in ("cycle", "early_markers")}
        tail = json.dumps(rest, separators=(",", ":"), allow_nan=False)
        markers = blocks[row] if sufficient[row] else "[]"
        out.append((pid, f'{{"cycle":{head},"early_markers":{markers},{tail[1:]}'))
    return out
