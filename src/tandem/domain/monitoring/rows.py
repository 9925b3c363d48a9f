"""The timeline rows of ``monitoring.md`` s1, as columns, checked against their contract.

A caller (the CLI reading CSV files, the app reading its tables) hands the monitoring
core one ``Caseload``: check-ins, instrument scores and urine drug screens as NumPy
columns, each with the ``Source`` it came from so that an error names the file, row and
column. Days are proleptic ordinals (``date.toordinal()``), as in ``abstinence``.

``check_caseload`` enforces the contract and raises ``InvalidTimeline`` on the first
breach it finds, column by column; it never repairs or guesses a value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from tandem.domain.errors import InvalidFile, InvalidRecord, InvalidTimeline
from tandem.domain.instruments import REGISTRY as INSTRUMENT_LIBRARY
from tandem.domain.instruments import Instrument
from tandem.domain.instruments import get as get_instrument
from tandem.domain.instruments.batch import NO_OVERRIDE, OTHER, SKIP, RowSource, score_codes
from tandem.domain.instruments.model import Tiers
from tandem.domain.monitoring.incentives import ScreenResult
from tandem.domain.monitoring.panel import ANALYTES, OPIOID_ANALYTES

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

# Every instrument of the library (ids as in instruments.md), the four with figures of
# their own first: ruleset-v2.md s7 "All instruments": each row is validated and nothing
# is dropped. Items, ranges, totals, skip rules and C-SSRS tiers are the library's.
_FIRST: Final = ("phq9", "gad7", "pcl5", "cssrs")
INSTRUMENTS: Final = (*_FIRST, *(i for i in INSTRUMENT_LIBRARY if i not in _FIRST))
PHQ9, GAD7, PCL5, CSSRS = range(4)
QIDS: Final = INSTRUMENTS.index("qids_sr16")
# Instruments with a total: each gets a course of its own (mbc.py).
TOTALLED: Final = tuple(i for i in INSTRUMENTS if get_instrument(i).total is not None)
# An item cell given as '-' (skipped), told apart from an empty cell (NaN).
SKIPPED: Final = -np.inf


def _tier_names() -> tuple[str, ...]:
    """C-SSRS risk tiers lowest first, from the library (instruments.md, facts.md s2.4)."""
    tiers = get_instrument("cssrs").bands
    assert isinstance(tiers, Tiers)
    return (tiers.otherwise, *(t.key for t in reversed(tiers.tiers)))


CSSRS_TIERS: Final = _tier_names()  # ("none", "low", "moderate", "high")

# ruleset-v2.md s7: during treatment a C-SSRS counts past-month ideation (Q1-Q5) and
# behaviour within the past 3 months (Q6 = 2); lifetime behaviour more than 3 months ago
# (Q6 = 1, known since intake) gives no signal by itself (facts.md s2.4, s12.2: follow-up
# screens ask "since last visit"). The library's Q6 answer tells the two apart.
LIFETIME_ONLY_ANSWERS: Final = ((6, 1),)
INTENT_OR_PLAN_ITEMS: Final = (4, 5)  # s7 emergency evaluation: Q4 or Q5 yes
RECENT_BEHAVIOUR: Final = (6, 2)  # Q6 yes, within the past 3 months


def in_treatment_tier(items: Floats) -> Floats:
    """C-SSRS rows (items i1-i6) -> tier index (``CSSRS_TIERS``) during treatment.

    The library's triage tiers with the lifetime-only answer left out (ruleset-v2.md s7):
    a screen whose only positive answer is Q6 "more than 3 months ago" is ``none``.
    """
    tiers = get_instrument("cssrs").bands
    assert isinstance(tiers, Tiers)
    out = np.zeros(items.shape[0])
    for tier in reversed(tiers.tiers):  # lowest first, so higher tiers overwrite
        hit = np.zeros(items.shape[0], bool)
        for item, value in tier.any_of:
            if (item, value) not in LIFETIME_ONLY_ANSWERS:
                hit |= items[:, item - 1] == value
        out[hit] = CSSRS_TIERS.index(tier.key)
    return out


# Urine drug screen results, monitoring.md s1: one vocabulary, ``ScreenResult`` (issue 9).
SCREEN_RESULTS: Final = tuple(result.value for result in ScreenResult)
NEGATIVE, POSITIVE, INVALID, MISSED = range(4)


@dataclass(frozen=True)
class Source:
    """Where rows came from: a name for messages and each row's number, a file's row
    or, with ``record``, a database record's id (``check-in 4711, field mood``)."""

    name: str
    rows: Ints
    record: bool = False

    def error(self, index: int, column: str, problem: str) -> InvalidTimeline:
        """The error for row ``index``'s ``column``: an ``InvalidFile`` naming the file's
        row, or an ``InvalidRecord`` naming the record's id and field."""
        number = int(self.rows[index])
        if self.record:
            return InvalidRecord(self.name, number, column, problem)
        return InvalidFile(self.name, number, column, problem)

    def subset(self, index: Ints) -> Source:
        """The source of the rows ``index`` picks, in that order."""
        return replace(self, rows=self.rows[index])


@dataclass(frozen=True)
class CheckinRows:
    """Daily check-ins (s1): at most one per patient per day; NaN marks an empty cell."""

    patient: Ints
    day: Ints
    mood: Floats
    sleep_hours: Floats
    craving: Floats
    used: Floats
    energy: Floats
    safety: Floats
    source: Source


@dataclass(frozen=True)
class InstrumentRows:
    """Instrument scores (s1): ``instrument`` indexes ``INSTRUMENTS``; items in order."""

    patient: Ints
    day: Ints
    instrument: Ints
    total: Floats
    items: Floats  # shape (rows, item columns); NaN for empty, SKIPPED for '-'
    source: Source


# A screen's analyte cells (ruleset-v2.md s7, ``panel.ANALYTES`` in order).
NOT_TESTED, ANALYTE_NEGATIVE, ANALYTE_POSITIVE = -1, 0, 1


@dataclass(frozen=True)
class ScreenRows:
    """Urine drug screens (s1): ``result`` indexes ``SCREEN_RESULTS``.

    ``analytes`` (optional, ruleset-v2.md s7): one column per ``panel.ANALYTES``, each
    ``NOT_TESTED``, ``ANALYTE_NEGATIVE`` or ``ANALYTE_POSITIVE``; ``None`` when no panel
    was recorded at all.
    """

    patient: Ints
    day: Ints
    result: Ints
    benzoylecgonine: Floats
    source: Source
    analytes: Ints | None = None


NO_LAST_USE: Final = -1  # Intake.last_use of a patient whose last use is unknown


@dataclass(frozen=True)
class Intake:
    """What the intake knows of each patient (ruleset-v2.md s7), by patient index.

    ``last_use``: the proleptic ordinal of the intake's last use, ``NO_LAST_USE`` when
    unknown; ``prescribed_opioids``: the panel analytes the patient is prescribed.
    """

    last_use: Ints
    prescribed_opioids: tuple[frozenset[str], ...]


def no_intake(patients: int) -> Intake:
    return Intake(np.full(patients, NO_LAST_USE, np.int64), (frozenset(),) * patients)


@dataclass(frozen=True)
class Caseload:
    """Everything the monitoring core reads; ``patient`` columns index ``patient_ids``."""

    patient_ids: tuple[str, ...]
    checkins: CheckinRows
    instruments: InstrumentRows
    screens: ScreenRows
    intake: Intake | None = None  # None: nothing known from intake

    def intake_or_empty(self) -> Intake:
        return self.intake or no_intake(len(self.patient_ids))


def empty_source(name: str) -> Source:
    return Source(name, np.zeros(0, np.int64))


def no_instruments(name: str = "instruments", item_columns: int = 0) -> InstrumentRows:
    z = np.zeros(0, np.int64)
    return InstrumentRows(z, z, z, np.zeros(0), np.zeros((0, item_columns)), empty_source(name))


def no_screens(name: str = "screens") -> ScreenRows:
    z = np.zeros(0, np.int64)
    return ScreenRows(z, z, z, np.zeros(0), empty_source(name))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _first(bad: Bools) -> int | None:
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def check_range(
    values: Floats, low: float, high: float, column: str, source: Source, *, optional: bool
) -> None:
    """Raise on the first value outside [low, high] (or empty when not ``optional``)."""
    missing = np.isnan(values)
    index = _first(missing & (not optional))
    if index is not None:
        raise source.error(index, column, "is empty; a value is required")
    index = _first(~missing & ((values < low) | (values > high)))
    if index is not None:
        text = f"{_number(values[index])} is not between {_number(low)} and {_number(high)}"
        raise source.error(index, column, text)


def check_choice(
    values: Floats, allowed: tuple[float, ...], column: str, source: Source, *, optional: bool
) -> None:
    """Raise on the first value not in ``allowed`` (or empty when not ``optional``)."""
    missing = np.isnan(values)
    index = _first(missing & (not optional))
    if index is not None:
        raise source.error(index, column, "is empty; a value is required")
    index = _first(~missing & ~np.isin(values, allowed))
    if index is not None:
        choices = " or ".join(_number(a) for a in allowed)
        text = f"{_number(values[index])} is not {choices}"
        raise source.error(index, column, text)


def check_checkins(rows: CheckinRows) -> None:
    """Ranges of monitoring.md s1: mood, craving, energy 0-10; sleep 0-24; used, safety 0/1."""
    src = rows.source
    check_range(rows.mood, 0, 10, "mood", src, optional=False)
    check_range(rows.sleep_hours, 0, 24, "sleep_hours", src, optional=False)
    check_range(rows.craving, 0, 10, "craving", src, optional=False)
    check_choice(rows.used, (0.0, 1.0), "used", src, optional=False)
    check_range(rows.energy, 0, 10, "energy", src, optional=True)
    check_choice(rows.safety, (0.0, 1.0), "safety", src, optional=True)


def check_screens(rows: ScreenRows) -> None:
    """Benzoylecgonine, when given, is a concentration in ng/mL (>= 0); analyte cells
    are not tested, negative or positive."""
    index = _first(rows.benzoylecgonine < 0)
    if index is not None:
        below = f"{_number(rows.benzoylecgonine[index])} is below 0"
        raise rows.source.error(index, "benzoylecgonine_ng_ml", below)
    if rows.analytes is None:
        return
    bad = (rows.analytes < NOT_TESTED) | (rows.analytes > ANALYTE_POSITIVE)
    index = _first(np.asarray(bad.any(axis=1), bool))
    if index is not None:
        column = ANALYTES[int(np.argmax(bad[index]))]
        raise rows.source.error(index, column, "not a result code")


def check_intake(caseload: Caseload) -> None:
    """One intake entry per patient, prescribed opioids among the panel's analytes."""
    if caseload.intake is None:
        return
    n = len(caseload.patient_ids)
    intake = caseload.intake
    if intake.last_use.size != n or len(intake.prescribed_opioids) != n:
        raise InvalidTimeline("intake: one entry per patient is required")
    for pid, names in zip(caseload.patient_ids, intake.prescribed_opioids, strict=True):
        if not names <= set(OPIOID_ANALYTES):
            raise InvalidTimeline(f"intake: patient {pid}: not opioids of the panel")


def check_duplicates(patient: Ints, day: Ints, source: Source, what: str) -> None:
    """At most one row per patient per day (s1 for check-ins); names the second row.

    Files sorted by patient and date pass in one comparison; others are sorted first.
    """
    if patient.size < 2:
        return
    key = patient * (1 << 22) + day  # ordinals stay below 2**22 up to the year 9999
    if bool(np.all(key[1:] > key[:-1])):
        return
    ordered = np.sort(key)
    if not bool((ordered[1:] == ordered[:-1]).any()):
        return
    order = np.lexsort((np.arange(patient.size), key))
    same = key[order][1:] == key[order][:-1]
    seconds, firsts = order[1:][same], order[:-1][same]
    k = int(np.argmin(seconds))
    second, first = int(seconds[k]), int(firsts[k])
    when = date.fromordinal(int(day[second])).isoformat()
    raise source.error(
        second,
        "date",
        f"a second {what} for this patient on {when} "
        f"(the first is row {int(source.rows[first])}); at most one is allowed",
    )


@dataclass(frozen=True)
class ScoredInstruments:
    """Per instrument row, what the monitoring core reads (NaN where not applicable).

    ``total``: the given total or the library's total of the items (NaN for C-SSRS);
    ``phq9_item9``: PHQ-9 item 9, NaN (unknown, never 0) when the row gives a total only;
    ``qids_item12``: QIDS-SR16 item 12 (thoughts of death or suicide), likewise;
    ``cssrs_tier``: index into ``CSSRS_TIERS`` (the library's triage tier);
    ``cssrs_signal_tier``: the tier during treatment (``in_treatment_tier``);
    ``cssrs_intent_or_plan``: 1.0 when Q4 or Q5 is yes, else 0.0;
    ``cssrs_recent_behaviour``: 1.0 when Q6 is yes within the past 3 months, else 0.0.
    """

    total: Floats
    phq9_item9: Floats
    cssrs_tier: Floats
    qids_item12: Floats
    cssrs_signal_tier: Floats
    cssrs_intent_or_plan: Floats
    cssrs_recent_behaviour: Floats


def check_caseload(caseload: Caseload) -> ScoredInstruments:
    """Enforce the whole contract of ``monitoring.md`` s1 (raises ``InvalidTimeline``);
    returns the instrument rows as scored by the instrument library."""
    ci = caseload.checkins
    check_checkins(ci)
    check_duplicates(ci.patient, ci.day, ci.source, "check-in")
    scored = check_instruments(caseload.instruments)
    check_screens(caseload.screens)
    check_intake(caseload)
    return scored


def check_instruments(rows: InstrumentRows) -> ScoredInstruments:
    """Items through the instrument library; a given total must equal the scored total.

    instruments.md: a missing scored item means not scorable, and ``-`` is allowed only
    where the instrument's branching allows it. So a row gives either all scored items
    or none (a total only; then item 9 of a PHQ-9 is unknown). Item columns beyond the
    instrument's items must be empty. C-SSRS rows give items i1-i6 and no total.
    A duplicate score of one instrument on one day is refused: which one counts would be
    a guess (the program's rule; monitoring.md s1 only rules on check-ins).
    """
    unknown = _first((rows.instrument < 0) | (rows.instrument >= len(INSTRUMENTS)))
    if unknown is not None:
        raise rows.source.error(
            unknown, "instrument", f"not an instrument of the library ({', '.join(INSTRUMENTS)})"
        )
    key = rows.patient * len(INSTRUMENTS) + rows.instrument
    check_duplicates(key, rows.day, rows.source, "score of the same instrument")
    n = rows.patient.size
    out = ScoredInstruments(*(np.full(n, np.nan) for _ in range(7)))
    for code, name in enumerate(INSTRUMENTS):
        mine = np.flatnonzero(rows.instrument == code)
        if mine.size:
            _check_instrument(rows, mine, get_instrument(name), out)
    return out


def _check_instrument(
    rows: InstrumentRows, mine: Ints, instrument: Instrument, out: ScoredInstruments
) -> None:
    count = instrument.item_count
    items = _item_matrix(rows, mine, count)
    _check_no_extra_items(rows, mine, count)
    given = np.asarray(~np.isnan(items).all(axis=1) | (instrument.total is None), bool)
    _check_all_or_none(rows, mine[given], items[given], instrument)
    scores = _score(rows, mine[given], items[given], instrument)
    if instrument.total is None:  # the C-SSRS screen: a tier, no total
        _check_no_total(rows, mine)
        lookup = np.array([CSSRS_TIERS.index(key) for key in instrument.band_keys], float)
        out.cssrs_tier[mine] = lookup[scores.band.astype(np.int64)]
        out.cssrs_signal_tier[mine] = in_treatment_tier(items)
        intent = np.zeros(mine.size, bool)
        for item in INTENT_OR_PLAN_ITEMS:
            intent |= items[:, item - 1] == 1
        out.cssrs_intent_or_plan[mine] = intent
        item, value = RECENT_BEHAVIOUR
        out.cssrs_recent_behaviour[mine] = items[:, item - 1] == value
        return
    total = rows.total[mine]
    scored = scores.total.astype(np.float64)
    _check_totals(rows, mine, given, total, scored, instrument)
    out.total[mine] = np.where(given, _spread(given, scored), total)
    if instrument.id == "phq9":
        out.phq9_item9[mine[given]] = items[given, 8]
    if instrument.id == "qids_sr16":
        out.qids_item12[mine[given]] = items[given, 11]


def _spread(given: Bools, values: Floats) -> Floats:
    full = np.full(given.size, np.nan)
    full[given] = values
    return full


def _item_matrix(rows: InstrumentRows, mine: Ints, count: int) -> Floats:
    """The instrument's item columns of its rows, NaN where the file has fewer columns."""
    width = min(count, rows.items.shape[1])
    items = np.full((mine.size, count), np.nan)
    items[:, :width] = rows.items[mine, :width]
    return items


def _check_no_extra_items(rows: InstrumentRows, mine: Ints, count: int) -> None:
    extra = rows.items[mine, count:]
    bad = ~np.isnan(extra)
    index = _first(np.asarray(bad.any(axis=1), bool))
    if index is not None:
        column = count + 1 + int(np.argmax(bad[index]))
        name = INSTRUMENTS[int(rows.instrument[mine[index]])]
        problem = f"must be empty; {name} has {count} items"
        raise rows.source.error(int(mine[index]), f"i{column}", problem)


def _check_all_or_none(
    rows: InstrumentRows, sel: Ints, items: Floats, instrument: Instrument
) -> None:
    """An empty scored item in a row that gives items: not scorable (instruments.md).

    An item the form may skip (C-SSRS q3-q5) counts an empty cell as skipped; the
    library then decides whether the skip is allowed.
    """
    for item in instrument.items:
        if item.optional or item.skip is not None:
            continue
        index = _first(np.isnan(items[:, item.number - 1]))
        if index is not None:
            problem = f"is empty; a {instrument.id} row gives all scored items or none"
            raise rows.source.error(int(sel[index]), f"i{item.number}", problem)


def _score(rows: InstrumentRows, sel: Ints, items: Floats, instrument: Instrument) -> Any:
    """Score with the library's vectorised engine; raise the first row's error."""
    codes = np.where(
        np.isnan(items) | (items == SKIPPED),
        SKIP,
        np.where((items >= 0) & (items <= 9) & (items == np.round(items)), items, OTHER),
    ).astype(np.int8)

    def answers(r: int) -> list[Any]:
        return [_answer(v) for v in items[r].tolist()]

    scores = score_codes(
        instrument,
        codes,
        np.full(sel.size, NO_OVERRIDE, np.int8),
        0,
        RowSource(answers, lambda r: None),
    )
    if scores.errors:
        r = min(scores.errors)
        item, problem = scores.located.get(r, (None, scores.errors[r]))
        column = "items" if item is None else f"i{item}"
        raise rows.source.error(int(sel[r]), column, problem)
    return scores


def _answer(value: float) -> int | str | None:
    if np.isnan(value) or value == SKIPPED:
        return "-"
    return int(value) if float(value).is_integer() else _number(value)


def _check_no_total(rows: InstrumentRows, mine: Ints) -> None:
    index = _first(~np.isnan(rows.total[mine]))
    if index is not None:
        problem = "must be empty for cssrs (the screen has no total)"
        raise rows.source.error(int(mine[index]), "total", problem)


def _check_totals(
    rows: InstrumentRows,
    mine: Ints,
    given: Bools,
    total: Floats,
    scored: Floats,
    instrument: Instrument,
) -> None:
    """A total is required without items, in the library's range, and equal to the
    library's total of the items when both are given."""
    assert instrument.total is not None
    name = instrument.id
    index = _first(~given & np.isnan(total))
    if index is not None:
        problem = f"is empty and the {name} items are not given"
        raise rows.source.error(int(mine[index]), "total", problem)
    src = rows.source.subset(mine)
    check_range(total, 0, instrument.total.maximum, "total", src, optional=True)
    _check_integers(total, "total", src)
    full = _spread(given, scored)
    index = _first(given & ~np.isnan(total) & (total != full))
    if index is not None:
        text = f"{_number(total[index])} is not the sum of the {name} items"
        raise src.error(index, "total", f"{text} ({_number(full[index])})")


def _check_integers(values: Floats, column: str, source: Source) -> None:
    index = _first(~np.isnan(values) & (values != np.round(values)))
    if index is not None:
        raise source.error(index, column, f"{_number(values[index])} is not a whole number")
