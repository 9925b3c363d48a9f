"""The patient's optional daily check-in reminder (issue 10): opt in or out, and send.

- **Opt-in** is the patient's own choice (a patient actor): an address and a time of
  day in the clinic's time zone. The moment they opted in is recorded; turning the
  reminder off clears it. The audit event names the account, never the address.
- **Sending** (``send_due_reminders``, the task ``tandem.tasks.send_due_reminders``
  every few minutes): each account whose reminder time has come today (clinic-local),
  after the patient opted in, with none sent today and no check-in today, gets one
  e-mail. The day is claimed in the database before the e-mail goes (a conditional
  update), so two runs, a restart or a second worker never send twice in a day; a
  failed send gives the day back, and the next run tries again.
- **Wording** (``domain.reminders``): neutral, the clinic's sender name and sentence
  (``TANDEM_REMINDER_SENDER`` / ``TANDEM_REMINDER_TEXT``) and the portal's link; no
  name, no word about treatment (42 CFR Part 2).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction

from tandem.domain.reminders import reminder_due, reminder_message
from tandem.services.actors import Actor, as_actor
from tandem.services.audit import record_event
from tandem.services.calendar import zone
from tandem.services.clock import get_clock
from tandem.services.errors import NotFound, ValidationFailed
from tandem.storage.models import CheckIn, PatientAccount

log = logging.getLogger(__name__)
TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def set_reminder(actor: Actor, *, email: Any = "", time: Any = "", on: bool) -> PatientAccount:
    """Turn the patient's own daily reminder on (``email``, ``time`` as HH:MM in the
    clinic's time zone) or off. Refuses a bad address or time, naming the field."""
    actor = as_actor(actor)
    if actor.kind != "patient" or actor.patient_id is None:
        raise NotFound()
    account = PatientAccount.objects.filter(
        patient_id=actor.patient_id, user=actor.user, patient__status="active"
    ).first()
    if account is None:
        raise NotFound()
    if on:
        address, at = _clean_email(email), _clean_time(time)
    with transaction.atomic():
        account = PatientAccount.objects.select_for_update().get(pk=account.pk)
        if on:
            account.reminder_email = address
            account.reminder_time = at
            account.reminder_opted_in_at = get_clock().now()
        else:
            account.reminder_opted_in_at = None
        account.save(update_fields=["reminder_email", "reminder_time", "reminder_opted_in_at"])
        record_event(
            actor,
            "patient.portal.reminder_on" if on else "patient.portal.reminder_off",
            patient_id=account.patient_id,
            record_type="portal_account",
            record_id=account.pk,
        )
    return account


def _clean_email(email: Any) -> str:
    text = str(email or "").strip()
    try:
        if len(text) > 254:
            raise ValidationError("too long")
        validate_email(text)
    except ValidationError:
        raise ValidationFailed("email: an e-mail address, like name@example.org", "email") from None
    return text


def _clean_time(time: Any) -> dt.time:
    match = TIME.match(str(time or "").strip())
    if match is None:
        raise ValidationFailed("time: a time of day as HH:MM, from 00:00 to 23:59", "time")
    return dt.time(int(match.group(1)), int(match.group(2)))


# ---------------------------------------------------------------- sending


def send_due_reminders() -> int:
    """Send every reminder that is due now (see the module's docstring); the number
    sent. Safe to run at any moment and as often as wished."""
    if not settings.TANDEM_EMAIL_ON:
        log.warning("check-in reminders are not sent: TANDEM_EMAIL_URL is not set")
        return 0
    now = get_clock().now()
    sent = 0
    for account in _candidates():
        if account.reminder_time is None or account.reminder_opted_in_at is None:
            continue  # the query leaves none out; this tells the type checker
        local_now = now.astimezone(zone(account.patient.organization.time_zone))
        today = local_now.date()
        due = reminder_due(
            local_now,
            account.reminder_time,
            account.reminder_opted_in_at.astimezone(local_now.tzinfo),
            account.reminder_last_sent_on,
            CheckIn.objects.filter(patient_id=account.patient_id, on=today).exists(),
        )
        if due and _send(account, today):
            sent += 1
    return sent


def _candidates() -> list[PatientAccount]:
    return list(
        PatientAccount.objects.filter(
            reminder_opted_in_at__isnull=False,
            reminder_time__isnull=False,
            user__is_active=True,
            patient__status="active",
        )
        .exclude(reminder_email="")
        .select_related("patient__organization")
        .order_by("pk")
    )


def _send(account: PatientAccount, today: dt.date) -> bool:
    """Claim today for this account, then send; give the day back if sending failed."""
    before = account.reminder_last_sent_on
    claimed = (
        PatientAccount.objects.filter(pk=account.pk, reminder_opted_in_at__isnull=False)
        .exclude(reminder_last_sent_on=today)
        .update(reminder_last_sent_on=today)
    )
    if not claimed:  # another run sent it a moment ago, or the patient turned it off
        return False
    try:
        _reminder_email(account).send()
    except (OSError, smtplib.SMTPException):
        # The log names the account only: never the address or the patient.
        log.warning("check-in reminder for portal account %s could not be sent", account.pk)
        PatientAccount.objects.filter(pk=account.pk, reminder_last_sent_on=today).update(
            reminder_last_sent_on=before
        )
        return False
    record_event(
        Actor(None, via="task"),
        "patient.portal.reminder_sent",
        patient_id=account.patient_id,
        record_type="portal_account",
        record_id=account.pk,
    )
    return True


def _reminder_email(account: PatientAccount) -> EmailMessage:
    config = settings.CONFIG
    message = reminder_message(
        config.reminder_sender, config.reminder_text, f"{config.base_url}/me/"
    )
    _, address = parseaddr(config.email_from)
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=formataddr((config.reminder_sender, address)),
        to=[account.reminder_email],
    )
