"""The alerts of ``monitoring.md`` s5 as changed by ``ruleset-v2.md`` s7.

Each kind has a daily *condition* over the day grid. Except for ``suicide_risk`` (see
below), an alert is raised on the first date its condition holds and not again until
the condition has been false for at least 14 days (then a new episode can raise it): a
raise on day t needs the condition on t and on none of the 14 days before. Conditions
are evaluated on the data as of ``today``.

How each condition is read (the program's reading where s5 is silent):
- a score holds from its date until the next score of the same instrument (so a weekly
  PHQ-9 that stays high is one episode); a check-in holds on its own day;
- ``suicide_risk``: not an episode rule (ruleset-v2.md s7, ``suicide.py``): raised on
  signal days, each an event on its record's date, never carried forward; a PHQ-9 given
  as a total only leaves item 9 unknown (NaN): it is no signal, and the evidence (of this
  and of every alert quoting that PHQ-9) says ``item9_unknown``;
- ``overdose_risk``: a screen positive for fentanyl, or for an opioid the patient is not
  prescribed (``panel.unexpected_opioids``), that day; raised again only after 14 days
  without such a screen (ruleset-v2.md s7);
- ``deterioration``: the latest PHQ-9 is a reliable deterioration (>= 6 points) from the
  baseline or from the best score so far (facts.md s7);
- ``early_sobriety_depression``: the latest PHQ-9 (carried forward, like every score
  here) is >= 10 on a day that is day 7 to 84 without use (window: program's choice,
  s5), whenever that PHQ-9 was taken;
- days without use are counted on each day from use known by that day (check-ins and
  positive screens dated on or before it, and the intake's last use, ruleset-v2.md s7:
  ``recovery.persistent_low_daily``), the same count for every alert, so a later screen
  never rewrites an earlier day;
- ``persistent_depression``: ``persistent_low`` as of each day
  (``recovery.persistent_low_daily``): the run of >= 28 days without use containing the
  day, its latest PHQ-9 within the last 14 days as of the day, or mood on run days
  22-28, once at least 28 check-ins are known (fewer: insufficient data, s2); so a
  later ``today`` never removes an alert already raised;
- ``lapse``: a positive screen after 2 or more negatives in a row (missed and invalid
  break the run), or use reported after 7 or more calendar days without use, counting
  only use known before that day (a positive screen that same day is explained by it);
  days without use are unknown before the first known use day (the intake's last use
  included), so without it the first reported use is never a gap-based lapse (s5 counts
  from the last use day);
- ``missed_checkins``: the third day in a row without a check-in, after the first one;
- ``not_on_track``: ``mbc.phq9_daily`` (s3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from tandem.domain.monitoring.cells import plain, records
from tandem.domain.monitoring.mbc import Phq9Daily, ScoreCourse
from tandem.domain.monitoring.recovery import PersistentLowDaily
from tandem.domain.monitoring.series import (
    Bools,
    DayGrid,
    Ints,
    first_true,
    iso_dates,
    iso_dates_known,
    last_index,
    shift,
    window_sum,
)
from tandem.domain.monitoring.suicide import Signals, alert_evidence, raise_days, signals
from tandem.domain.monitoring.thresholds import AlertSettings


@dataclass(frozen=True)
class AlertKind:
    """One row of the s5 table: severity and recommended action."""

    name: str
    severity: str
    action: str


KINDS: Final = (
    AlertKind(
        "suicide_risk",
        "urgent",
        "Same-day C-SSRS and safety plan review; crisis resources shown to the patient "
        "(988 Suicide & Crisis Lifeline; 911 for immediate danger).",
    ),
    AlertKind(
        "overdose_risk",
        "high",
        "Review naloxone and fentanyl test strips with the person today, and tell them "
        "their supply may be contaminated: most cocaine-involved overdose deaths also "
        "involve an opioid (facts.md s9; ruleset-v2.md s7).",
    ),
    AlertKind("deterioration", "high", "Clinician review."),
    AlertKind(
        "early_sobriety_depression",
        "high",
        "Relapse-prevention focus: substance-induced depression predicted return to "
        "cocaine use after discharge (Samet 2013, HR 5.3), and depression during sustained "
        "abstinence predicted relapse (Hasin 2002, HR 3.07).",
    ),
    AlertKind(
        "persistent_depression",
        "high",
        "Reassess the formulation; psychiatric evaluation.",
    ),
    AlertKind(
        "lapse",
        "high",
        "Review, no punishment; adjust the plan.",
    ),
    AlertKind("missed_checkins", "routine", "Outreach."),
    AlertKind("not_on_track", "routine", "Consider stepping up."),
)
# Kinds raised only in the app, from records the day grid of ``analyze`` does not hold
# (group attendance, domain/monitoring/groups.py); routine, and the program's own rule.
RECORD_KINDS: Final = (AlertKind("missed_groups", "routine", "Outreach."),)
KIND_BY_NAME: Final = {k.name: k for k in (*KINDS, *RECORD_KINDS)}

CARRY_OVER_NOTE: Final = (
    "Possible carry-over: heavy users can test positive again after a first negative "
    "(facts.md s8.1); see the benzoylecgonine level."
)


@dataclass(frozen=True)
class Alert:
    """One raised alert: grid row, day index, kind, its evidence and its recipients."""

    row: int
    day: int
    kind: str
    evidence: dict[str, Any]
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Conditions:
    """The daily condition of each alert kind, plus what the evidence needs."""

    by_kind: dict[str, Bools]
    signals: Signals  # ruleset-v2.md s7 suicide signals, each on its own date
    suicide_raised: Bools  # the days suicide_risk is raised (suicide.raise_days)
    abstinent: Ints  # days without use on each day, from use known by then (-1: unknown)
    gap_before: Ints  # days without use just before each day (-1: unknown)
    persistent: PersistentLowDaily


def episode_starts(condition: Bools, quiet_days: int) -> Bools:
    """Days on which a new episode begins: the condition holds, and held on none of the
    ``quiet_days`` days before."""
    recent = window_sum(condition, quiet_days, -1)
    result: Bools = condition & (recent == 0)
    return result


def conditions(
    grid: DayGrid, daily: Phq9Daily, persistent: PersistentLowDaily, st: AlertSettings
) -> Conditions:
    """Every alert condition over the whole grid (``suicide_risk``: its signal days)."""
    sig = signals(grid)
    suicide = sig.score > 0
    abstinent = persistent.days_without_use
    gap = shift(abstinent, 1, -1)  # the count on the day before
    by_kind = {
        "suicide_risk": suicide,
        "overdose_risk": grid.unexpected_opioid,
        "deterioration": daily.deterioration,
        "early_sobriety_depression": _early_sobriety(daily, abstinent, st),
        "persistent_depression": persistent.holds,
        "lapse": (grid.negatives_before_positive >= st.negatives_before_lapse)
        | (grid.used & (gap >= st.use_free_days_before_lapse)),
        "missed_checkins": _missed(grid, st),
        "not_on_track": daily.not_on_track,
    }
    raised = raise_days(sig.score, st.suicide_realert_days)
    return Conditions(by_kind, sig, raised, abstinent, gap, persistent)


def _early_sobriety(daily: Phq9Daily, abstinent: Ints, st: AlertSettings) -> Bools:
    with np.errstate(invalid="ignore"):
        high = daily.latest >= st.early_sobriety_phq9
    in_window = (abstinent >= st.abstinent_from_days) & (abstinent <= st.abstinent_to_days)
    result: Bools = high & in_window
    return result


def _missed(grid: DayGrid, st: AlertSettings) -> Bools:
    first = first_true(grid.checked)
    none = ~grid.checked
    for k in range(1, st.missed_days):
        none = none & ~shift(grid.checked, k, True)
    after_first = grid.day_index[None, :] - (st.missed_days - 1) >= first[:, None]
    result: Bools = none & after_first
    return result


@dataclass(frozen=True)
class AlertContext:
    """What the evidence of the alerts quotes."""

    grid: DayGrid
    conditions: Conditions
    daily: Phq9Daily
    phq9: ScoreCourse
    settings: AlertSettings


@dataclass(frozen=True)
class RaisedAlerts:
    """Every alert raised in a grid, ordered by (patient row, date, kind)."""

    rows: Ints
    days: Ints
    kinds: Ints  # index into KINDS
    evidence: list[dict[str, Any]]
    recipients: tuple[tuple[str, ...], ...]  # per kind, in KINDS order

    def __len__(self) -> int:
        return int(self.rows.size)

    def as_list(self) -> list[Alert]:
        """The alerts as ``Alert`` objects (for callers that want one object each)."""
        return [
            Alert(r, t, KINDS[k].name, e, self.recipients[k])
            for r, t, k, e in zip(
                self.rows.tolist(),
                self.days.tolist(),
                self.kinds.tolist(),
                self.evidence,
                strict=True,
            )
        ]


def raise_alerts(ctx: AlertContext) -> RaisedAlerts:
    """Every alert raised in the grid: one per episode of each kind's condition, except
    ``suicide_risk`` (``suicide.raise_days``) and ``overdose_risk`` (its own quiet days)."""
    st = ctx.settings
    rows, days, kinds, evidence = [], [], [], []
    for k, kind in enumerate(KINDS):
        condition = ctx.conditions.by_kind[kind.name]
        if kind.name == "suicide_risk":
            starts = ctx.conditions.suicide_raised
        elif kind.name == "overdose_risk":
            starts = episode_starts(condition, st.overdose_quiet_days)
        else:
            starts = episode_starts(condition, st.quiet_days_for_new_episode)
        r, t = np.nonzero(starts)
        rows.append(r)
        days.append(t)
        kinds.append(np.full(r.size, k))
        evidence.extend(EVIDENCE[kind.name](ctx, r, t))
    row, day, kind_index = (np.concatenate(a).astype(np.int64) for a in (rows, days, kinds))
    order = np.lexsort((kind_index, day, row))
    return RaisedAlerts(
        rows=row[order],
        days=day[order],
        kinds=kind_index[order],
        evidence=[evidence[i] for i in order.tolist()],
        recipients=tuple(st.recipients[k.name] for k in KINDS),
    )


def _iso(ctx: AlertContext, days: Ints) -> list[str | None]:
    """ISO dates of day indexes (None for -1)."""
    return iso_dates(ctx.grid.first_day, days)


def _suicide_evidence(ctx: AlertContext, r: Ints, t: Ints) -> list[dict[str, Any]]:
    c = ctx.conditions
    return alert_evidence(ctx.grid, c.signals, c.suicide_raised, r, t)


OVERDOSE_NOTE: Final = (
    "Review naloxone and test strips today; tell the person their supply may be "
    "contaminated (facts.md s9)."
)


def _overdose_evidence(ctx: AlertContext, r: Ints, t: Ints) -> list[dict[str, Any]]:
    findings = ctx.grid.opioid_findings
    dates = _iso(ctx, t)
    return [
        {"screen_date": when, "positive_for": list(findings[(row, day)]), "note": OVERDOSE_NOTE}
        for row, day, when in zip(r.tolist(), t.tolist(), dates, strict=True)
    ]


def _item9_unknown(ctx: AlertContext, r: Ints, day: Ints) -> list[bool]:
    """Whether the PHQ-9 of (r, day) was given as a total only (item 9 unknown)."""
    g = ctx.grid
    at = np.maximum(day, 0)
    total_only = np.isnan(g.phq9_item9[r, at]) & ~np.isnan(g.phq9[r, at])
    result: list[bool] = ((day >= 0) & total_only).tolist()
    return result


def _with_item9(cols: list[dict[str, Any]], unknown: list[bool]) -> list[dict[str, Any]]:
    """ruleset-v2.md s7: evidence quoting a total-only PHQ-9 says ``item9_unknown``."""
    for e, u in zip(cols, unknown, strict=True):
        if u:
            e["item9_unknown"] = True
    return cols


def _deterioration_evidence(ctx: AlertContext, r: Ints, t: Ints) -> list[dict[str, Any]]:
    d = ctx.daily
    cols: dict[str, list[Any]] = {
        "phq9": plain(d.latest[r, t]),
        "phq9_date": _iso(ctx, d.latest_day[r, t]),
        "baseline": plain(ctx.phq9.baseline[r]),
        "best_so_far": plain(d.best[r, t]),
        "threshold_points": [ctx.phq9.threshold] * r.size,
    }
    return _with_item9(records(cols), _item9_unknown(ctx, r, d.latest_day[r, t]))


def _early_sobriety_evidence(ctx: AlertContext, r: Ints, t: Ints) -> list[dict[str, Any]]:
    d = ctx.daily
    cols: dict[str, list[Any]] = {
        "phq9": plain(d.latest[r, t]),
        "phq9_date": _iso(ctx, d.latest_day[r, t]),
        "days_without_use": ctx.conditions.abstinent[r, t].tolist(),
    }
    return _with_item9(records(cols), _item9_unknown(ctx, r, d.latest_day[r, t]))


def _persistent_evidence(ctx: AlertContext, r: Ints, t: Ints) -> list[dict[str, Any]]:
    """The figures as of the alert's day: nothing dated after it."""
    p = ctx.conditions.persistent
    cols: dict[str, list[Any]] = {
        "run_start": iso_dates_known(ctx.grid.first_day, p.run_start[r, t], t >= 0),
        "days_without_use": p.days_without_use[r, t].tolist(),
        "mood_days_22_28": plain(p.mood_days_22_28[r, t]),
        "phq9": plain(p.phq9[r, t]),
        "phq9_date": _iso(ctx, p.phq9_day[r, t]),
    }
    return _with_item9(records(cols), _item9_unknown(ctx, r, p.phq9_day[r, t]))


def _lapse_evidence(ctx: AlertContext, r: Ints, t: Ints) -> list[dict[str, Any]]:
    g, st = ctx.grid, ctx.settings
    streak = g.negatives_before_positive[r, t].tolist()
    level = plain(g.positive_benzoylecgonine[r, t])
    reported = g.used[r, t] & (ctx.conditions.gap_before[r, t] >= st.use_free_days_before_lapse)
    gap = ctx.conditions.gap_before[r, t].tolist()
    out = []
    for k, use in enumerate(reported.tolist()):
        e: dict[str, Any] = {}
        if streak[k] >= st.negatives_before_lapse:
            e = {
                "positive_screen": True,
                "negatives_in_a_row_before": streak[k],
                "benzoylecgonine_ng_ml": level[k],
                "note": CARRY_OVER_NOTE,
            }
        if use:
            e["use_reported"] = True
            e["days_without_use_before"] = gap[k]
        out.append(e)
    return out


def _missed_evidence(ctx: AlertContext, r: Ints, t: Ints) -> list[dict[str, Any]]:
    last = last_index(ctx.grid.checked)[r, t] if r.size else t
    cols = {"last_checkin": _iso(ctx, last), "days_without_checkin": (t - last).tolist()}
    return records(cols)


def _not_on_track_evidence(ctx: AlertContext, r: Ints, t: Ints) -> list[dict[str, Any]]:
    d, p = ctx.daily, ctx.phq9
    with np.errstate(invalid="ignore", divide="ignore"):
        below = 100.0 * (p.baseline[r] - d.latest[r, t]) / p.baseline[r]
    cols: dict[str, list[Any]] = {
        "phq9": plain(d.latest[r, t]),
        "phq9_date": _iso(ctx, d.latest_day[r, t]),
        "baseline": plain(p.baseline[r]),
        "baseline_date": _iso(ctx, p.baseline_day[r]),
        "percent_below_baseline": plain(np.round(below, 1)),
        "days_since_baseline": (t - p.baseline_day[r]).tolist(),
    }
    return _with_item9(records(cols), _item9_unknown(ctx, r, d.latest_day[r, t]))


EVIDENCE: Final = {
    "suicide_risk": _suicide_evidence,
    "overdose_risk": _overdose_evidence,
    "deterioration": _deterioration_evidence,
    "early_sobriety_depression": _early_sobriety_evidence,
    "persistent_depression": _persistent_evidence,
    "lapse": _lapse_evidence,
    "missed_checkins": _missed_evidence,
    "not_on_track": _not_on_track_evidence,
}
