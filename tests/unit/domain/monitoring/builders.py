"""Small timelines for the monitoring tests, written as day-indexed lists.

Day 0 is ``START``; a ``None`` mood means no check-in that day. Each helper builds a
``Caseload`` the way the CLI reader would, so the tests exercise the public path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from tandem.domain.monitoring.analysis import GroupAnalysis, analyze_caseload
from tandem.domain.monitoring.panel import ANALYTES
from tandem.domain.monitoring.report import patient_reports
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
)
from tandem.domain.monitoring.thresholds import MonitoringSettings

START = date(2026, 1, 1)


def day(n: int) -> date:
    return START + timedelta(days=n)


def iso(n: int) -> str:
    return day(n).isoformat()


@dataclass
class Patient:
    """One patient's timeline; lists are indexed by day number from ``START``."""

    mood: Sequence[float | None] = ()
    used: Sequence[int] = ()  # days with used = 1
    sleep: Sequence[float] | None = None
    craving: Sequence[float] | None = None
    safety: Sequence[int] = ()  # days with safety = 1
    scores: Mapping[tuple[str, int], Any] = field(default_factory=dict)  # (instrument, day)
    screens: Sequence[tuple[int, str]] = ()  # (day, result)
    levels: Mapping[int, float] = field(default_factory=dict)  # screen day -> BE ng/mL
    # screen day -> {analyte: "positive" | "negative"} (ruleset-v2.md s7 panel)
    panels: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    last_use: int | None = None  # the intake's last use, a day number (may be < 0)
    prescribed: frozenset[str] = frozenset()  # opioids the patient is prescribed


def _checkins(patients: Mapping[str, Patient], ids: list[str]) -> CheckinRows:
    cols: dict[str, list[float]] = {k: [] for k in ("p", "d", "m", "s", "c", "u", "e", "f")}
    for pid, pt in patients.items():
        for t, mood in enumerate(pt.mood):
            if mood is None:
                continue
            cols["p"].append(ids.index(pid))
            cols["d"].append(day(t).toordinal())
            cols["m"].append(mood)
            cols["s"].append(7.0 if pt.sleep is None else pt.sleep[t])
            cols["c"].append(3.0 if pt.craving is None else pt.craving[t])
            cols["u"].append(1.0 if t in pt.used else 0.0)
            cols["e"].append(np.nan)
            cols["f"].append(1.0 if t in pt.safety else 0.0)
    n = len(cols["p"])
    a = {k: np.asarray(v, float) for k, v in cols.items()}
    return CheckinRows(
        patient=a["p"].astype(np.int64),
        day=a["d"].astype(np.int64),
        mood=a["m"],
        sleep_hours=a["s"],
        craving=a["c"],
        used=a["u"],
        energy=a["e"],
        safety=a["f"],
        source=Source("checkins.csv", np.arange(2, n + 2, dtype=np.int64)),
    )


def phq9_items(total: int, item9: int) -> list[float]:
    """PHQ-9 items 1-9 adding up to ``total`` with the given item 9 (items 1-8 filled
    with 3s first)."""
    rest = total - item9
    first = [float(min(3, max(0, rest - 3 * k))) for k in range(8)]
    assert sum(first) == rest, "total too high for item 9"
    return [*first, float(item9)]


def _instruments(patients: Mapping[str, Patient], ids: list[str]) -> InstrumentRows:
    p, d, code, total, items = [], [], [], [], []
    for pid, pt in patients.items():
        for (name, t), value in pt.scores.items():
            p.append(ids.index(pid))
            d.append(day(t).toordinal())
            code.append(INSTRUMENTS.index(name))
            row = [np.nan] * 20
            if name == "cssrs":
                total.append(np.nan)
                row[:6] = [np.nan if v is None else v for v in value]
            elif isinstance(value, tuple):  # (total, item 9): every item, as the file must
                total.append(value[0])
                row[:9] = phq9_items(value[0], value[1])
            elif isinstance(value, list):  # every item, no total
                total.append(np.nan)
                row[: len(value)] = value
            else:
                total.append(value)
            items.append(row)
    n = len(p)
    return InstrumentRows(
        patient=np.asarray(p, np.int64),
        day=np.asarray(d, np.int64),
        instrument=np.asarray(code, np.int64),
        total=np.asarray(total, float),
        items=np.asarray(items, float).reshape(n, 20),
        source=Source("instruments.csv", np.arange(2, n + 2, dtype=np.int64)),
    )


def _screens(patients: Mapping[str, Patient], ids: list[str]) -> ScreenRows:
    p, d, r, lv, panel = [], [], [], [], []
    codes = {"positive": ANALYTE_POSITIVE, "negative": ANALYTE_NEGATIVE}
    for pid, pt in patients.items():
        for t, result in pt.screens:
            p.append(ids.index(pid))
            d.append(day(t).toordinal())
            r.append(SCREEN_RESULTS.index(result))
            lv.append(pt.levels.get(t, np.nan))
            given = pt.panels.get(t, {})
            panel.append([codes[given[a]] if a in given else NOT_TESTED for a in ANALYTES])
    n = len(p)
    any_panel = any(pt.panels for pt in patients.values())
    return ScreenRows(
        patient=np.asarray(p, np.int64),
        day=np.asarray(d, np.int64),
        result=np.asarray(r, np.int64),
        benzoylecgonine=np.asarray(lv, float),
        source=Source("screens.csv", np.arange(2, n + 2, dtype=np.int64)),
        analytes=np.asarray(panel, np.int64).reshape(n, len(ANALYTES)) if any_panel else None,
    )


def _intake(patients: Mapping[str, Patient], ids: list[str]) -> Intake | None:
    if all(pt.last_use is None and not pt.prescribed for pt in patients.values()):
        return None
    days = [patients[i].last_use for i in ids]
    last = [NO_LAST_USE if t is None else day(t).toordinal() for t in days]
    return Intake(np.asarray(last, np.int64), tuple(patients[i].prescribed for i in ids))


def caseload(patients: Mapping[str, Patient]) -> Caseload:
    ids = sorted(patients)
    return Caseload(
        tuple(ids),
        _checkins(patients, ids),
        _instruments(patients, ids),
        _screens(patients, ids),
        _intake(patients, ids),
    )


def analyse(
    patients: Mapping[str, Patient], today: int, settings: MonitoringSettings | None = None
) -> GroupAnalysis:
    """The analysis of a caseload that fits in one group (all the tests' caseloads do)."""
    groups = list(analyze_caseload(caseload(patients), day(today), settings))
    assert len(groups) == 1
    return groups[0]


def report(
    patients: Mapping[str, Patient], today: int, settings: MonitoringSettings | None = None
) -> dict[str, Any]:
    cl = caseload(patients)
    out: dict[str, Any] = {}
    for group in analyze_caseload(cl, day(today), settings):
        out.update(patient_reports(group, cl.patient_ids))
    return out


def one(patient: Patient, today: int, settings: MonitoringSettings | None = None) -> Any:
    """The report of a single patient ``"A"``."""
    return report({"A": patient}, today, settings)["A"]


def alert_days(result: dict[str, Any], kind: str) -> list[str]:
    return [a["date"] for a in result["alerts"] if a["kind"] == kind]
