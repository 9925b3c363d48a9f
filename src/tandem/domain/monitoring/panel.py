"""What a urine drug screen's panel says, analyte by analyte (ruleset-v2.md s7).

A screen row keeps its ``result`` (monitoring.md s1: the stimulant result as entered).
ruleset-v2.md s7 needs more when the laboratory reports a panel:

- contingency management: a screen is stimulant-negative only when every stimulant
  tested is negative and the patient's own stimulant was tested; a negative for another
  drug only is ``invalid`` for CM (other, non-stimulant drugs still never block a reward);
- ``overdose_risk``: a screen positive for fentanyl, or for an opioid the patient is not
  prescribed.

The panel is optional: a screen with no analyte recorded is read exactly as v1 read it
(``result`` is the stimulant result, the patient's own stimulant counted as tested).
The analyte names are the program's vocabulary for a common immunoassay panel (program:
no source in facts.md fixes one); ``opiates`` is the morphine/codeine/heroin class.
``benzodiazepines`` (issue 11 asks for it) is recorded and shown; no rule reads it: it
neither blocks a reward nor raises an alert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

STIMULANT_ANALYTES: Final = ("cocaine", "amphetamine", "methamphetamine")
OPIOID_ANALYTES: Final = ("fentanyl", "opiates", "oxycodone", "methadone", "buprenorphine")
# The opioids a clinic can record as prescribed to a patient: every opioid analyte but
# fentanyl, whose positive always raises overdose_risk (``unexpected_opioids``).
PRESCRIBABLE_OPIOIDS: Final = tuple(a for a in OPIOID_ANALYTES if a != "fentanyl")
OTHER_ANALYTES: Final = ("benzodiazepines",)
ANALYTES: Final = STIMULANT_ANALYTES + OPIOID_ANALYTES + OTHER_ANALYTES
ANALYTE_RESULTS: Final = ("negative", "positive")

# Which analyte shows the patient's own stimulant (case.stimulant.substance). For
# amphetamine-type stimulants either amphetamine analyte counts; for other stimulants
# any stimulant analyte does (program: the panel has no analyte of its own for them).
OWN_STIMULANT: Final[Mapping[str, tuple[str, ...]]] = {
    "cocaine": ("cocaine",),
    "amphetamine_type": ("amphetamine", "methamphetamine"),
    "other_stimulant": STIMULANT_ANALYTES,
}

AnalyteResult = Literal["negative", "positive"]
StimulantReading = Literal["negative", "positive", "invalid"]


@dataclass(frozen=True)
class Panel:
    """The analytes a screen tested and their results; untested analytes are absent."""

    results: Mapping[str, AnalyteResult] = field(default_factory=dict)

    @property
    def recorded(self) -> bool:
        return bool(self.results)

    def positive(self, analyte: str) -> bool:
        return self.results.get(analyte) == "positive"


NO_PANEL: Final = Panel()


def stimulant_reading(result: str, panel: Panel, substance: str = "cocaine") -> str:
    """The screen's result for contingency management (ruleset-v2.md s7).

    Without a panel, ``result`` as entered (v1). With one: ``positive`` if any stimulant
    tested positive; ``negative`` only if every stimulant tested was negative and the
    patient's own stimulant (``OWN_STIMULANT``) was among them; otherwise ``invalid``.
    ``missed`` and ``invalid`` results stay what they are.
    """
    if not panel.recorded or result in ("missed", "invalid"):
        return result
    tested = {a: r for a, r in panel.results.items() if a in STIMULANT_ANALYTES}
    if any(r == "positive" for r in tested.values()):
        return "positive"
    own_tested = any(a in tested for a in OWN_STIMULANT[substance])
    return "negative" if own_tested else "invalid"


def unexpected_opioids(panel: Panel, prescribed: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Opioids positive on the screen that raise ``overdose_risk`` (ruleset-v2.md s7).

    Fentanyl always (facts.md s9: most cocaine-involved overdose deaths also involve an
    opioid, and fentanyl is not a prescription a panel can tell apart); any other opioid
    only when the patient is not prescribed it.
    """
    return tuple(
        a for a in OPIOID_ANALYTES if panel.positive(a) and (a == "fentanyl" or a not in prescribed)
    )
