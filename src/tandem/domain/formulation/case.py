"""The intake case: what ``tandem assess`` reads (ruleset-v1.md s1).

Values here are already valid: ``parse_case`` (parsing.py) builds them from JSON and
refuses anything malformed with the JSON path of the problem. Defaults are the ones
ruleset-v1.md s1 lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from tandem.domain.formulation.dates import PartialDate
from tandem.domain.instruments import Score

Substance = Literal["cocaine", "amphetamine_type", "other_stimulant"]
Sex = Literal["male", "female"]
Route = Literal["intranasal", "smoked", "injected", "oral"]
Impairment = Literal["none", "mild", "moderate", "severe"]
Environment = Literal["supportive", "unsupportive", "unsafe"]
Level = Literal["outpatient", "iop", "php", "residential"]
Response = Literal["none", "partial", "full"]
MddSeverity = Literal["mild", "moderate", "severe", "severe_psychotic"]
Complementary = Literal["neurofeedback", "breathwork", "pemf"]

SUBSTANCES: tuple[Substance, ...] = ("cocaine", "amphetamine_type", "other_stimulant")
ROUTES: tuple[Route, ...] = ("intranasal", "smoked", "injected", "oral")
IMPAIRMENTS: tuple[Impairment, ...] = ("none", "mild", "moderate", "severe")
ENVIRONMENTS: tuple[Environment, ...] = ("supportive", "unsupportive", "unsafe")
LEVELS: tuple[Level, ...] = ("outpatient", "iop", "php", "residential")
RESPONSES: tuple[Response, ...] = ("none", "partial", "full")
MDD_SEVERITIES: tuple[MddSeverity, ...] = ("mild", "moderate", "severe", "severe_psychotic")
COMPLEMENTARY: tuple[Complementary, ...] = ("neurofeedback", "breathwork", "pemf")


@dataclass(frozen=True)
class Patient:
    age: int | None = None
    sex: Sex | None = None


@dataclass(frozen=True)
class UsePeriod:
    """A period of regular (at least weekly) use; ``end`` None means ongoing."""

    start: PartialDate
    end: PartialDate | None


@dataclass(frozen=True)
class DepressiveEpisode:
    """A major depressive episode; ``end`` None means ongoing."""

    onset: PartialDate
    end: PartialDate | None


@dataclass(frozen=True)
class Stimulant:
    substance: Substance
    use_periods: tuple[UsePeriod, ...] = ()
    last_use: date | None = None
    days_used_past_30: int = 0
    dsm_criteria_past_12_months: frozenset[int] = frozenset()
    prescribed_under_supervision: bool = False
    route: Route = "intranasal"
    uses_alone: bool = False
    opioid_co_use: bool = False
    overdose_past_12_months: bool = False


@dataclass(frozen=True)
class PriorTreatment:
    level: Level
    response: Response


@dataclass(frozen=True)
class Clinical:
    psychosis: bool = False
    medically_unstable: bool = False
    emotion_dysregulation: bool = False
    functional_impairment: Impairment = "none"
    recovery_environment: Environment = "supportive"
    prior_treatment: tuple[PriorTreatment, ...] = ()
    mdd_severity: MddSeverity | None = None


@dataclass(frozen=True)
class Program:
    levels_offered: tuple[Level, ...] = ("iop", "php")
    complementary_offered: tuple[Complementary, ...] = ()


Answer = int | None  # None: a question the form's branching skipped ("-")


@dataclass(frozen=True)
class Case:
    """One intake case, valid and complete; ``scores`` holds each instrument's result."""

    assessed_on: date
    stimulant: Stimulant
    patient: Patient = Patient()
    depressive_episodes: tuple[DepressiveEpisode, ...] = ()
    instruments: Mapping[str, tuple[Answer, ...]] = field(default_factory=dict)
    scores: Mapping[str, Score] = field(default_factory=dict)
    clinical: Clinical = Clinical()
    program: Program = Program()

    def answer(self, instrument: str, item: int) -> int | None:
        """The answer to ``item`` (1-based) of ``instrument``; None if not given or skipped."""
        answers = self.instruments.get(instrument)
        if answers is None or item > len(answers):
            return None
        return answers[item - 1]
