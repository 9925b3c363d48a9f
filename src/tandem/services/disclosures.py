"""Part 2 consents, and the one way patient data leaves Tandem: a disclosure (issue 13).

- ``record_consent`` stores a patient's written consent with every element 42 CFR 2.31
  requires, as structured fields (``tandem.domain.consent``); ``revoke_consent`` ends it
  from that moment (revocation is in writing: its reference is required).
- ``disclose`` is the service every export, printed record or integration read must go
  through: it finds a valid, unexpired, unrevoked consent covering the recipient, the
  purpose and the kinds of information, or refuses naming what each consent lacks
  (``NoConsent``, 403); it records the disclosure (date, patient, recipient, purpose,
  what, who) and returns the notice that must accompany it (42 CFR 2.32).
- ``disclose_in_emergency``: a medical emergency (42 CFR 2.51) without consent, only
  with a reason, recorded as such.
- ``accounting``: every disclosure of the patient's records in the last three years
  (42 CFR 2.25), for staff and, once the portal exists, for the patient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tandem.domain.consent import (
    KINDS,
    NOTICE,
    PURPOSES,
    RECIPIENT_KINDS,
    SIGNATURES,
    ConsentTerms,
    DisclosureAsked,
    scope_statement,
    term_problems,
    what_is_lacking,
)
from tandem.services.access import access_patient
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import audited_failures, record_event
from tandem.services.calendar import patient_today
from tandem.services.clock import get_clock
from tandem.services.errors import NotFound, ServiceError, ValidationFailed
from tandem.services.permissions import require
from tandem.services.typed_text import refuse_bad_name, refuse_bad_text
from tandem.storage.models import Consent, Disclosure, Patient

ACCOUNTING_YEARS = 3  # 42 CFR 2.25: disclosures in the prior three years


class NoConsent(ServiceError):
    """No valid consent covers this disclosure; the message says what each one lacks."""

    code = "no_consent"
    status = 403


def terms_of(consent: Consent) -> ConsentTerms:
    revoked = consent.revoked_at.date() if consent.revoked_at else None
    return ConsentTerms(
        recipient_kind=consent.recipient_kind,
        recipient_name=consent.recipient_name,
        purposes=tuple(consent.purposes),
        purpose_other=consent.purpose_other,
        all_records=consent.all_records,
        kinds=tuple(consent.kinds),
        period=consent.period,
        ends_on=consent.ends_on,
        signed_on=consent.signed_on,
        revoked_on=revoked,
    )


def _date(value: Any, field: str) -> dt.date | None:
    """None for no value; a date from a date or a YYYY-MM-DD string; else refused."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationFailed(f"{field}: a date YYYY-MM-DD", field)


def _texts(values: Any, field: str) -> tuple[str, ...]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationFailed(f"{field}: a list of codes", field)
    return tuple(dict.fromkeys(values))


@audited_failures("consent.record")
def record_consent(
    actor: Actor,
    patient_id: Any,
    *,
    recipient_kind: str,
    recipient_name: str = "",
    purposes: list[str],
    purpose_other: str = "",
    all_records: bool = False,
    kinds: list[str] | None = None,
    period: str,
    ends_on: Any = None,
    revocation_how: str,
    signature: str,
    signed_name: str = "",
    scan_reference: str = "",
    signed_on: Any,
) -> Consent:
    """Store a signed consent (every element of 42 CFR 2.31(a)); refuses, naming the
    field, any element missing or out of range."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="consent.record")
    staff = require(actor, "consent.record", patient.pk)
    today = patient_today(patient)
    signed = _date(signed_on, "signed_on")
    if signed is None:
        raise ValidationFailed("signed_on: the date the patient signed, YYYY-MM-DD", "signed_on")
    terms = ConsentTerms(
        recipient_kind=recipient_kind,
        recipient_name=(recipient_name or "").strip(),
        purposes=_texts(purposes, "purposes"),
        purpose_other=(purpose_other or "").strip(),
        all_records=bool(all_records),
        kinds=() if all_records else _texts(kinds or [], "kinds"),
        period=period,
        ends_on=_date(ends_on, "ends_on"),
        signed_on=signed,
    )
    _check_terms(terms, today)
    _check_form(revocation_how, signature, signed_name, scan_reference)
    with transaction.atomic():
        consent = Consent.objects.create(
            patient=patient,
            discloser=patient.organization.name,
            recipient_kind=terms.recipient_kind,
            recipient_name=terms.recipient_name,
            purposes=list(terms.purposes),
            purpose_other=terms.purpose_other,
            all_records=terms.all_records,
            kinds=list(terms.kinds),
            period=terms.period,
            ends_on=terms.ends_on,
            revocation_how=revocation_how.strip(),
            signature=signature,
            signed_name=signed_name.strip(),
            scan_reference=scan_reference.strip(),
            signed_on=terms.signed_on,
            recorded_by=staff,
            recorded_at=get_clock().now(),
        )
        record_event(
            actor,
            "consent.record",
            patient_id=patient.pk,
            record_type="consent",
            record_id=consent.pk,
        )
    return consent


def _check_terms(terms: ConsentTerms, today: dt.date) -> None:
    problems = term_problems(terms, today)
    if problems:
        field, message = problems[0]
        raise ValidationFailed(f"{field}: {message}", field)
    if terms.recipient_name:
        refuse_bad_name(terms.recipient_name, "recipient_name")
    refuse_bad_text(terms.purpose_other, "purpose_other")
    if len(terms.recipient_name) > 200 or len(terms.purpose_other) > 500:
        raise ValidationFailed("recipient_name: at most 200 characters", "recipient_name")


def _check_form(how: str, signature: str, signed_name: str, scan_reference: str) -> None:
    if not (how or "").strip() or len(how) > 500:
        raise ValidationFailed(
            "revocation_how: how the patient may revoke in writing (1 to 500 characters)",
            "revocation_how",
        )
    refuse_bad_text(how, "revocation_how")
    if signature not in SIGNATURES:
        raise ValidationFailed(f"signature: expected one of {', '.join(SIGNATURES)}", "signature")
    if signature == "typed" and not (signed_name or "").strip():
        raise ValidationFailed("signed_name: the name the patient typed to sign", "signed_name")
    if signature == "scanned" and not (scan_reference or "").strip():
        raise ValidationFailed(
            "scan_reference: where the scanned paper form is kept", "scan_reference"
        )
    for value, field in ((signed_name, "signed_name"), (scan_reference, "scan_reference")):
        if len(value or "") > 200:
            raise ValidationFailed(f"{field}: at most 200 characters", field)
    refuse_bad_name((signed_name or "").strip(), "signed_name")
    refuse_bad_text(scan_reference or "", "scan_reference")


def _consent_of(patient: Patient, consent_id: Any) -> Consent:
    wanted = consent_id if isinstance(consent_id, int) else -1
    consent = Consent.objects.filter(pk=wanted, patient=patient).first()
    if consent is None:
        raise NotFound()
    return consent


@audited_failures("consent.revoke")
def revoke_consent(actor: Actor, patient_id: Any, consent_id: Any, *, reference: str) -> Consent:
    """End a consent from now on, on the patient's written revocation (``reference``:
    where that writing is kept). Disclosures made before stay as they were."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="consent.revoke")
    staff = require(actor, "consent.revoke", patient.pk)
    consent = _consent_of(patient, consent_id)
    if not (reference or "").strip() or len(reference) > 200:
        raise ValidationFailed(
            "reference: where the patient's written revocation is kept (1 to 200 characters)",
            "reference",
        )
    refuse_bad_text(reference, "reference")
    now = get_clock().now()
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=staff, revocation_reference=reference.strip()
        )
        if not updated:
            raise ValidationFailed("consent: already revoked", "consent")
        record_event(
            actor,
            "consent.revoke",
            patient_id=patient.pk,
            record_type="consent",
            record_id=consent.pk,
        )
    consent.refresh_from_db()
    return consent


def list_consents(actor: Actor, patient_id: Any) -> list[Consent]:
    """The patient's consents, newest first (an audited read)."""
    patient = access_patient(actor, patient_id, action="consent.view")
    return list(Consent.objects.filter(patient=patient).order_by("-signed_on", "-pk"))


@dataclass(frozen=True)
class DisclosureMade:
    """A recorded disclosure and the notice that must go with the data."""

    disclosure: Disclosure
    notice: str


def _asked(
    patient: Patient, recipient_kind: str, recipient_name: str, purpose: str, kinds: Any
) -> DisclosureAsked:
    if recipient_kind not in RECIPIENT_KINDS:
        raise ValidationFailed(
            f"recipient_kind: expected one of {', '.join(RECIPIENT_KINDS)}", "recipient_kind"
        )
    name = (recipient_name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            "recipient_name: who receives it (1 to 200 characters)", "recipient_name"
        )
    refuse_bad_name(name, "recipient_name")
    if purpose not in PURPOSES:
        raise ValidationFailed(f"purpose: expected one of {', '.join(PURPOSES)}", "purpose")
    chosen = _texts(kinds, "kinds")
    if not chosen or any(kind not in KINDS for kind in chosen):
        raise ValidationFailed(f"kinds: one or more of {', '.join(KINDS)}", "kinds")
    return DisclosureAsked(
        recipient_kind=recipient_kind,
        recipient_name=name,
        purpose=purpose,
        kinds=chosen,
        on=patient_today(patient),
        treatment_ended=patient.status == "discharged",
    )


def _description(description: str) -> str:
    text = (description or "").strip()
    if not text or len(text) > 500:
        raise ValidationFailed(
            "description: what is disclosed (1 to 500 characters)", "description"
        )
    refuse_bad_text(text, "description")
    return text


@audited_failures("disclosure.make")
def disclose(
    actor: Actor,
    patient_id: Any,
    *,
    recipient_kind: str,
    recipient_name: str,
    purpose: str,
    kinds: list[str],
    description: str,
) -> DisclosureMade:
    """Record a disclosure that a valid consent covers and return the notice to attach;
    refuse (``NoConsent``, recorded as denied) when none does, naming what each lacks."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="disclosure.make")
    staff = require(actor, "disclosure.make", patient.pk)
    asked = _asked(patient, recipient_kind, recipient_name, purpose, kinds)
    text = _description(description)
    consent, reasons = _covering(patient, asked)
    if consent is None:
        record_event(
            actor,
            "disclosure.make",
            patient_id=patient.pk,
            record_type="disclosure",
            outcome="denied",
        )
        raise NoConsent("no valid consent covers this disclosure: " + "; ".join(reasons))
    notice = f"{NOTICE}\n{scope_statement(terms_of(consent))}"
    return DisclosureMade(_store(actor, staff, patient, asked, text, notice, consent), notice)


def _covering(patient: Patient, asked: DisclosureAsked) -> tuple[Consent | None, list[str]]:
    reasons: list[str] = []
    for consent in Consent.objects.filter(patient=patient).order_by("-signed_on", "-pk"):
        lacking = what_is_lacking(terms_of(consent), asked)
        if not lacking:
            return consent, []
        reasons.append(f"consent of {consent.signed_on.isoformat()}: {', '.join(lacking)}")
    return None, reasons or ["the patient has no consent on file"]


def _store(
    actor: Actor,
    staff: Any,
    patient: Patient,
    asked: DisclosureAsked,
    text: str,
    notice: str,
    consent: Consent | None,
    reason: str = "",
) -> Disclosure:
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            patient=patient,
            consent=consent,
            emergency=consent is None,
            emergency_reason=reason,
            recipient_kind=asked.recipient_kind,
            recipient_name=asked.recipient_name,
            purpose=asked.purpose,
            kinds=list(asked.kinds),
            description=text,
            notice=notice,
            disclosed_by=staff,
            disclosed_at=get_clock().now(),
        )
        record_event(
            actor,
            "disclosure.emergency" if consent is None else "disclosure.make",
            patient_id=patient.pk,
            record_type="disclosure",
            record_id=disclosure.pk,
        )
    return disclosure


@audited_failures("disclosure.emergency")
def disclose_in_emergency(
    actor: Actor,
    patient_id: Any,
    *,
    recipient_name: str,
    reason: str,
    kinds: list[str],
    description: str,
) -> DisclosureMade:
    """A disclosure to medical personnel in a medical emergency, without consent
    (42 CFR 2.51): only with the emergency described, and recorded as an emergency."""
    actor = as_actor(actor)
    patient = access_patient(actor, patient_id, action="disclosure.emergency")
    staff = require(actor, "disclosure.emergency", patient.pk)
    why = (reason or "").strip()
    if len(why) < 10 or len(why) > 1000:
        raise ValidationFailed(
            "reason: describe the medical emergency (10 to 1000 characters)", "reason"
        )
    refuse_bad_text(why, "reason")
    asked = _asked(patient, "person", recipient_name, "treatment", kinds)
    text = _description(description)
    notice = f"{NOTICE}\nDisclosed without consent in a medical emergency (42 CFR 2.51)."
    made = _store(actor, staff, patient, asked, text, notice, None, why)
    return DisclosureMade(made, notice)


def accounting(actor: Actor, patient_id: Any) -> list[Disclosure]:
    """Every disclosure of the patient's records in the last three years, newest first
    (42 CFR 2.25; an audited read)."""
    patient = access_patient(actor, patient_id, action="disclosure.accounting")
    since = get_clock().now() - dt.timedelta(days=365 * ACCOUNTING_YEARS + 1)
    found = Disclosure.objects.filter(patient=patient, disclosed_at__gte=since)
    related = found.select_related("disclosed_by__user", "consent")
    return list(related.order_by("-disclosed_at", "-pk"))
