"""Monitoring records, whatever their source, and the caseload built from them (issue 9).

A check-in, an instrument result, a drug screen or a group attendance is one record with
a ``RecordSource``: a file row (``checkins.csv``, row 12) or a database record
(``check-in`` 4711). ``Caseload.from_records`` (``caseload_from_records``) turns records
into the columns the monitoring core reads; it checks them with the same validator the
CSV reader's columns go through (``rows.check_caseload``), so a value the files refuse
is refused from the API, a web form or the database too, and the error names the record
and the field. Pure: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any, Literal, NamedTuple

import numpy as np

from tandem.domain.instruments import get as get_instrument
from tandem.domain.monitoring.incentives import ScreenResult
from tandem.domain.monitoring.panel import ANALYTES, NO_PANEL, Panel
from tandem.domain.monitoring.rows import (
    ANALYTE_NEGATIVE,
    ANALYTE_POSITIVE,
    INSTRUMENTS,
    NO_LAST_USE,
    NOT_TESTED,
    SCREEN_RESULTS,
    SKIPPED,
    Caseload,
    CheckinRows,
    InstrumentRows,
    Intake,
    Ints,
    ScreenRows,
    Source,
    check_caseload,
)

# The record types are NamedTuples, not frozen dataclasses: as immutable, and about twice
# as fast to build, which counts for a year of a caseload's check-ins read from the
# database (millions of records; docs/benchmarks.md, Caseload.from_records).


class RecordSource(NamedTuple):
    """Where a record came from: a file and its row, or a kind of database record and id."""

    kind: Literal["file", "record"]
    name: str  # the file name, or the record kind as a clinician says it ("check-in")
    number: int  # the file's row number, or the record's id

    @classmethod
    def file_row(cls, name: str, row: int) -> RecordSource:
        return cls("file", name, row)

    @classmethod
    def database(cls, kind: str, record_id: int) -> RecordSource:
        return cls("record", kind, record_id)


class Checkin(NamedTuple):
    """A daily check-in (monitoring.md s1); ``energy`` and ``safety`` may be unanswered."""

    patient_id: str
    on: date
    mood: float
    sleep_hours: float
    craving: float
    used: bool
    source: RecordSource
    energy: float | None = None
    safety: bool | None = None


class InstrumentResult(NamedTuple):
    """A questionnaire's answers (or its total only) on a day; ``"-"`` marks a skip."""

    patient_id: str
    on: date
    instrument: str
    source: RecordSource
    total: int | None = None
    items: tuple[int | str | None, ...] = ()


class DrugScreen(NamedTuple):
    """A urine drug screen (monitoring.md s1, ruleset-v2.md s7's panel)."""

    patient_id: str
    on: date
    result: ScreenResult
    source: RecordSource
    benzoylecgonine_ng_ml: float | None = None
    panel: Panel = NO_PANEL


class GroupAttendance(NamedTuple):
    """A scheduled group session and whether the patient attended (the clinic's record)."""

    patient_id: str
    on: date
    group: str
    attended: bool
    source: RecordSource


@dataclass(frozen=True)
class IntakeFacts:
    """What the intake knows of a patient (ruleset-v2.md s7)."""

    last_use: date | None
    prescribed_opioids: frozenset[str] = field(default_factory=frozenset)


def _source(name: str, records: Sequence[Record]) -> Source:
    """The columns' ``Source``: file rows keep their numbers; database records their ids."""
    sources = [r.source for r in records]
    kinds = {s.kind for s in sources}
    numbers = np.fromiter((s.number for s in sources), np.int64, len(sources))
    if kinds == {"file"}:
        names = {s.name for s in sources}
        label = names.pop() if len(names) == 1 else name
        return Source(label, numbers)
    return Source(name, numbers, record=True)


def _num(value: float | bool | None) -> float:
    return math.nan if value is None else float(value)


def caseload_from_records(
    checkins: Iterable[Checkin],
    instruments: Iterable[InstrumentResult] = (),
    screens: Iterable[DrugScreen] = (),
    intake: dict[str, IntakeFacts] | None = None,
) -> Caseload:
    """The caseload of these records, checked (``InvalidTimeline`` names record and field).

    Patients are numbered in sorted id order, as the CSV reader numbers them; rows keep
    the order given. Intake facts of a patient with no record are not used (nothing to
    monitor), as with ``patients.csv``.
    """
    cs, ins, ss = list(checkins), list(instruments), list(screens)
    every: list[Record] = [*cs, *ins, *ss]
    ordered = sorted({r.patient_id for r in every})
    ids = {pid: k for k, pid in enumerate(ordered)}
    caseload = Caseload(
        patient_ids=tuple(ids),
        checkins=_checkin_rows(cs, ids),
        instruments=_instrument_rows(ins, ids),
        screens=_screen_rows(ss, ids),
        intake=None if intake is None else _intake(intake, tuple(ids)),
    )
    check_caseload(caseload)
    return caseload


Record = Checkin | InstrumentResult | DrugScreen


def _patients(records: Sequence[Record], ids: dict[str, int]) -> Ints:
    return np.array([ids[r.patient_id] for r in records], np.int64)


def _days(records: Sequence[Record]) -> Ints:
    return np.array([r.on.toordinal() for r in records], np.int64)


def _checkin_rows(records: list[Checkin], ids: dict[str, int]) -> CheckinRows:
    # Column by column from the tuples; None reads as NaN and True as 1.0 (as ``_num``).
    n = len(records)

    def floats(name: str) -> np.ndarray[Any, Any]:
        return np.array(list(map(itemgetter(Checkin._fields.index(name)), records)), float)

    return CheckinRows(
        patient=np.fromiter((ids[r.patient_id] for r in records), np.int64, n),
        day=np.fromiter((r.on.toordinal() for r in records), np.int64, n),
        mood=floats("mood"),
        sleep_hours=floats("sleep_hours"),
        craving=floats("craving"),
        used=floats("used"),
        energy=floats("energy"),
        safety=floats("safety"),
        source=_source("check-in", records),
    )


def _instrument_rows(records: list[InstrumentResult], ids: dict[str, int]) -> InstrumentRows:
    source = _source("questionnaire", records)
    codes = []
    for index, r in enumerate(records):
        if r.instrument not in INSTRUMENTS:
            allowed = ", ".join(INSTRUMENTS)
            raise source.error(index, "instrument", f"{r.instrument!r} is not one of {allowed}")
        codes.append(INSTRUMENTS.index(r.instrument))
    width = max((len(get_instrument(r.instrument).items) for r in records), default=0)
    cells: list[list[float]] = []
    for row, r in enumerate(records):
        if len(r.items) > width:
            raise source.error(row, f"i{width + 1}", "more items than it has")
        given = [SKIPPED if a == "-" else _num(a) for a in r.items]  # type: ignore[arg-type]
        cells.append(given + [math.nan] * (width - len(given)))
    items = np.array(cells, float).reshape(len(records), width)
    return InstrumentRows(
        patient=_patients(records, ids),
        day=_days(records),
        instrument=np.array(codes, np.int64),
        total=np.array([_num(r.total) for r in records]),
        items=items,
        source=source,
    )


_ANALYTE_CODE = {"negative": ANALYTE_NEGATIVE, "positive": ANALYTE_POSITIVE}


def _screen_rows(records: list[DrugScreen], ids: dict[str, int]) -> ScreenRows:
    recorded = any(r.panel.recorded for r in records)
    analytes = None
    if recorded:
        analytes = np.array(
            [[_ANALYTE_CODE.get(r.panel.results.get(a, ""), NOT_TESTED) for a in ANALYTES]
             for r in records],
            np.int64,
        )  # fmt: skip
    return ScreenRows(
        patient=_patients(records, ids),
        day=_days(records),
        result=np.array([SCREEN_RESULTS.index(r.result.value) for r in records], np.int64),
        benzoylecgonine=np.array([_num(r.benzoylecgonine_ng_ml) for r in records]),
        source=_source("drug screen", records),
        analytes=analytes,
    )


def _intake(facts: dict[str, IntakeFacts], ids: tuple[str, ...]) -> Intake:
    empty = IntakeFacts(None)
    chosen = [facts.get(pid, empty) for pid in ids]
    return Intake(
        last_use=np.array(
            [NO_LAST_USE if f.last_use is None else f.last_use.toordinal() for f in chosen],
            np.int64,
        ),
        prescribed_opioids=tuple(f.prescribed_opioids for f in chosen),
    )
