"""Progress charts drawn on the server as inline SVG (portal.md, My progress).

Four charts over any period (an episode of care, the last 90 days, a report's range):
mood and craving day by day with use days marked, sleep hours, PHQ-9 totals over the
severity bands, and cumulative gift card credit. Each is a ``Chart``: a title, a
one-sentence summary, the SVG and a table of the same numbers, so the content never
lives in the picture alone. The same charts serve the portal, the clinician timeline and
PDF reports; the caller passes the words already translated (``*Labels``, English
defaults marked with ``N_`` for the catalogue) and the dates to show.

How the SVG is made, and why:

- matplotlib's object API (``Figure``, no pyplot state), SVG output, one lock: matplotlib
  and its rc settings are process-global, so two threads never draw at once. One axes
  is reused under that lock (bench/progress_charts.py: building a figure per chart cost
  about a third of the time).
- Deterministic: ``svg.hashsalt`` fixed and no metadata (no date), so the same data give
  the same bytes (a test checks it).
- Text stays text (``svg.fonttype`` "none") in DejaVu Sans, the font Debian ships and
  matplotlib measures with, falling back to the browser's sans-serif.
- Inline-able under the app's CSP (``style-src 'self'``, web/security.py): that CSP
  blocks ``style`` attributes and ``<style>`` elements, so every style declaration
  becomes an SVG presentation attribute (``fill=...``), which CSP does not govern. No
  prolog or doctype; ids not referenced are dropped, the others get a per-chart prefix so
  several charts on one page never share an id.
- Accessibility: the ``<svg>`` is ``aria-hidden="true"`` (and ``focusable="false"``),
  without ``role="img"``. The summary above it and the table below it carry the content
  for screen readers; an ``aria-label`` would make them hear it twice. axe-core's
  ``svg-img-alt`` rule applies to ``role="img"`` only, and ``aria-hidden-focus`` passes
  because the SVG has nothing focusable (no links, no ``tabindex``).
- Readable on a 360 px phone and on a desktop: the drawing is 346 x 173 pt (about a
  phone's width at 1:1), ``width="100%"`` with its viewBox, few ticks, 9 pt text.
- Not colour alone: mood is a solid line with round dots, craving a dashed line with
  squares, use days a black triangle and a dotted rule; the colours are Okabe-Ito
  (safe for colour blindness). PHQ-9 bands carry their names inside the chart.
- Missing days stay gaps (monitoring.md s1): lines break at a day without a value and
  a lone day between gaps is a dot; nothing is interpolated.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar
from xml.etree import ElementTree as ET  # parses matplotlib's own output only

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator
from matplotlib.typing import LineStyleType

from tandem.domain.i18n import N_
from tandem.domain.monitoring.progress import (
    PHQ9_BANDS,
    DailyEntry,
    Earning,
    Period,
    ScorePoint,
    credit_figures,
    in_period,
    mood_craving_figures,
    phq9_band,
    phq9_figures,
    sleep_figures,
)

matplotlib.use("Agg")  # never a window; the SVG backend is chosen per savefig

Cell = date | str | int | float | Decimal | None

# Okabe & Ito, "Color Universal Design" (2008): distinguishable with colour blindness.
BLUE: Final = "#0072B2"
VERMILLION: Final = "#D55E00"
GREEN: Final = "#009E73"
BLACK: Final = "#000000"
GREY: Final = "#6b6b6b"
BAND_FILLS: Final = ("#f7f7f7", "#eeeeee", "#e2e2e2", "#d4d4d4", "#c6c6c6")

SIZE_INCHES: Final = (4.8, 2.4)  # 346 x 173 pt: about 360 px wide at 1:1 on a phone
AXES_BOX: Final = (0.11, 0.13, 0.86, 0.68)  # left, bottom, width, height (the legend above)
RC: Final[dict[Any, Any]] = {  # Any keys: matplotlib types them as a Literal of every name
    "svg.hashsalt": "tandem-progress-charts",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": GREY,
    "xtick.color": GREY,
    "ytick.color": GREY,
    "xtick.labelcolor": BLACK,
    "ytick.labelcolor": BLACK,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "path.simplify": True,
    "text.parse_math": False,  # "$" is a dollar sign, never mathtext
}
NO_METADATA: Final = {"Date": None, "Creator": None, "Format": None, "Type": None}
ENGLISH_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip

_DRAWING = threading.Lock()


def english_tick_date(day: date) -> str:
    """``Mar 1``: the English default for date ticks (the web passes its own)."""
    return f"{ENGLISH_MONTHS[day.month - 1]} {day.day}"


@dataclass(frozen=True)
class Chart:
    """A drawn chart: ``summary`` goes above the SVG and the table below it.

    ``rows`` hold plain values (dates, numbers, ``None`` for not answered) for the
    template to format in the reader's language.
    """

    title: str
    summary: str
    svg: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class ChartText:
    """What every chart needs besides its own words: how to write a date tick and a
    decimal number in the reader's language."""

    tick_date: Callable[[date], str] = english_tick_date
    decimal_mark: str = "."

    def number(self, value: float, digits: int = 1) -> str:
        return f"{value:.{digits}f}".replace(".", self.decimal_mark)


@dataclass(frozen=True)
class MoodCravingLabels:
    title: str = N_("Mood and craving")
    mood: str = N_("Mood (0-10)")
    craving: str = N_("Craving (0-10)")
    use_day: str = N_("Use day")
    date: str = N_("Date")
    used: str = N_("Used")
    yes: str = N_("Yes")
    no: str = N_("No")
    summary: str = N_(
        "Over {checkins} check-ins in these {days} days your mood averaged {mood} and "
        "craving {craving}; {use_days} use days are marked."
    )
    summary_empty: str = N_("There are no check-ins in these {days} days.")
    text: ChartText = field(default_factory=ChartText)


@dataclass(frozen=True)
class SleepLabels:
    title: str = N_("Sleep")
    hours: str = N_("Hours of sleep")
    recommended: str = N_("7 hours")
    date: str = N_("Date")
    summary: str = N_(
        "Over {nights} nights in these {days} days you slept {hours} hours on average; "
        "{short} nights were under {below} hours."
    )
    summary_empty: str = N_("There is no sleep recorded in these {days} days.")
    text: ChartText = field(default_factory=ChartText)


@dataclass(frozen=True)
class Phq9Labels:
    title: str = N_("PHQ-9 depression score")
    score: str = N_("PHQ-9 score (0-27)")
    band: str = N_("Range")
    date: str = N_("Date")
    # The severity bands by key (facts.md s2.1; named as portal.md names them).
    none_minimal: str = N_("minimal")
    mild: str = N_("mild")
    moderate: str = N_("moderate")
    moderately_severe: str = N_("moderately severe")
    severe: str = N_("severe")
    summary: str = N_(
        "Your latest PHQ-9 score, {latest}, is in the {latest_band} range; the first of "
        "these {count} scores was {first} ({first_band})."
    )
    summary_one: str = N_("Your PHQ-9 score, {latest}, is in the {latest_band} range.")
    summary_empty: str = N_("There is no PHQ-9 score in these {days} days.")
    text: ChartText = field(default_factory=ChartText)

    def band_name(self, key: str) -> str:
        name: str = getattr(self, key)
        return name


@dataclass(frozen=True)
class CreditLabels:
    title: str = N_("Gift card credit")
    credit: str = N_("Gift card credit so far")
    cap: str = N_("Limit")
    date: str = N_("Date")
    earned: str = N_("Earned")
    total: str = N_("Total so far")
    currency: str = "$"  # written before the amount, as US clinics write dollars
    summary: str = N_(
        "You have earned {total} in gift card credit so far, {in_period} of it from "
        "{rewards} rewards in these {days} days."
    )
    summary_empty: str = N_("No gift card credit has been earned yet.")
    text: ChartText = field(default_factory=ChartText)

    def money(self, cents: int) -> str:
        return self.currency + self.text.number(cents / 100, 2)


Labels = TypeVar("Labels", MoodCravingLabels, SleepLabels, Phq9Labels, CreditLabels)


# The same charts on a clinician's page speak of the patient, not to them (issue 11's
# timeline); English, as the clinic pages are.
CLINICIAN_SUMMARIES: dict[type, dict[str, Any]] = {
    MoodCravingLabels: {
        "summary": "Over {checkins} check-ins in these {days} days mood averaged {mood} and "
        "craving {craving}; {use_days} use days are marked."
    },
    SleepLabels: {
        "summary": "Over {nights} nights in these {days} days sleep averaged {hours} hours; "
        "{short} nights were under {below} hours."
    },
    Phq9Labels: {
        "summary": "The latest PHQ-9 score, {latest}, is in the {latest_band} range; the first "
        "of these {count} scores was {first} ({first_band}).",
        "summary_one": "The PHQ-9 score, {latest}, is in the {latest_band} range.",
    },
}


def for_clinicians(labels: Labels) -> Labels:
    """``labels`` with the summaries worded for a clinician reading about a patient."""
    return replace(labels, **CLINICIAN_SUMMARIES.get(type(labels), {}))


def translated(
    labels: Labels, gettext: Callable[[str], str], text: ChartText | None = None
) -> Labels:
    """``labels`` with every word passed through ``gettext`` (and ``text`` if given)."""
    words: dict[str, Any] = {
        f.name: gettext(getattr(labels, f.name))
        for f in fields(labels)
        if isinstance(getattr(labels, f.name), str) and f.name != "currency"
    }
    if text is not None:
        words["text"] = text
    return replace(labels, **words)


# --- the charts ---------------------------------------------------------------------


def mood_craving_chart(
    entries: Sequence[DailyEntry],
    period: Period,
    labels: MoodCravingLabels | None = None,
    *,
    id_prefix: str = "mood",
) -> Chart:
    """Mood and craving (0-10) day by day, use days marked, gaps left as gaps."""
    lb = labels or MoodCravingLabels()
    chosen = in_period(entries, period)
    mood = _daily(chosen, period, "mood")
    craving = _daily(chosen, period, "craving")
    use = np.array(sorted({(e.on - period.start).days for e in chosen if e.used}), float)
    with _figure(period, lb.text) as ax:
        ax.set_ylim(-0.5, 11.2)
        _y_ticks(ax, [0, 5, 10], ["0", "5", "10"])
        ax.vlines(use, -0.5, 10.5, colors=GREY, linestyles="dotted", linewidth=0.8)
        ax.plot(use, np.full(use.size, 10.8), "v", color=BLACK, markersize=4, ls="none")
        _series(ax, mood, BLUE, "-", "o")
        _series(ax, craving, VERMILLION, "--", "s")
        _legend(
            ax,
            [
                _key(lb.mood, BLUE, "-", "o"),
                _key(lb.craving, VERMILLION, "--", "s"),
                _key(lb.use_day, BLACK, "none", "v"),
            ],
        )
        svg = _svg(ax, id_prefix)
    f = mood_craving_figures(entries, period)
    if f.checkins == 0 or f.mean_mood is None or f.mean_craving is None:
        summary = lb.summary_empty.format(days=f.days)
    else:
        summary = lb.summary.format(
            checkins=f.checkins,
            days=f.days,
            mood=lb.text.number(f.mean_mood),
            craving=lb.text.number(f.mean_craving),
            use_days=f.use_days,
        )
    rows = tuple((e.on, e.mood, e.craving, lb.yes if e.used else lb.no) for e in chosen)
    return Chart(lb.title, summary, svg, (lb.date, lb.mood, lb.craving, lb.used), rows)


def sleep_chart(
    entries: Sequence[DailyEntry],
    period: Period,
    labels: SleepLabels | None = None,
    *,
    id_prefix: str = "sleep",
) -> Chart:
    """Hours of sleep night by night, with the adult recommendation of 7 hours or more
    drawn as a reference (facts.md s12.2 row 5 (V)); gaps left as gaps."""
    lb = labels or SleepLabels()
    chosen = [e for e in in_period(entries, period) if e.sleep_hours is not None]
    hours = _daily(chosen, period, "sleep_hours")
    top = max(12.0, float(np.nanmax(hours)) + 1 if chosen else 12.0)
    with _figure(period, lb.text) as ax:
        ax.set_ylim(0, top)
        ticks = [0, 4, 8, 12] if top <= 13 else [0, 7, 14]
        _y_ticks(ax, ticks, [str(t) for t in ticks])
        ax.axhline(7, color=GREY, linestyle="dotted", linewidth=0.9)
        ax.text(
            0.99, 7.2, lb.recommended, transform=ax.get_yaxis_transform(),
            ha="right", va="bottom", fontsize=8, color=BLACK,
        )  # fmt: skip
        _series(ax, hours, GREEN, "-", "o")
        _legend(ax, [_key(lb.hours, GREEN, "-", "o")])
        svg = _svg(ax, id_prefix)
    f = sleep_figures(entries, period)
    if f.nights == 0 or f.mean_hours is None:
        summary = lb.summary_empty.format(days=f.days)
    else:
        summary = lb.summary.format(
            nights=f.nights,
            days=f.days,
            hours=lb.text.number(f.mean_hours),
            short=f.short_nights,
            below=lb.text.number(f.short_below_hours, 0),
        )
    rows = tuple((e.on, e.sleep_hours) for e in chosen)
    return Chart(lb.title, summary, svg, (lb.date, lb.hours), rows)


def phq9_chart(
    scores: Sequence[ScorePoint],
    period: Period,
    labels: Phq9Labels | None = None,
    *,
    id_prefix: str = "phq9",
) -> Chart:
    """PHQ-9 totals over the severity bands, each band shaded and named: minimal 0-4,
    mild 5-9, moderate 10-14, moderately severe 15-19, severe 20-27 (Kroenke 2001,
    facts.md s2.1 (V))."""
    lb = labels or Phq9Labels()
    chosen = sorted((s for s in scores if s.on in period), key=lambda s: s.on)
    x = np.array([(s.on - period.start).days for s in chosen], float)
    y = np.array([s.total for s in chosen], float)
    with _figure(period, lb.text) as ax:
        ax.set_ylim(0, 27)
        _y_ticks(ax, [0, 5, 10, 15, 20, 27], ["0", "5", "10", "15", "20", "27"])
        for band, fill in zip(PHQ9_BANDS, BAND_FILLS, strict=True):
            low, high = band.low, min(band.high + 1, 27)
            ax.axhspan(low, high, color=fill, linewidth=0)
            ax.text(
                0.01, (low + high) / 2, lb.band_name(band.key),
                transform=ax.get_yaxis_transform(), va="center", fontsize=7,
                color=BLACK,
            )  # fmt: skip
        ax.plot(x, y, "-o", color=BLUE, markersize=3.5, linewidth=1.4)
        svg = _svg(ax, id_prefix)
    f = phq9_figures(scores, period)
    if f.latest is None or f.first is None:
        summary = lb.summary_empty.format(days=period.days)
    else:
        words = {
            "latest": f.latest.total,
            "latest_band": lb.band_name(phq9_band(f.latest.total).key),
            "first": f.first.total,
            "first_band": lb.band_name(phq9_band(f.first.total).key),
            "count": f.count,
        }
        summary = (lb.summary if f.count > 1 else lb.summary_one).format(**words)
    rows = tuple((s.on, s.total, lb.band_name(phq9_band(s.total).key)) for s in chosen)
    return Chart(lb.title, summary, svg, (lb.date, lb.score, lb.band), rows)


def credit_chart(
    given: Sequence[Earning],
    period: Period,
    labels: CreditLabels | None = None,
    *,
    cap_cents: int | None = None,
    id_prefix: str = "credit",
) -> Chart:
    """Cumulative gift card credit (monitoring.md s7 ledger): a step up on each day
    credit is earned, counting what was earned before the period; ``cap_cents`` draws
    the program's limit. Always "gift card credit", never "cash"."""
    lb = labels or CreditLabels()
    ordered = sorted((e for e in given if e.cents > 0 and e.on <= period.end), key=lambda e: e.on)
    before = sum(e.cents for e in ordered if e.on < period.start)
    inside = [e for e in ordered if e.on >= period.start]
    totals = np.cumsum([before] + [e.cents for e in inside]) / 100
    x = np.array([-0.5] + [(e.on - period.start).days for e in inside] + [period.days - 0.5])
    y = np.append(totals, totals[-1])
    top = max(float(y.max()), (cap_cents or 0) / 100, 10.0) * 1.1
    with _figure(period, lb.text) as ax:
        ax.set_ylim(0, top)
        ticks = _money_ticks(top)
        _y_ticks(ax, ticks, [lb.currency + str(t) for t in ticks])
        if cap_cents is not None:
            ax.axhline(cap_cents / 100, color=GREY, linestyle="dashed", linewidth=0.9)
        ax.plot(x, y, drawstyle="steps-post", color=BLUE, linewidth=1.4)
        ax.plot(x[1:-1], y[1:-1], "o", color=BLUE, markersize=3, ls="none")
        keys = [_key(lb.credit, BLUE, "-", "o")]
        if cap_cents is not None:
            keys.append(_key(lb.cap, GREY, "--", "none"))
        _legend(ax, keys)
        svg = _svg(ax, id_prefix)
    f = credit_figures(given, period)
    if f.total_cents == 0:
        summary = lb.summary_empty
    else:
        summary = lb.summary.format(
            total=lb.money(f.total_cents),
            in_period=lb.money(f.in_period_cents),
            rewards=f.rewards,
            days=period.days,
        )
    running, rows = before, []
    for e in inside:
        running += e.cents
        rows.append((e.on, _dollars(e.cents), _dollars(running)))
    return Chart(lb.title, summary, svg, (lb.date, lb.earned, lb.total), tuple(rows))


# --- drawing ------------------------------------------------------------------------


class _Drawing:
    """A figure with one axes over ``period``'s days; ``with`` holds the drawing lock."""

    def __init__(self, period: Period, text: ChartText) -> None:
        self.period, self.text = period, text
        self._rc: Any = None

    def __enter__(self) -> Axes:
        _DRAWING.acquire()
        try:
            self._rc = matplotlib.rc_context(RC)
            self._rc.__enter__()
            ax = _blank_axes()
            ax.set_xlim(-0.5, self.period.days - 0.5)
            ticks = date_ticks(self.period)
            _x_ticks(
                ax,
                [(d - self.period.start).days for d in ticks],
                [self.text.tick_date(d) for d in ticks],
            )
            return ax
        except BaseException:
            self._release()
            raise

    def __exit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        if self._rc is not None:
            self._rc.__exit__(None, None, None)
            self._rc = None
        _DRAWING.release()


_AXES: list[Axes] = []  # the one figure's axes, drawn on again and again under the lock


def _blank_axes() -> Axes:
    """The reused axes with everything of the last chart removed.

    Making a new figure and axes took about a third of each chart's time (matplotlib
    builds every axis, spine and default tick); reusing one is safe because every chart
    sets its own limits before drawing and the lock keeps one chart at a time. A test
    draws the same chart before and after the others and compares the bytes.
    """
    if not _AXES:
        ax = Figure(figsize=SIZE_INCHES).add_axes(AXES_BOX)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(NullLocator())
            axis.set_minor_locator(NullLocator())
        _AXES.append(ax)
    ax = _AXES[0]
    for artist in [*ax.lines, *ax.collections, *ax.texts, *ax.patches]:
        artist.remove()
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    return ax


def _figure(period: Period, text: ChartText) -> _Drawing:
    return _Drawing(period, text)


def date_ticks(period: Period, most: int = 4) -> list[date]:
    """At most ``most`` tick dates: evenly spaced days for a short period, the first of
    every 1, 2, 3, 4, 6 or 12 months for a longer one."""
    if period.days <= 62:
        step = max(1, -(-period.days // most))
        step = 7 * -(-step // 7) if step > 4 else step
        return [period.start + timedelta(days=k) for k in range(0, period.days, step)][:most]
    for months in (1, 2, 3, 4, 6, 12):
        ticks = list(_month_starts(period, months))
        if len(ticks) <= most:
            return ticks
    return list(_month_starts(period, 12))[:most]


def _month_starts(period: Period, every: int) -> Iterator[date]:
    y, m = period.start.year, period.start.month
    if period.start.day != 1:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    while (day := date(y, m, 1)) <= period.end:
        yield day
        y, m = divmod(y * 12 + m - 1 + every, 12)
        m += 1


def _money_ticks(top: float) -> list[int]:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 4:
            return list(range(0, int(top) + 1, step))
    return [0, int(top)]


def _daily(entries: Sequence[DailyEntry], period: Period, name: str) -> np.ndarray[Any, Any]:
    """The period's days, NaN where there is no value (a gap, never zero)."""
    values = np.full(period.days, np.nan)
    for e in entries:
        value = getattr(e, name)
        if value is not None:
            values[(e.on - period.start).days] = value
    return values


def _series(
    ax: Axes, values: np.ndarray[Any, Any], colour: str, line: LineStyleType, dot: str
) -> None:
    """A line through consecutive days (NaN breaks it) and a dot on each lone day."""
    x = np.arange(values.size, dtype=float)
    ax.plot(x, values, line, color=colour, linewidth=1.3)
    have = ~np.isnan(values)
    left = np.concatenate(([False], have[:-1]))
    right = np.concatenate((have[1:], [False]))
    lone = have & ~left & ~right
    ax.plot(x[lone], values[lone], dot, color=colour, markersize=3, ls="none")


def _key(label: str, colour: str, line: LineStyleType, dot: str) -> Line2D:
    return Line2D([], [], color=colour, linestyle=line, marker=dot, markersize=4, label=label)


def _legend(ax: Axes, handles: list[Line2D]) -> None:
    ax.legend(
        handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=len(handles),
        borderaxespad=0, handlelength=1.8, columnspacing=1.2, borderpad=0,
    )  # fmt: skip


# Ticks are drawn as plain texts and one line collection per axis: matplotlib's Tick
# objects (five artists each) took about a third of the drawing time (bench/progress_charts.py).
TICK_TEXT: Final[dict[str, Any]] = {"fontsize": 8, "color": BLACK}


def _x_ticks(ax: Axes, at: list[int], names: list[str]) -> None:
    where = ax.get_xaxis_transform()
    ax.vlines(at, -0.03, 0, transform=where, colors=GREY, linewidth=0.8, clip_on=False)
    for x, name in zip(at, names, strict=True):
        ax.text(x, -0.05, name, transform=where, ha="center", va="top", **TICK_TEXT)


def _y_ticks(ax: Axes, at: list[int], names: list[str]) -> None:
    where = ax.get_yaxis_transform()
    ax.hlines(at, 0, 1, transform=where, colors="#dddddd", linewidth=0.6, zorder=0)
    for y, name in zip(at, names, strict=True):
        ax.text(-0.015, y, name, transform=where, ha="right", va="center", **TICK_TEXT)


def _dollars(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


# --- SVG for inlining -------------------------------------------------------------

SVG_NS: Final = "http://www.w3.org/2000/svg"
XLINK_NS: Final = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)
_HREF: Final = f"{{{XLINK_NS}}}href"
_URL = re.compile(r"url\(#([^)]+)\)")
# matplotlib's one stylesheet rule, ``*{stroke-linejoin: round; stroke-linecap: butt}``,
# as attributes on the root (both properties are inherited).
_ROOT_STYLE: Final = {"stroke-linejoin": "round", "stroke-linecap": "butt"}


def _svg(ax: Axes, id_prefix: str) -> str:
    buffer = io.StringIO()
    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    return inline_svg(buffer.getvalue(), id_prefix)


def inline_svg(raw: str, id_prefix: str) -> str:
    """matplotlib's SVG made fit to inline under a strict CSP (see the module docstring)."""
    root = ET.fromstring(raw)  # noqa: S314  # matplotlib's own output, no entities
    for defs in root.findall(f"{{{SVG_NS}}}defs"):
        for style in defs.findall(f"{{{SVG_NS}}}style"):
            defs.remove(style)
    referenced = set(_URL.findall(raw)) | {
        href[1:] for href in re.findall(r'xlink:href="(#[^"]+)"', raw)
    }
    for element in root.iter():
        _attributes_from_style(element)
        _rename_ids(element, referenced, id_prefix)
    for name in ("width", "height", "version"):
        root.attrib.pop(name, None)
    root.attrib.update(_ROOT_STYLE)
    root.set("width", "100%")
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    text = ET.tostring(root, encoding="unicode")
    return re.sub(r"\n\s*", "\n", text)


def _attributes_from_style(element: ET.Element) -> None:
    style = element.attrib.pop("style", None)
    if not style:
        return
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip():
            element.set(name.strip(), value.strip())


def _rename_ids(element: ET.Element, referenced: set[str], prefix: str) -> None:
    own = element.attrib.pop("id", None)
    if own is not None and own in referenced:
        element.set("id", f"{prefix}-{own}")
    href = element.get(_HREF)
    if href is not None and href.startswith("#"):
        element.set(_HREF, f"#{prefix}-{href[1:]}")
    clip = element.get("clip-path")
    if clip is not None:
        element.set("clip-path", _URL.sub(lambda m: f"url(#{prefix}-{m.group(1)})", clip))
