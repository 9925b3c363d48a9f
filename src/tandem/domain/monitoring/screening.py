"""A drug screen as the clinic records it (issue 11), and what the rules read from it.

The vocabulary of a recorded screen (program: facts.md s8.1 names urine and oral fluid
cut-offs, and point-of-care cups beside laboratory tests; no source fixes a list):

- ``SPECIMENS``: urine, oral fluid;
- ``SCREEN_KINDS``: a point-of-care cup or card, or a laboratory result;
- ``SCREEN_STATUSES``: ``result`` (at least one analyte read), ``missed`` (no specimen)
  or ``invalid`` (a specimen that could not be read: adulterated, dilute, a cup error).

Two rules of ruleset-v2.md s7 are read here, pure (the caller passes every date):

- ``cm_reading``: the screen's result for contingency management; stimulant-negative
  only when every stimulant tested is negative and the patient's own stimulant was
  tested (``panel.stimulant_reading``);
- ``overdose_raises``: a screen positive for fentanyl, or for an opioid the patient is
  not prescribed (``panel.unexpected_opioids``), raises ``overdose_risk`` on its day,
  and again only after ``AlertSettings.overdose_quiet_days`` (14) days without such a
  screen: the batch rule of ``alerts.py`` (a raise on day t needs the condition on t and
  on none of the 14 days before), for one new record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Literal, cast

from tandem.domain.monitoring.panel import Panel, stimulant_reading
from tandem.domain.monitoring.thresholds import AlertSettings

SPECIMENS: Final = ("urine", "oral_fluid")
SCREEN_KINDS: Final = ("point_of_care", "lab")
SCREEN_STATUSES: Final = ("result", "missed", "invalid")
OVERDOSE_QUIET_DAYS: Final = AlertSettings().overdose_quiet_days

CmReading = Literal["negative", "positive", "invalid", "missed"]


def cm_reading(status: str, panel: Panel, substance: str = "cocaine") -> CmReading:
    """The screen's result for contingency management (ruleset-v2.md s7).

    ``missed`` and ``invalid`` screens stay what they are. A ``result`` is read from its
    panel: ``positive`` when any stimulant tested positive; ``negative`` only when every
    stimulant tested was negative and the patient's own stimulant (``substance``, the
    intake's ``stimulant.substance``) was among them; otherwise ``invalid`` (a negative
    for another drug only). A ``result`` with no analyte is a programming error.
    """
    if status in ("missed", "invalid"):
        return cast(CmReading, status)
    if status != "result":
        raise ValueError(f"unknown screen status {status!r}")
    if not panel.recorded:
        raise ValueError("a screen result names at least one analyte")
    # With a panel recorded, stimulant_reading reads the panel, not the result given.
    return cast(CmReading, stimulant_reading("negative", panel, substance))


def overdose_raises(
    on: dt.date, earlier: Iterable[dt.date], quiet_days: int = OVERDOSE_QUIET_DAYS
) -> bool:
    """Whether an ``overdose_risk`` screen on ``on`` raises (or adds to) that day's alert.

    ``earlier``: the days of the patient's other screens that raise ``overdose_risk``
    (fentanyl, or an opioid not prescribed). It raises unless one of them falls on the
    ``quiet_days`` days before ``on``: an episode goes on while such screens keep coming,
    and a new one starts only after ``quiet_days`` days without one (ruleset-v2.md s7).
    A second such screen on the same day goes to that day's alert (one per patient, kind
    and day). Screens after ``on`` (entered late) do not hold it back.
    """
    return not any(0 < (on - day).days <= quiet_days for day in earlier)
