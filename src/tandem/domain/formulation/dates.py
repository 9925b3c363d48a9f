"""Full and partial dates of an intake case (ruleset-v1.md s1, s2).

``assessed_on`` and ``last_use`` are full dates. Starts, ends and onsets of use periods
and depressive episodes may be ``YYYY`` or ``YYYY-MM`` as well. For onset order, and for
checking a case (is a date after ``assessed_on``, an end before its start), a partial
date is the interval of days it could mean; for every other rule it is its midpoint
(``2018`` -> 2018-07-01, ``2018-05`` -> 2018-05-15), as ruleset-v1.md s2 fixes, clamped
into the days the case allows (``clamped``: the program's choice, for dates in the
current month or year; docs/clinical/formulation.md).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date

from tandem.domain.errors import InvalidCase

_FULL = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day; ``text`` is how it was given."""

    text: str
    earliest: date
    latest: date
    taken_as: date | None = None  # set by ``clamped`` when the midpoint is not possible

    @property
    def midpoint(self) -> date:
        """The day used for every rule but onset order (ruleset-v1.md s2), clamped."""
        return self.s2_midpoint if self.taken_as is None else self.taken_as

    @property
    def s2_midpoint(self) -> date:
        """ruleset-v1.md s2: the day itself, 1 July of a year, the 15th of a month."""
        if self.earliest == self.latest:
            return self.earliest
        if self.earliest.month == 1 and self.latest.month == 12:
            return date(self.earliest.year, 7, 1)
        return date(self.earliest.year, self.earliest.month, 15)

    def clamped(self, highest: date, lowest: date | None = None) -> PartialDate:
        """This date with its midpoint moved into ``lowest..highest`` if it lies outside.

        The program's choice (docs/clinical/formulation.md): ``2026-11`` assessed on
        2026-11-02 is taken as 2026-11-02, not the impossible 2026-11-15. Callers pass
        bounds that the interval reaches (the case was checked), so the day stays one the
        partial date could mean.
        """
        day = min(self.s2_midpoint, highest)
        if lowest is not None:
            day = max(day, lowest)
        return self if day == self.s2_midpoint else replace(self, taken_as=day)

    @property
    def precise(self) -> bool:
        return self.earliest == self.latest


def parse_full_date(text: str, path: str) -> date:
    """``YYYY-MM-DD`` as a real calendar day, or ``InvalidCase`` naming ``path``."""
    match = _FULL.fullmatch(text)
    if match is None:
        raise InvalidCase(path, f"{text} is not a valid date (YYYY-MM-DD)")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidCase(path, f"{text} is not a valid date (YYYY-MM-DD)") from None


def parse_partial_date(text: str, path: str) -> PartialDate:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, or ``InvalidCase`` naming ``path``."""
    match = _PARTIAL.fullmatch(text)
    problem = f"{text} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)"
    if match is None:
        raise InvalidCase(path, problem)
    year = int(match[1])
    try:
        if match[2] is None:
            return PartialDate(text, date(year, 1, 1), date(year, 12, 31))
        month = int(match[2])
        if match[3] is None:
            last_day = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return PartialDate(text, date(year, month, 1), date(year, month, last_day))
        day = date(year, month, int(match[3]))
    except ValueError:
        raise InvalidCase(path, problem) from None
    return PartialDate(text, day, day)


def shown(value: PartialDate) -> str:
    """How a partial date reads in a message: ``2018 (taken as 2018-07-01)``."""
    if value.precise:
        return value.text
    return f"{value.text} (taken as {value.midpoint.isoformat()})"


def shown_earliest(value: PartialDate) -> str:
    """A partial date by its first possible day: ``2018 (at the earliest 2018-01-01)``."""
    if value.precise:
        return value.text
    return f"{value.text} (at the earliest {value.earliest.isoformat()})"


def shown_latest(value: PartialDate) -> str:
    """A partial date by its last possible day: ``2018 (at the latest 2018-12-31)``."""
    if value.precise:
        return value.text
    return f"{value.text} (at the latest {value.latest.isoformat()})"
