"""The clinic's calendar: a patient's "today" is a date in their clinic's time zone.

Stored times stay aware UTC (``clock.now()``); dates a clinic and its patients see and
enter (the assessment date, a questionnaire's date, an episode's start and end, a plan's
review date, later check-ins and due dates) are local dates of the clinic, in its IANA
time zone (``Organization.time_zone``; ``TANDEM_TIME_ZONE`` for a new clinic). An
evening check-in in Arizona therefore lands on the Arizona day, not the UTC one.
Imports no Django at module level (``web.config`` checks zone names with it).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tandem.services.clock import get_clock


@cache
def zone(name: str) -> ZoneInfo:
    """The zone for an IANA name; ``ValueError`` for a name the zone database lacks."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. America/Phoenix)") from None


def check_time_zone(name: str) -> str:
    """The name, if the zone database knows it (``ValueError`` otherwise)."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. America/Phoenix)")
    zone(name)
    return name


def local_date(moment: dt.datetime, time_zone: str) -> dt.date:
    """The calendar date of an aware ``moment`` in ``time_zone``."""
    return moment.astimezone(zone(time_zone)).date()


def clinic_today(organization: Any) -> dt.date:
    """Today in the clinic's time zone (the clock port's now)."""
    return local_date(get_clock().now(), organization.time_zone)


def patient_today(patient: Any) -> dt.date:
    """Today for a patient: the local date of their clinic."""
    return clinic_today(patient.organization)
