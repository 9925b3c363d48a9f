"""Questionnaires in the portal (portal.md "Weekly and monthly questionnaires").

- What is due comes from the signed plan's measures (``services.patient_plan``) and the
  pure due-date rule (``domain.monitoring.questionnaires``: due for 3 days, then missed).
- Only an instrument whose wording may be reproduced and is in the catalogue is answered
  here (``Instrument.self_administrable``: PHQ-9, PHQ-2, GAD-7); the others are asked at
  the clinic. Only in a language we have the wording in: the catalogue's is English, and
  the official Spanish wording is not at hand (facts.md s12.4, UNVERIFIED), so a patient
  whose portal speaks Spanish answers it at the clinic.
- The patient's answers go through the clinic's scoring path
  (``intake.score_and_store``): the same scoring, validation and audit, recorded by
  nobody on the staff (``recorded_by`` empty), ``source`` "portal"; a PHQ-9 item 9 above
  0 raises the suicide alert in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction

from tandem.domain.instruments import REGISTRY, Instrument
from tandem.domain.monitoring.questionnaires import SCHEDULES, DueDate, current, due_dates
from tandem.services import intake
from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures
from tandem.services.calendar import patient_today
from tandem.services.errors import Forbidden, ValidationFailed
from tandem.services.patient_plan import signed_plan
from tandem.storage.models import InstrumentAdministration, Patient, PatientAccount

# The languages the catalogue's item wording is in (facts.md s12.4: the official Spanish
# PHQ-9/GAD-7 wording is not at hand, so not "es").
WORDING_LANGUAGES: Final = ("en",)


@dataclass(frozen=True)
class Questionnaire:
    """One questionnaire of the signed plan and where it stands today."""

    instrument: Instrument
    measure_id: str
    now: DueDate  # the open or latest due date (``current``)
    next_on: dt.date  # the next due date after today
    self_administrable: bool
    missed: int = 0  # due dates of the plan so far that were missed

    @property
    def instrument_id(self) -> str:
        return self.instrument.id


def offered_in(language: str) -> bool:
    """Whether the portal can ask questionnaires in this language at all."""
    return language in WORDING_LANGUAGES


def questionnaires(patient: Patient) -> list[Questionnaire]:
    """The signed plan's questionnaires, in the plan's order (the caller checked access);
    empty without a signed plan."""
    plan = signed_plan(patient)
    if plan is None:
        return []
    today = patient_today(patient)
    found = []
    for measure_id in plan.measure_ids:
        schedule = SCHEDULES.get(measure_id)
        if schedule is None:
            continue
        answered = InstrumentAdministration.objects.filter(
            patient=patient, instrument_id=schedule.instrument_id
        ).values_list("administered_on", flat=True)
        dates = due_dates(plan.signed_on, schedule.every_days, answered, today)
        instrument = REGISTRY[schedule.instrument_id]
        now, next_on = current(dates), dates[-1].due_on
        missed = sum(d.status == "missed" for d in dates)
        found.append(
            Questionnaire(
                instrument, measure_id, now, next_on, instrument.self_administrable, missed
            )
        )
    return found


def _account(actor: Actor, patient: Patient) -> PatientAccount:
    account = PatientAccount.objects.filter(user=actor.user, patient=patient).first()
    if account is None:
        raise Forbidden("only the patient answers their own questionnaires here")
    return account


def answerable(patient: Patient, instrument_id: str, language: str) -> Questionnaire:
    """The questionnaire the patient may answer now, or ``ValidationFailed`` naming why."""
    instrument = REGISTRY.get(instrument_id)
    if instrument is None or not instrument.self_administrable:
        name = instrument.name if instrument else instrument_id
        raise ValidationFailed(
            f"instrument: {name} is not answered in the portal; your clinic asks it at a visit",
            "instrument",
        )
    if not offered_in(language):
        raise ValidationFailed(
            "instrument: this questionnaire is not available in your language here; your "
            "clinic asks it at a visit",
            "instrument",
        )
    for item in questionnaires(patient):
        if item.instrument_id == instrument_id and item.now.status == "due":
            return item
    raise ValidationFailed(
        f"instrument: {instrument.name} is not due now", "instrument"
    )  # fmt: skip


@audited_failures("administration.record")
def record_own(actor: Actor, instrument_id: str, answers: list[Any]) -> InstrumentAdministration:
    """The patient answers a questionnaire that is due (see the module's rules)."""
    actor = as_actor(actor)
    if actor.kind != "patient":
        raise Forbidden("only the patient answers their own questionnaires here")
    patient = access_patient(actor, actor.patient_id, action="administration.record")
    account = _account(actor, patient)
    answerable(patient, instrument_id, account.language)
    with transaction.atomic():
        return intake.score_and_store(
            actor, patient, instrument_id, answers, patient_today(patient),
            recorded_by=None, source="portal",
        )  # fmt: skip
