"""Bringing a clinic's history in (issue 11 "Import"): what the import paths share.

``tandem import checkins|screens|instruments|attendance FILE --clinic SLUG --by USERNAME``
hands each file's rows to one import service (``checkins.import_checkins``,
``screens.import_screens``, ``intake.import_administrations``,
``groups.import_attendance``), which checks every row
with the validator the clinic's own forms use and stores the file in one transaction:
all or nothing.

- Rows are ``(patient record number, fields)``; a refused row raises ``RowRefused``
  carrying the row's index in the rows given and the field, as attributes (issue 9
  item 7): the command turns them into "file, row, column".
- A patient is named by their record number (``Patient.pk``) and must belong to the
  clinic being imported into and be visible to the staff member importing; any other
  number is refused as "no patient N in this clinic" (a record of another clinic and
  a missing one look the same).
- Audit: one event per stored record under the recording action (``checkin.record``,
  ``screen.record``, ``administration.record``), as when it is entered by hand, so each
  record can be traced to who brought it; plus one ``<kind>.import`` event per file
  listing the patients, which is what says "these came by import" (the check-in and
  questionnaire tables have no ``import`` source without a migration).
"""

from __future__ import annotations

from collections.abc import Iterable

from tandem.services.access import access_patient
from tandem.services.actors import Actor
from tandem.services.errors import NotFound, ValidationFailed
from tandem.storage.models import Organization, Patient, StaffMember


class RowRefused(ValidationFailed):
    """One row of an import refused; nothing of the file was saved.

    ``row``: the row's index in the rows given (0 = first); ``field``: the service's
    field name (``mood``, ``analytes.fentanyl``, ``answers[3]``); ``detail``: what is
    wrong and what is allowed, without the field's name."""

    def __init__(self, row: int, field: str, detail: str) -> None:
        super().__init__(f"row {row}: {field}: {detail}", field)
        self.row = row
        self.detail = detail

    @classmethod
    def of(cls, row: int, error: ValidationFailed) -> RowRefused:
        """A row's refusal from a validator's ``ValidationFailed`` (``field: detail``)."""
        field = error.field or ""
        prefix = f"{field}: "
        detail = error.message[len(prefix) :] if error.message.startswith(prefix) else error.message
        return cls(row, field, detail)


def import_patients(
    actor: Actor, clinic: Organization, numbers: Iterable[str], action: str
) -> dict[str, Patient]:
    """The patients named in an import, by the record number as written, each in
    ``clinic`` and visible to ``actor``; ``RowRefused`` at the first row naming any other.

    ``numbers`` are the rows' patient cells in row order."""
    found: dict[str, Patient] = {}
    for index, number in enumerate(numbers):
        if number in found:
            continue
        refused = RowRefused(
            index,
            "patient_id",
            f"{number!r} is not the record number of a patient of clinic {clinic.slug}",
        )
        text = number.strip()
        if not text.isdigit():
            raise refused
        try:
            patient = access_patient(actor, int(text), action=action)
        except NotFound:
            raise refused from None
        if patient.organization_id != clinic.pk:
            raise refused
        found[number] = patient
    return found


def importer(slug: str, username: str) -> tuple[Actor, Organization]:
    """The actor (``via="import"``) and clinic of ``tandem import --clinic --by``: the
    username must be an active staff member of that clinic."""
    clinic = Organization.objects.filter(slug=slug).first()
    if clinic is None:
        raise ValidationFailed(f"--clinic: no clinic {slug!r}", "clinic")
    staff = StaffMember.objects.filter(user__username=username, organization=clinic).first()
    if staff is None or not staff.user.is_active:
        raise ValidationFailed(f"--by: no active staff member {username!r} in clinic {slug}", "by")
    return Actor(staff.user, via="import"), clinic
