"""Notices sent outside the app: the optional e-mail that an alert is waiting.

An alert notice carries no health information and no patient: only that something is
waiting in Tandem, and a link to the alerts inbox (42 CFR Part 2; SECURITY.md). It is
off unless ``TANDEM_ALERT_EMAIL`` is true. Once the alert has committed, the notice is
enqueued as a task (``send_alert_notice``, ADR 0007) and sent by ``tandem worker``: a
web request never waits for the mail server. A notice that cannot be sent is not tried
again: the alert is in the inbox either way, and an urgent one still open escalates.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from tandem.storage.models import StaffMember

log = logging.getLogger(__name__)

ALERT_SUBJECT = "Tandem: something is waiting for you"
ALERT_BODY = "Please sign in to Tandem to see your alerts:\n\n{link}\n"


def alert_notice_after_commit(alert_id: int, staff_ids: list[int]) -> None:
    """Enqueue the e-mail to the alert's recipients (when enabled); called on commit."""
    if not settings.CONFIG.alert_email:
        return
    send_alert_notice.enqueue(alert_id, list(staff_ids))


@task()
def send_alert_notice(alert_id: int, staff_ids: list[int]) -> int:
    """E-mail each recipient with an address a link to their inbox; the number sent."""
    link = f"{settings.CONFIG.base_url}/alerts"
    addresses = [
        email
        for email in StaffMember.objects.filter(pk__in=staff_ids).values_list(
            "user__email", flat=True
        )
        if email
    ]
    sent = 0
    for address in addresses:
        try:
            send_mail(ALERT_SUBJECT, ALERT_BODY.format(link=link), None, [address])
            sent += 1
        except (OSError, smtplib.SMTPException):
            # The alert is in the inbox either way; the log names no patient or address.
            log.warning("alert notice for alert %s could not be sent", alert_id)
    return sent
