"""Notices sent outside the app: the optional e-mail that an alert is waiting.

An alert notice carries no health information and no patient: only that something is
waiting in Tandem, and a link to the alerts inbox (42 CFR Part 2; SECURITY.md). It is
off unless ``TANDEM_ALERT_EMAIL`` is true; it goes out after the alert has committed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

from tandem.storage.models import StaffMember

log = logging.getLogger(__name__)

ALERT_SUBJECT = "Tandem: something is waiting for you"
ALERT_BODY = "Please sign in to Tandem to see your alerts:\n\n{link}\n"


def alert_notice_after_commit(alert_id: int, staff_ids: list[int]) -> None:
    """E-mail each recipient with an address a link to their inbox (when enabled)."""
    if not settings.CONFIG.alert_email:
        return
    link = f"{settings.CONFIG.base_url}/alerts"
    addresses = [
        email
        for email in StaffMember.objects.filter(pk__in=staff_ids).values_list(
            "user__email", flat=True
        )
        if email
    ]
    for address in addresses:
        try:
            send_mail(ALERT_SUBJECT, ALERT_BODY.format(link=link), None, [address])
        except OSError:
            # The alert is in the inbox either way; the log names no patient or address.
            log.warning("alert notice for alert %s could not be sent", alert_id)
