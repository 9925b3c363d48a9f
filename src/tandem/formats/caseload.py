"""The monitoring files of ``tandem analyze`` (``monitoring.md`` s1, s8): ``checkins.csv``,
``instruments.csv`` and ``screens.csv``, read in bulk into one ``Caseload``.

Each file is split by ``tandem.formats.table`` and its columns decoded there (numbers,
dates, labels); syntax errors name the file, the row (the header is row 1) and the column.
The domain (``tandem.domain.monitoring.rows``) then checks ranges and duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from tandem.domain.errors import InvalidFile
from tandem.domain.monitoring.panel import ANALYTES
from tandem.domain.monitoring.rows import (
    ANALYTE_NEGATIVE,
    ANALYTE_POSITIVE,
    INSTRUMENTS,
    NO_LAST_USE,
    NOT_TESTED,
    SCREEN_RESULTS,
    Caseload,
    CheckinRows,
    InstrumentRows,
    Intake,
    ScreenRows,
    Source,
    no_instruments,
    no_screens,
)
from tandem.formats.patients import PatientIntake
from tandem.formats.table import (
    CsvTable,
    Floats,
    Ints,
    dates,
    labels,
    numbers,
    read_table,
    refuse_rows,
    window,
)

CHECKIN_COLUMNS = ("patient_id", "date", "mood", "sleep_hours", "craving", "used")
CHECKIN_OPTIONAL = ("energy", "safety")
INSTRUMENT_COLUMNS = ("patient_id", "date", "instrument", "total")
SCREEN_COLUMNS = ("patient_id", "date", "result")
# ruleset-v2.md s7: optional analyte columns (panel.py), each positive, negative or
# empty (not tested).
SCREEN_OPTIONAL = ("benzoylecgonine_ng_ml", *ANALYTES)


def record_cells(
    path: Path, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[dict[str, str]], list[int]]:
    """Each record's cells by column (spaces trimmed) and its file row, for ``tandem
    import``, after the checks every reader makes of dates and ids (file, row, column)."""
    table = read_table(path, required, optional)
    dates(table, "date")
    patients(table)
    cells = [
        {c: table.text(i, table.col(c)) for c in table.columns} for i in range(table.rows.size)
    ]
    return cells, [int(r) for r in table.rows]


def patients(table: CsvTable) -> tuple[Ints, list[str]]:
    return labels(table, "patient_id")


Task = tuple[str, Callable[[], object]]


def _optional(table: CsvTable, column: str) -> Callable[[], Floats]:
    if column in table.columns:
        return partial(numbers, table, column, optional=True)
    return partial(np.full, table.rows.size, np.nan)


def _checkin_tasks(table: CsvTable) -> list[Task]:
    return [
        ("day", partial(dates, table, "date")),
        ("mood", partial(numbers, table, "mood", optional=False)),
        ("sleep_hours", partial(numbers, table, "sleep_hours", optional=False)),
        ("craving", partial(numbers, table, "craving", optional=False)),
        ("used", partial(numbers, table, "used", optional=False)),
        ("energy", _optional(table, "energy")),
        ("safety", _optional(table, "safety")),
    ]


def _item_names(table: CsvTable) -> list[str]:
    names = sorted((c for c in table.columns if c[:1] == "i" and c[1:].isdigit()),
                   key=lambda c: int(c[1:]))  # fmt: skip
    if names != [f"i{k}" for k in range(1, len(names) + 1)]:
        raise InvalidFile(table.name, 1, None, "item columns must run i1, i2, ... without gaps")
    return names


def _instrument_tasks(table: CsvTable) -> list[Task]:
    items = [
        (name, partial(numbers, table, name, optional=True, skip_dash=True))
        for name in _item_names(table)
    ]
    return [
        ("day", partial(dates, table, "date")),
        ("instrument", partial(_instrument_codes, table)),
        ("total", partial(numbers, table, "total", optional=True)),
        *items,
    ]


def _screen_tasks(table: CsvTable) -> list[Task]:
    analytes = [
        (name, partial(analyte_results, table, name)) for name in ANALYTES if name in table.columns
    ]
    return [
        ("day", partial(dates, table, "date")),
        ("result", partial(_screen_results, table)),
        ("benzoylecgonine", _optional(table, "benzoylecgonine_ng_ml")),
        *analytes,
    ]


_POSITIVE = np.frombuffer(b"positive", np.uint64)[0]
_NEGATIVE = np.frombuffer(b"negative", np.uint64)[0]


def analyte_results(table: CsvTable, column: str) -> Ints:
    """An analyte column: ``positive``, ``negative`` (any case) or empty = not tested."""
    s, e = table.cell(table.col(column))
    length = e - s
    chars = window(table.buf, s, 8) | np.uint8(0x20)  # lower case; both words are 8 letters
    word = np.ascontiguousarray(chars).view(np.uint64)[:, 0] if s.size else np.zeros(0, np.uint64)
    positive = (length == 8) & (word == _POSITIVE)
    negative = (length == 8) & (word == _NEGATIVE)
    refuse_rows(table, (length > 0) & ~positive & ~negative, column,
             "is not positive, negative or empty (not tested)")  # fmt: skip
    result: Ints = np.where(
        positive, ANALYTE_POSITIVE, np.where(negative, ANALYTE_NEGATIVE, NOT_TESTED)
    ).astype(np.int64)
    return result


def _checkin_rows(table: CsvTable, v: dict[str, Any]) -> CheckinRows:
    fields = ("day", "mood", "sleep_hours", "craving", "used", "energy", "safety")
    return CheckinRows(
        patient=v["patient"], **{f: v[f] for f in fields}, source=Source(table.name, table.rows)
    )


def _instrument_rows(table: CsvTable, v: dict[str, Any]) -> InstrumentRows:
    """Every instrument row (ruleset-v2.md s7: nothing is dropped)."""
    names = _item_names(table)
    n = v["instrument"].size
    items = np.column_stack([v[k] for k in names]) if names else np.zeros((n, 0))
    return InstrumentRows(
        patient=v["patient"],
        day=v["day"],
        instrument=v["instrument"],
        total=v["total"],
        items=items,
        source=Source(table.name, table.rows),
    )


def _screen_rows(table: CsvTable, v: dict[str, Any]) -> ScreenRows:
    analytes = None
    if any(name in table.columns for name in ANALYTES):
        n = table.rows.size
        analytes = np.column_stack(
            [v[name] if name in v else np.full(n, NOT_TESTED, np.int64) for name in ANALYTES]
        )
    return ScreenRows(
        patient=v["patient"],
        day=v["day"],
        result=v["result"],
        benzoylecgonine=v["benzoylecgonine"],
        source=Source(table.name, table.rows),
        analytes=analytes,
    )


def _instrument_codes(table: CsvTable) -> Ints:
    codes, names = labels(table, "instrument")
    canon = {_norm(n): i for i, n in enumerate(INSTRUMENTS)}
    mapped = np.empty(len(names), np.int64)
    for k, label in enumerate(names):
        if _norm(label) not in canon:
            first = int(np.flatnonzero(codes == k)[0])
            allowed = ", ".join(INSTRUMENTS)
            raise table.error(first, "instrument", f"{label!r} is not one of {allowed}")
        mapped[k] = canon[_norm(label)]
    result: Ints = mapped[codes] if codes.size else codes
    return result


def _norm(label: str) -> str:
    return label.lower().replace("-", "").replace("_", "")


def _screen_results(table: CsvTable) -> Ints:
    codes, names = labels(table, "result")
    mapped = np.empty(len(names), np.int64)
    for k, label in enumerate(names):
        if label.lower() not in SCREEN_RESULTS:
            first = int(np.flatnonzero(codes == k)[0])
            allowed = ", ".join(SCREEN_RESULTS)
            raise table.error(first, "result", f"{label!r} is not one of {allowed}")
        mapped[k] = SCREEN_RESULTS.index(label.lower())
    result: Ints = mapped[codes] if codes.size else codes
    return result


SPECS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "checkins": (CHECKIN_COLUMNS, CHECKIN_OPTIONAL),
    "instruments": (INSTRUMENT_COLUMNS, ("i*",)),
    "screens": (SCREEN_COLUMNS, SCREEN_OPTIONAL),
}
TASKS = {"checkins": _checkin_tasks, "instruments": _instrument_tasks, "screens": _screen_tasks}
ASSEMBLE = {"checkins": _checkin_rows, "instruments": _instrument_rows, "screens": _screen_rows}


def _run(task: Task) -> object:
    return task[1]()


def read_caseload(
    checkins: Path,
    instruments: Path | None = None,
    screens: Path | None = None,
    mapper: Callable[..., Iterable[Any]] = map,
    intake: Mapping[str, PatientIntake] | None = None,
) -> Caseload:
    """Read the files of ``tandem analyze`` into one ``Caseload`` (ids sorted), with
    what ``patients.csv`` says of each patient's intake when given.

    ``mapper`` (``map``, or a thread pool's) first splits the files, then decodes all
    their columns; errors are reported file by file, column by column, in that order.
    """
    jobs = [(k, p) for k, p in (("checkins", checkins), ("instruments", instruments),
                                ("screens", screens)) if p is not None]  # fmt: skip
    tables: list[CsvTable] = list(mapper(lambda job: read_table(job[1], *SPECS[job[0]]), jobs))
    tasks: list[tuple[int, Task]] = []
    for i, ((kind, _), table) in enumerate(zip(jobs, tables, strict=True)):
        tasks.append((i, ("patient", partial(patients, table))))
        tasks.extend((i, task) for task in TASKS[kind](table))
    values: list[dict[str, Any]] = [{} for _ in jobs]
    for (i, (name, _)), value in zip(tasks, mapper(_run, [t for _, t in tasks]), strict=True):
        values[i][name] = value
    ids = sorted({pid for v in values for pid in v["patient"][1]})
    position = {pid: k for k, pid in enumerate(ids)}
    built: dict[str, Any] = {}
    for (kind, _), table, v in zip(jobs, tables, values, strict=True):
        codes, names = v["patient"]
        remap = np.asarray([position[n] for n in names], np.int64)
        v["patient"] = remap[codes] if codes.size else codes
        built[kind] = ASSEMBLE[kind](table, v)
    return Caseload(
        patient_ids=tuple(ids),
        checkins=built["checkins"],
        instruments=built.get("instruments") or no_instruments(),
        screens=built.get("screens") or no_screens(),
        intake=None if intake is None else intake_of(ids, intake),
    )


def intake_of(ids: Sequence[str], intake: Mapping[str, PatientIntake]) -> Intake:
    """The intake facts of ``patients.csv`` (``tandem.formats.patients.read_patients``) for the
    caseload's patients, in its order. A patient the file does not list has nothing known
    from intake (last use unknown, no opioid prescribed); a listed patient without any
    timeline row has no result (there is nothing to monitor)."""
    none = PatientIntake(last_use=None)
    facts = [intake.get(pid, none) for pid in ids]
    last_use = np.asarray(
        [NO_LAST_USE if f.last_use is None else f.last_use.toordinal() for f in facts], np.int64
    )
    return Intake(last_use, tuple(f.prescribed_opioids for f in facts))
