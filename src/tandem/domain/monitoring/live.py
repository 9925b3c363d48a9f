"""The app's alert rules for one new record (ruleset-v2.md s7, "In the app").

The batch rules of ``alerts.py`` and ``suicide.py`` look at a whole day grid. In the app
records arrive one at a time, during the day, and an alert is a stored thing people
acknowledge and resolve; ruleset-v2.md s7 says how a new suicide signal meets the alerts
already stored:

- there is at most one alert per patient, kind and day;
- a signal on a day that already has an alert is added to its evidence and notifies
  its recipients again; a higher score raises that alert's score; when that alert was
  acknowledged or resolved, it is reopened;
- otherwise, while an earlier alert is still open, the signal raises a new alert when
  rule 2 or 3 of ``suicide.py`` says so (a higher score than that alert's, or that alert
  is 7 or more days earlier) and is added to the open alert's evidence when not;
- with no open alert (none yet, or the last was acknowledged or resolved) the signal
  raises a new alert at once.

Pure: the caller (``tandem.services.alerts``) reads the stored alerts and writes the
decision in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from tandem.domain.monitoring.suicide import CSSRS_SCORES, SAFETY_SCORE

# ruleset-v2.md s7 (program): a signal while an alert is open raises a new one when the
# open alert is this many days earlier or more (``AlertSettings.suicide_realert_days``).
REALERT_DAYS: Final = 7
CSSRS_TIER_SCORES: Final = {"low": int(CSSRS_SCORES[1]), "moderate": int(CSSRS_SCORES[2]),
                            "high": int(CSSRS_SCORES[3])}  # fmt: skip
CHECKIN_SAFETY_SCORE: Final = int(SAFETY_SCORE)


@dataclass(frozen=True)
class StoredAlert:
    """What the rule needs of a stored alert of the same patient and kind."""

    alert_id: int
    raised_on: date
    score: int
    state: Literal["open", "acknowledged", "resolved"]


@dataclass(frozen=True)
class Decision:
    """``raise`` a new alert on ``day``; ``add`` the signal to alert ``alert_id`` (and
    reopen it when ``reopen``); ``score`` is the alert's score afterwards."""

    action: Literal["raise", "add"]
    day: date
    score: int
    alert_id: int | None = None
    reopen: bool = False


def phq9_item9_score(item9: int | None) -> int:
    """PHQ-9 item 9's signal: the answer itself (1-3); 0 or unanswered is no signal."""
    return item9 if item9 is not None and item9 > 0 else 0


def suicide_signal(
    on: date,
    score: int,
    same_day: StoredAlert | None,
    open_alert: StoredAlert | None,
    realert_days: int = REALERT_DAYS,
) -> Decision:
    """Where a suicide signal of ``score`` (> 0) on day ``on`` goes.

    ``same_day``: the stored ``suicide_risk`` alert raised on ``on``, if any;
    ``open_alert``: the newest open ``suicide_risk`` alert of the patient, if any.
    """
    if score <= 0:
        raise ValueError("a suicide signal has a score above 0")
    if same_day is not None:
        return Decision(
            "add",
            on,
            max(score, same_day.score),
            same_day.alert_id,
            reopen=same_day.state != "open",
        )
    if open_alert is not None:
        higher = score > open_alert.score
        old = (on - open_alert.raised_on).days >= realert_days
        if not (higher or old):
            return Decision("add", on, open_alert.score, open_alert.alert_id)
    return Decision("raise", on, score)
