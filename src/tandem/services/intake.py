"""Intake: instrument administrations, the case document, and formulations.

The case is the tandem.case/2 document (ruleset-v2.md s1: an unanswered question is
unknown, never "no"), filled one section at a time; a case stored before rule set 2 is
read as case/2 too (its forms wrote every answer, so nothing changes meaning). A
formulation runs the real engine on the case and stores its whole output with the
rule-set version (ruleset-v1.md s10); it is never recomputed silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from tandem.domain.monitoring.live import phq9_item9_score
from tandem.services import alerts, engines, monitoring
from tandem.services.access import access_patient, access_record
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import patient_today
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, ValidationFailed
from tandem.services.imports import RowRefused, import_patients
from tandem.services.permissions import require
from tandem.storage.models import (
    FormulationRecord,
    IdempotentRequest,
    InstrumentAdministration,
    Intake,
    Organization,
    Patient,
    Reassessment,
    StaffMember,
)

CASE_SCHEMA = "tandem.case/2"
# Top-level sections of the case (ruleset-v1.md s1) a clinician fills in turn.
SECTIONS = {
    "assessed_on": str,
    "patient": dict,
    "stimulant": dict,
    "depressive_episodes": list,
    "instruments": dict,
    "clinical": dict,
    "program": dict,
}


def current_intake(patient: Patient) -> Intake:
    """The intake of the patient's latest episode (created at registration)."""
    intake = patient.intakes.select_related("episode").order_by("-episode__started_on", "-pk")
    found = intake.first()
    if found is None:
        raise ValidationFailed("the patient has no open intake", "intake")
    return found


def _scoring_options(instrument_id: str, patient: Patient, case: dict[str, Any]) -> dict[str, str]:
    """AUDIT-C takes sex; SDS and ASSIST the substance setting (ruleset-v1.md s1)."""
    if instrument_id == "auditc" and patient.sex in ("male", "female"):
        return {"sex": patient.sex}
    if instrument_id in ("sds", "assist"):
        substance = case.get("stimulant", {}).get("substance")
        return {"substance": "amphetamine" if substance == "amphetamine_type" else "cocaine"}
    return {}


# The earliest date an administration may carry: the program's own sanity bound (no
# record of this service predates it); the latest is the clock's today.
EARLIEST_ADMINISTERED_ON = dt.date(1900, 1, 1)
# An idempotency key is 1-200 printable ASCII characters without spaces (the column
# holds 200); the program's own limit, the same for the web form and the API.
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _clean_administered_on(administered_on: Any, today: dt.date) -> dt.date:
    on = today if administered_on is None else administered_on
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        on = None
    if on is None or not EARLIEST_ADMINISTERED_ON <= on <= today:
        raise ValidationFailed(
            f"administered_on: a date from {EARLIEST_ADMINISTERED_ON} to today ({today})",
            "administered_on",
        )
    return on


def _check_idempotency_key(key: Any) -> None:
    if key is not None and not (isinstance(key, str) and _IDEMPOTENCY_KEY.fullmatch(key)):
        raise ValidationFailed(
            "Idempotency-Key: 1 to 200 printable ASCII characters, no spaces", "Idempotency-Key"
        )


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@audited_failures("administration.record")
def record_administration(
    actor: Actor,
    patient_id: int,
    instrument_id: str,
    answers: list[Any],
    *,
    administered_on: dt.date | None = None,
    idempotency_key: str | None = None,
) -> InstrumentAdministration:
    """Score and store one administration; a retried idempotency key returns the first.

    ``administered_on`` (default today) lies from 1900-01-01 to today; ``idempotency_key``
    (optional) is 1-200 printable ASCII characters: checked here, for the web and the API.
    """
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="administration.record")
    staff = require(actor, "administration.record", patient.pk)
    on = _clean_administered_on(administered_on, patient_today(patient))
    _check_idempotency_key(idempotency_key)
    fingerprint = _fingerprint(patient.pk, instrument_id, answers, on)
    if idempotency_key:
        earlier = _replay(actor, staff.pk, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            record = score_and_store(
                actor, patient, instrument_id, answers, on, recorded_by=staff, source="clinic"
            )
            if idempotency_key:
                IdempotentRequest.objects.create(
                    staff=staff,
                    key=idempotency_key,
                    fingerprint=fingerprint,
                    record_type="administration",
                    record_id=record.pk,
                    created_at=get_clock().now(),
                )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its result.
        earlier = _replay(actor, staff.pk, idempotency_key or "", fingerprint)
        if earlier is None:
            raise
        return earlier
    return record


def score_and_store(
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    answers: list[Any],
    on: dt.date,
    *,
    recorded_by: StaffMember | None,
    source: str,
) -> InstrumentAdministration:
    """Score and store one administration with its audit event, in the caller's
    transaction: the one scoring path for the clinic (``record_administration``) and the
    portal (``services.portal_questionnaires``). The caller has checked access.

    A PHQ-9 with item 9 above 0 is a suicide signal (facts.md s2.1; ruleset-v2.md s7):
    in the same transaction it raises the urgent ``suicide_risk`` alert or is added to
    the open one (``services.alerts.signal``), whoever recorded it. A PHQ-9 is then
    evaluated for the other alerts it can raise (``services.monitoring.after_record``).
    """
    intake = current_intake(patient)
    options = _scoring_options(instrument_id, patient, intake.case)
    result = engines.score_answers(instrument_id, answers, options)
    version = engines.instrument_version(instrument_id)
    record = InstrumentAdministration.objects.create(
        patient=patient,
        episode=intake.episode,
        instrument_id=instrument_id,
        instrument_version=version,
        answers=answers,
        result=result,
        total=result.get("total"),
        band=result.get("band") or "",
        positive=bool(result.get("positive")),
        administered_on=on,
        recorded_by=recorded_by,
        recorded_at=get_clock().now(),
        source=source,
    )
    record_event(
        actor,
        "administration.record",
        patient_id=patient.pk,
        record_type="administration",
        record_id=record.pk,
    )
    if instrument_id == "phq9":
        _item9_signal(actor, patient, record)
    if instrument_id in monitoring.MONITORED_INSTRUMENTS:
        # Issue 11: the other alerts a score can raise (deterioration, ...).
        monitoring.after_record(actor, patient, on)
    return record


def _item9_signal(actor: Actor, patient: Patient, record: InstrumentAdministration) -> None:
    """PHQ-9 item 9's answer, when above 0, as a suicide signal (scored, so valid)."""
    score = phq9_item9_score(int(str(record.answers[8])))
    if score > 0:
        alerts.signal(
            actor,
            patient,
            "suicide_risk",
            alerts.Evidence(
                record.administered_on,
                f"PHQ-9 item 9 answered {score}",
                "questionnaire",
                record.pk,
                score=score,
            ),
        )


def _replay(
    actor: Actor, staff_id: int, key: str, fingerprint: str
) -> InstrumentAdministration | None:
    earlier = IdempotentRequest.objects.filter(staff_id=staff_id, key=key).first()
    if earlier is None:
        return None
    if earlier.fingerprint != fingerprint or earlier.record_type != "administration":
        raise Conflict(
            "Idempotency-Key was already used for a different request", "Idempotency-Key"
        )
    record = InstrumentAdministration.objects.get(pk=earlier.record_id)
    record_event(
        actor,
        "administration.replay",
        patient_id=record.patient_id,
        record_type="administration",
        record_id=record.pk,
    )
    return record


def list_administrations(actor: Actor, patient_id: Any) -> list[InstrumentAdministration]:
    """The patient's administrations, newest first (one audited read)."""
    patient = access_patient(actor, patient_id, action="administration.list")
    return list(patient.administrations.order_by("-administered_on", "-pk"))


def _check_section(section: str, data: Any) -> None:
    if section not in SECTIONS:
        allowed = ", ".join(SECTIONS)
        raise ValidationFailed(f"section: expected one of {allowed}", "section")
    expected = SECTIONS[section]
    if not isinstance(data, expected):
        kind = {str: "a date YYYY-MM-DD", dict: "an object", list: "a list"}[expected]
        raise ValidationFailed(f"$.{section}: expected {kind}", f"$.{section}")


def _parseable(case: dict[str, Any]) -> bool:
    """Whether the case has what the schema requires, so it can be checked whole."""
    return "assessed_on" in case and "substance" in case.get("stimulant", {})


def _check_timelines(case: dict[str, Any], sections: dict[str, Any], today: dt.date) -> None:
    """Before the case is whole, the timeline lists being saved are still checked alone,
    so a bad date is refused on the timeline step, not later on another step."""
    try:
        on = dt.date.fromisoformat(str(case.get("assessed_on")))
    except ValueError:
        on = today  # no assessment date yet: the clinic's today
    periods = sections.get("stimulant", {}).get("use_periods")
    if isinstance(periods, list):
        engines.check_timeline(periods, "start", "$.stimulant.use_periods", on)
    episodes = sections.get("depressive_episodes")
    if isinstance(episodes, list):
        engines.check_timeline(episodes, "onset", "$.depressive_episodes", on)


def _check_assessed_on(sections: dict[str, Any], today: dt.date) -> None:
    """The assessment date is a real date, not after today (the clinic's local date)."""
    if "assessed_on" not in sections:
        return
    try:
        on = dt.date.fromisoformat(str(sections["assessed_on"]))
    except ValueError:
        raise ValidationFailed(
            "$.assessed_on: a date YYYY-MM-DD, today or earlier", "$.assessed_on"
        ) from None
    if on > today:
        raise ValidationFailed(
            f"$.assessed_on: {on.isoformat()} is after today; give today or an earlier date",
            "$.assessed_on",
        )


@audited_failures("intake.update")
def save_intake_step(
    actor: Actor,
    patient_id: int,
    sections: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> Intake:
    """Replace the given sections of the case together: all are saved or none is.

    Every section is checked, then the whole resulting case (once complete enough to
    parse, ruleset-v1.md s1), then the intake's version is compared once and bumped once
    inside one transaction. A stale ``expected_version`` raises Conflict (409).
    """
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="intake.update")
    require(actor, "intake.update", patient.pk)
    if not sections:
        raise ValidationFailed("sections: give at least one section to save", "section")
    for section, data in sections.items():
        _check_section(section, data)
    _check_assessed_on(sections, patient_today(patient))
    with transaction.atomic():
        intake = current_intake(patient)
        if expected_version is not None and intake.version != expected_version:
            raise Conflict(
                f"the intake changed (version {intake.version}, you had {expected_version})",
                "version",
            )
        case = {**intake.case, **sections, "schema": CASE_SCHEMA}
        if _parseable(case):
            engines.check_case(case)
        else:
            _check_timelines(case, sections, patient_today(patient))
        updated = Intake.objects.filter(pk=intake.pk, version=intake.version).update(
            case=case, version=intake.version + 1, updated_at=get_clock().now()
        )
        if updated != 1:
            raise Conflict("the intake changed while saving; reload and retry", "version")
        record_event(
            actor, "intake.update", patient_id=patient.pk, record_type="intake", record_id=intake.pk
        )
    intake.refresh_from_db()
    return intake


def update_intake(
    actor: Actor,
    patient_id: int,
    section: str,
    data: Any,
    *,
    expected_version: int | None = None,
) -> Intake:
    """Replace one section of the case (``save_intake_step`` with one section)."""
    if not isinstance(section, str):
        raise ValidationFailed("section: expected a section name", "section")
    return save_intake_step(actor, patient_id, {section: data}, expected_version=expected_version)


def case_for_formulation(patient: Patient, intake: Intake) -> dict[str, Any]:
    """The stored case plus facts the record already holds (age and sex at assessment,
    the clinic's levels, the latest administration of each instrument in the episode)."""
    case: dict[str, Any] = json.loads(json.dumps(intake.case))
    case["schema"] = CASE_SCHEMA
    assessed = dt.date.fromisoformat(str(case.get("assessed_on", patient_today(patient))))
    case["assessed_on"] = assessed.isoformat()
    born = patient.date_of_birth
    age = assessed.year - born.year - ((assessed.month, assessed.day) < (born.month, born.day))
    person = case.setdefault("patient", {})
    person.setdefault("age", age)
    person.setdefault("sex", patient.sex)
    case.setdefault("program", {}).setdefault(
        "levels_offered", list(patient.organization.levels_offered)
    )
    # Later administrations are refused by formulate_patient (check_no_later_screens).
    latest = patient.administrations.filter(episode=intake.episode, administered_on__lte=assessed)
    answers = case.setdefault("instruments", {})
    for record in latest.order_by("administered_on", "pk"):
        answers[record.instrument_id] = record.answers
    return case


def latest_administration_on(patient: Patient, intake: Intake) -> dt.date | None:
    """The date of the episode's most recent administration, if any."""
    dates = patient.administrations.filter(episode=intake.episode)
    found: dt.date | None = (
        dates.order_by("-administered_on").values_list("administered_on", flat=True).first()
    )
    return found


def check_no_later_screens(patient: Patient, intake: Intake, assessed_on: dt.date) -> None:
    """Refuse to formulate while a questionnaire of the episode is dated after the
    assessment date: the formulation reads the case as of ``assessed_on``, so a later
    PHQ-9 (its item 9, facts.md s2.1) would be silently left out. The clinician moves
    the assessment date (the program's choice; docs/adr/0004-intake-and-plan-rules.md)."""
    latest = latest_administration_on(patient, intake)
    if latest is not None and latest > assessed_on:
        raise ValidationFailed(
            f"$.assessed_on: a questionnaire was recorded on {latest.isoformat()}, after the "
            f"assessment date {assessed_on.isoformat()}; move the assessment date to "
            f"{latest.isoformat()} so the formulation includes it",
            "$.assessed_on",
        )


@audited_failures("formulation.create")
def formulate_patient(actor: Actor, patient_id: int) -> FormulationRecord:
    """Run the formulation engine on the current intake and store its whole output."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="formulation.create")
    staff = require(actor, "formulation.create", patient.pk)
    intake = current_intake(patient)
    case = case_for_formulation(patient, intake)
    check_no_later_screens(patient, intake, dt.date.fromisoformat(case["assessed_on"]))
    output, ruleset_version = engines.formulate_case(case)
    with transaction.atomic():
        record = FormulationRecord.objects.create(
            patient=patient,
            intake=intake,
            case=case,
            output=output,
            ruleset_version=ruleset_version,
            created_at=get_clock().now(),
            created_by=staff,
        )
        record_event(
            actor,
            "formulation.create",
            patient_id=patient.pk,
            record_type="formulation",
            record_id=record.pk,
        )
        end_open_reassessment(actor, patient, record)
    return record


def end_open_reassessment(actor: Actor, patient: Patient, record: FormulationRecord) -> None:
    """Inside ``formulate_patient``'s transaction: a new formulation ends the patient's
    open reassessment (issue 11; ``services.reassessment``), one audit event."""
    found = (
        Reassessment.objects.filter(
            patient=patient, formulation__isnull=True, cancelled_at__isnull=True
        )
        .order_by("-started_at", "-pk")
        .first()
    )
    if found is None:
        return
    Reassessment.objects.filter(pk=found.pk, formulation__isnull=True).update(formulation=record)
    record_event(
        actor,
        "reassessment.formulate",
        patient_id=patient.pk,
        record_type="reassessment",
        record_id=found.pk,
    )


def latest_formulation(actor: Actor, patient_id: Any) -> FormulationRecord | None:
    """The patient's most recent formulation, as stored (one audited read)."""
    patient = access_patient(actor, patient_id, action="formulation.view")
    return patient.formulations.order_by("-created_at", "-pk").first()


def list_formulations(actor: Actor, patient_id: Any) -> list[FormulationRecord]:
    patient = access_patient(actor, patient_id, action="formulation.list")
    return list(patient.formulations.order_by("-created_at", "-pk"))


def get_formulation(actor: Actor, formulation_id: Any) -> FormulationRecord:
    """One stored formulation (audited; NotFound when missing or not visible)."""
    record: FormulationRecord = access_record(
        actor, FormulationRecord, formulation_id, action="formulation.view"
    )
    return record


# ---------------------------------------------------------------- import (issue 11)


@audited_failures("administration.import")
def import_administrations(
    actor: Actor, clinic: Organization, rows: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[InstrumentAdministration]:
    """Bring a clinic's past questionnaires in (``tandem import instruments``): ``rows``
    of (patient record number, ``{"on", "instrument", "answers", "total"}``), all or
    nothing, each scored and stored by ``score_and_store`` (with its signals and alerts).

    ``instrument`` is an instrument id, in any case and with or without ``-``/``_``
    (``PHQ-9``). The answers are required: a total alone is refused, never stored as if
    scored (it cannot be checked); a ``total`` given must equal the score's.
    ``RowRefused`` names the row and field (``answers[3]`` for the fourth item)."""
    actor = as_actor(actor)
    patients = import_patients(actor, clinic, [p for p, _ in rows], "administration.import")
    staff = actor.require_staff()
    for patient in {p.pk: p for p in patients.values()}.values():
        require(actor, "administration.record", patient.pk)
    checked = []
    for index, (number, raw) in enumerate(rows):
        patient = patients[number]
        try:
            checked.append((index, patient, *_clean_imported(raw, patient_today(patient))))
        except ValidationFailed as error:
            raise RowRefused.of(index, error) from None
    checked.sort(key=lambda row: row[4])  # in date order, as they were given
    stored = []
    with transaction.atomic():
        for index, patient, instrument, answers, on, total in checked:
            try:
                record = score_and_store(
                    actor, patient, instrument, answers, on, recorded_by=staff, source="clinic"
                )
            except ValidationFailed as error:
                raise RowRefused.of(index, error) from None
            if total is not None and record.total != total:
                raise RowRefused(index, "total", f"{total} but the answers score {record.total}")
            stored.append(record)
        record_event(
            actor,
            "administration.import",
            record_type="administration",
            record_id=len(stored),
            patient_ids=sorted({p.pk for p in patients.values()}),
        )
    return stored


def _clean_imported(
    raw: Mapping[str, Any], today: dt.date
) -> tuple[str, list[Any], dt.date, int | None]:
    """(instrument id, answers, day, total or None) of one imported row."""
    names = {_plain(i): i for i in engines.instrument_ids()}
    label = str(raw.get("instrument", ""))
    instrument = names.get(_plain(label))
    if instrument is None:
        allowed = ", ".join(engines.instrument_ids())
        raise ValidationFailed(f"instrument: {label!r} is not one of {allowed}", "instrument")
    try:
        on = dt.date.fromisoformat(str(raw.get("on", "")).strip())
    except ValueError:
        on = None
    on = _clean_administered_on(on, today)
    answers = [_answer(a) for a in raw.get("answers", ())]
    while answers and answers[-1] == "":
        answers.pop()
    if not answers:
        raise ValidationFailed(
            "answers: the item answers are required (a total alone cannot be scored)",
            "answers",
        )
    text = str(raw.get("total") or "").strip()
    if text and not text.isdigit():
        raise ValidationFailed(f"total: {text!r} is not a whole number (or empty)", "total")
    return instrument, answers, on, int(text) if text else None


def _plain(label: str) -> str:
    return label.strip().lower().replace("-", "").replace("_", "")


def _answer(cell: Any) -> Any:
    text = str(cell).strip()
    return int(text) if text.isdigit() else text
