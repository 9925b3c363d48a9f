"""``patients.csv``: what the monitoring commands know of each patient from intake.

ruleset-v2.md s7: ``tandem analyze --patients patients.csv`` with ``patient_id,last_use``
lets abstinence known from intake count (the days from the day after ``last_use`` up to
the first check-in are days without use). Optional columns, both read by ``analyze``
and ``cm``:

- ``substance``: ``cocaine`` (the default when empty), ``amphetamine_type`` or
  ``other_stimulant`` (as in the intake case): the patient's own stimulant, which a screen
  must test for its negative to earn a reward (ruleset-v2.md s7);
- ``prescribed_opioids``: analytes of the screen panel (``domain/monitoring/panel.py``)
  separated by ``;`` that the patient is prescribed; a positive for them raises no
  ``overdose_risk`` (fentanyl always does).

``last_use`` may be empty (unknown). Bad input: ``InvalidFile`` naming file, row and
column, quoting only the offending cell. Must not import Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tandem.domain.formulation.case import SUBSTANCES
from tandem.domain.monitoring.panel import OPIOID_ANALYTES
from tandem.formats.dates import iso_date
from tandem.formats.rows import Place, csv_rows

REQUIRED = ("patient_id", "last_use")
OPTIONAL = ("substance", "prescribed_opioids")


@dataclass(frozen=True)
class PatientIntake:
    """One patient's row: last use (None when unknown), own stimulant, prescribed opioids."""

    last_use: date | None
    substance: str = "cocaine"
    prescribed_opioids: frozenset[str] = frozenset()


def read_patients(path: Path) -> dict[str, PatientIntake]:
    """Each patient's intake facts, by patient id (a patient listed twice is refused)."""
    patients: dict[str, PatientIntake] = {}
    for _number, cells, where in csv_rows(path, REQUIRED, OPTIONAL):
        patient = cells["patient_id"]
        if patient in patients:
            raise where.error("patient_id", f"{patient!r} is listed twice")
        patients[patient] = PatientIntake(
            last_use=_last_use(cells["last_use"], where),
            substance=_substance(cells.get("substance", ""), where),
            prescribed_opioids=_opioids(cells.get("prescribed_opioids", ""), where),
        )
    return patients


def _last_use(text: str, where: Place) -> date | None:
    if not text:
        return None
    try:
        return iso_date(text)
    except ValueError:
        raise where.error(
            "last_use", f"{text!r} is not a date; use YYYY-MM-DD, or leave it empty when unknown"
        ) from None


def _substance(text: str, where: Place) -> str:
    if not text:
        return "cocaine"
    if text not in SUBSTANCES:
        raise where.error("substance", f"{text!r} is not one of {', '.join(SUBSTANCES)}")
    return text


def _opioids(text: str, where: Place) -> frozenset[str]:
    names = frozenset(name.strip() for name in text.split(";") if name.strip())
    unknown = sorted(names - set(OPIOID_ANALYTES))
    if unknown:
        raise where.error(
            "prescribed_opioids",
            f"{unknown[0]!r} is not one of {', '.join(OPIOID_ANALYTES)} "
            "(separate several with ';')",
        )
    return names
