"""``tandem import``: a clinic's history into the database (issue 11 "Import").

    tandem import checkins|screens|instruments|attendance FILE --clinic SLUG --by USERNAME

FILE is the CSV ``tandem analyze`` reads (``checkins.csv``, ``screens.csv``,
``instruments.csv``), read by the same readers (``tandem.formats.caseload.record_cells``,
``tandem.formats.screens.read_screens``). ``patient_id`` is the patient's record number
in the clinic. Every row goes through the import service of its kind, with the clinic's own
validators; the file is stored in one transaction (all or nothing) and audited as the
work of USERNAME, a staff member of the clinic whose role may record it. Any problem
is one line naming the file, row and column, and nothing is saved.

What the app needs that ``analyze`` does not: check-ins need ``safety`` (the app always
asks it; unknown is not "no"); questionnaires need their item answers (a total alone
cannot be scored); a screen's specimen and kind come from ``--specimen``/``--kind``.

Attendance (``attendance.csv``, a format of its own: ``analyze`` reads none) has one row
per patient and group session: ``patient_id``, ``group`` (the session's name), ``date``
(clinic-local), ``status`` (present, late, excused or unexcused), and ``time`` (HH:MM)
and ``level`` (iop, php, outpatient) where needed: a session the clinic does not have
yet is created from them, with the importing staff member as facilitator
(``services.groups.import_attendance``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import click

from tandem.cli.server import refuse_unsafe_database, setup_django

Rows = list[tuple[str, Mapping[str, Any]]]
# The CSV column of a service field, for the error's "column".
CHECKIN_COLUMNS = {"on": "date"}
SCREEN_COLUMNS = {"collected_on": "date", "status": "result", "analytes": "result"}
INSTRUMENT_COLUMNS = {"administered_on": "date", "instrument_id": "instrument"}
ATTENDANCE_COLUMNS = {"on": "date"}
ATTENDANCE_REQUIRED = ("patient_id", "group", "date", "status")
ATTENDANCE_OPTIONAL = ("time", "level")


def _checkin_rows(path: Path) -> tuple[Rows, list[int]]:
    from tandem.formats.caseload import CHECKIN_COLUMNS as REQUIRED
    from tandem.formats.caseload import CHECKIN_OPTIONAL, record_cells

    records, numbers = record_cells(path, REQUIRED, CHECKIN_OPTIONAL)
    rows: Rows = []
    for cells in records:
        fields = {c: cells.get(c, "") for c in ("mood", "sleep_hours", "craving", "used")}
        fields |= {"energy": cells.get("energy", ""), "safety": cells.get("safety", "")}
        rows.append((cells["patient_id"], {"on": cells["date"], **fields}))
    return rows, numbers


def _instrument_rows(path: Path) -> tuple[Rows, list[int]]:
    from tandem.formats.caseload import INSTRUMENT_COLUMNS as REQUIRED
    from tandem.formats.caseload import record_cells

    records, numbers = record_cells(path, REQUIRED, ("i*",))
    rows: Rows = []
    for cell in records:
        items = sorted((c for c in cell if c[:1] == "i" and c[1:].isdigit()),
                       key=lambda c: int(c[1:]))  # fmt: skip
        fields = {
            "on": cell["date"],
            "instrument": cell["instrument"],
            "total": cell["total"],
            "answers": [cell[c] for c in items],
        }
        rows.append((cell["patient_id"], fields))
    return rows, numbers


def _attendance_rows(path: Path) -> tuple[Rows, list[int]]:
    from tandem.formats.caseload import record_cells

    records, numbers = record_cells(path, ATTENDANCE_REQUIRED, ATTENDANCE_OPTIONAL)
    rows: Rows = []
    for cell in records:
        fields = {"on": cell["date"], "group": cell["group"], "status": cell["status"]}
        fields |= {c: cell.get(c, "") for c in ATTENDANCE_OPTIONAL}
        rows.append((cell["patient_id"], fields))
    return rows, numbers


def _screen_rows(path: Path, specimen: str, kind: str) -> tuple[Rows, list[int]]:
    from tandem.formats.screens import read_screens

    found = [(pid, row) for pid, rows in read_screens(path).items() for row in rows]
    found.sort(key=lambda pr: pr[1].number)
    rows: Rows = []
    for pid, row in found:
        result = row.result.value
        fields: dict[str, Any] = {
            "collected_on": row.date,
            "specimen": specimen,
            "kind": kind,
            "status": result if result in ("missed", "invalid") else "result",
            "analytes": dict(row.panel.results),
        }
        if result in ("negative", "positive") and not row.panel.results:
            fields["stimulant_result"] = result
        rows.append((pid, fields))
    return rows, [row.number for _, row in found]


KINDS = ("checkins", "screens", "instruments", "attendance")


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--clinic", required=True, help="the clinic's slug")
@click.option("--by", "username", required=True, help="the staff member importing (username)")
@click.option("--specimen", default="urine", show_default=True, help="screens: urine or oral_fluid")
@click.option(
    "--kind", "screen_kind", default="point_of_care", show_default=True,
    help="screens: point_of_care or lab",
)  # fmt: skip
def import_(
    kind: str, file: Path, clinic: str, username: str, specimen: str, screen_kind: str
) -> None:
    """Load a CSV of past check-ins, screens, questionnaires or group attendance into a
    clinic, all or nothing; prints how many records were stored.

    Attendance columns: patient_id, group, date, status (present, late, excused or
    unexcused), and time (HH:MM) and level (iop, php, outpatient) when the session is
    not in the clinic yet: the import then creates it, facilitated by --by."""
    from tandem.domain.errors import InvalidTimeline

    readers: dict[str, Callable[[], tuple[Rows, list[int]]]] = {
        "checkins": lambda: _checkin_rows(file),
        "instruments": lambda: _instrument_rows(file),
        "screens": lambda: _screen_rows(file, specimen, screen_kind),
        "attendance": lambda: _attendance_rows(file),
    }
    try:
        rows, numbers = readers[kind]()
    except InvalidTimeline as exc:
        _stop(str(exc))
    setup_django()
    refuse_unsafe_database()
    stored = _import(kind, file.name, clinic, username, rows, numbers)
    click.echo(f"{file.name}: {stored} {kind} stored in {clinic}")


def _import(kind: str, name: str, slug: str, username: str, rows: Rows, numbers: list[int]) -> int:
    from tandem.domain.errors import InvalidFile
    from tandem.services import checkins, groups, intake, screens
    from tandem.services.errors import ServiceError
    from tandem.services.imports import RowRefused, importer

    try:
        actor, clinic = importer(slug, username)
    except ServiceError as error:
        _stop(error.message)
    services: dict[str, tuple[Callable[..., list[Any]], Mapping[str, str]]] = {
        "checkins": (checkins.import_checkins, CHECKIN_COLUMNS),
        "screens": (screens.import_screens, SCREEN_COLUMNS),
        "instruments": (intake.import_administrations, INSTRUMENT_COLUMNS),
        "attendance": (groups.import_attendance, ATTENDANCE_COLUMNS),
    }
    service = services[kind]
    try:
        return len(service[0](actor, clinic, rows))
    except RowRefused as refused:
        column = _column(refused.field or "", service[1])
        _stop(str(InvalidFile(name, numbers[refused.row], column, refused.detail)))
    except ServiceError as error:
        _stop(f"{name}: {error.message}")


def _column(field: str, columns: Mapping[str, str]) -> str:
    """The CSV column of a service field: ``answers[3]`` is ``i4``, ``analytes.x`` is x."""
    if field.startswith("answers[") and field.endswith("]"):
        return f"i{int(field[8:-1]) + 1}"
    if field.startswith("analytes."):
        return field.removeprefix("analytes.")
    return columns.get(field, field)


def _stop(message: str) -> NoReturn:
    click.echo(f"tandem: {message}; nothing was saved", err=True)
    sys.exit(2)
