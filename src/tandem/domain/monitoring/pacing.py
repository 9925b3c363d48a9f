"""Pacing of contingency-management rewards: ``eligible_per_week`` (ruleset-v2.md s7).

Program weeks count from the patient's first screen of any result (days 0-6 are week
1). In each week only the first N negative days are eligible for a reward; a week the
option does not name has 0 eligible; ``all`` turns pacing off.

The default ``2@1-12,1@13-24`` gives 36 eligible days over 24 weeks, as the California
Recovery Incentives Program's $599 "contingent on 36 stimulant-negative urine tests"
(facts.md s8, s12.3: V). The 2-then-1 split is the program's choice: facts.md s12.3
found only "once or twice a week" in the news and marks the split UNVERIFIED
(arithmetic only; the rules are in BHIN 22-056, not read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from tandem.domain.errors import InvalidOption

# (program) ruleset-v2.md s7; 2 x 12 + 1 x 12 = 36 tests (facts.md s8, s12.3).
PROGRAM_ELIGIBLE_PER_WEEK: Final = "2@1-12,1@13-24"
DAYS_PER_WEEK: Final = 7  # ruleset-v2.md s7: days 0-6 from the first screen are week 1
_FORM: Final = "'all' or N@FIRST-LAST items (weeks from 1) separated by commas, e.g. 2@1-12,1@13-24"
_ITEM: Final = re.compile(r"(\d+)@(\d+)(?:-(\d+))?")


@dataclass(frozen=True)
class WeeklyEligibility:
    """Eligible negative days per program week; ``ranges`` None means pacing is off.

    ``ranges`` holds ``(first_week, last_week, days)``; weeks in no range have 0.
    """

    ranges: tuple[tuple[int, int, int], ...] | None

    def allowed(self, week: int) -> int | None:
        """The eligible days of program ``week`` (1-based); None when unlimited."""
        if self.ranges is None:
            return None
        for first, last, days in self.ranges:
            if first <= week <= last:
                return days
        return 0

    @property
    def text(self) -> str:
        """The option's canonical spelling (``all`` or ``N@FIRST-LAST,...``)."""
        if self.ranges is None:
            return "all"
        return ",".join(
            f"{days}@{first}" if first == last else f"{days}@{first}-{last}"
            for first, last, days in self.ranges
        )


def program_week(day: int) -> int:
    """Program week of day ``day`` counted from the first screen (day 0): days 0-6 are week 1."""
    return day // DAYS_PER_WEEK + 1


def parse_eligible_per_week(text: str, option: str = "eligible_per_week") -> WeeklyEligibility:
    """``all`` or ``N@FIRST-LAST`` (or ``N@WEEK``) items; a week named twice is refused."""
    cleaned = text.strip()
    if cleaned == "all":
        return WeeklyEligibility(None)
    ranges: list[tuple[int, int, int]] = []
    for item in cleaned.split(","):
        match = _ITEM.fullmatch(item.strip())
        if match is None:
            raise InvalidOption(f"{option}: {text!r} must be {_FORM}")
        days, first = int(match[1]), int(match[2])
        last = int(match[3]) if match[3] else first
        if first < 1 or last < first:
            raise InvalidOption(f"{option}: {item.strip()!r}: weeks count from 1, FIRST <= LAST")
        for other_first, other_last, _ in ranges:
            if first <= other_last and other_first <= last:
                week = max(first, other_first)
                raise InvalidOption(f"{option}: week {week} is named twice in {text!r}")
        ranges.append((first, last, days))
    return WeeklyEligibility(tuple(sorted(ranges)))


PROGRAM_PACING: Final = parse_eligible_per_week(PROGRAM_ELIGIBLE_PER_WEEK)
