"""The intake case: what ``tandem assess`` reads (ruleset-v1.md s1, ruleset-v2.md s1).

Values here are already valid: ``parse_case`` (parsing.py) builds them from JSON and
refuses anything malformed with the JSON path of the problem. ``tandem.case/1`` keeps
v1's defaults (0 days used, no criteria met, "no" for yes/no fields); ``tandem.case/2``
says "unknown" with ``None`` (ruleset-v2.md s1: unknown never means safe): an unknown
``days_used_past_30``, criteria not assessed, an overdose question not asked, psychosis
or medical stability not assessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from tandem.domain.formulation.dates import PartialDate
from tandem.domain.instruments import Score
from tandem.domain.vocabulary import Sex  # one vocabulary (issue 9 item 3)

Substance = Literal["cocaine", "amphetamine_type", "other_stimulant"]
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
Pattern = Literal["regular", "binge"]
PATTERNS: tuple[Pattern, ...] = ("regular", "binge")
RemissionSpecifier = Literal["early", "sustained"]
Homicidal = Literal["none", "ideation", "plan_or_intent"]
HOMICIDAL: tuple[Homicidal, ...] = ("none", "ideation", "plan_or_intent")
CASE_V1 = "tandem.case/1"
CASE_V2 = "tandem.case/2"


@dataclass(frozen=True)
class Patient:
    age: int | None = None
    sex: Sex | None = None
    pregnant: bool | None = None  # case/2 only


@dataclass(frozen=True)
class UsePeriod:
    """A period of use; ``end`` None means ongoing.

    ``pattern`` (ruleset-v2.md s1): ``regular`` (at least weekly) or ``binge`` (episodes at
    least monthly); both are use periods for every rule. case/1 periods are regular.
    """

    start: PartialDate
    end: PartialDate | None
    pattern: Pattern = "regular"


@dataclass(frozen=True)
class Remission:
    """DSM-5-TR remission (facts.md s3.1): the specifier and the disorder's severity when
    it was active (which sets the code, ruleset-v2.md s5)."""

    specifier: RemissionSpecifier
    severity: Literal["mild", "moderate", "severe"]


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
    # None: unknown (case/2); case/1 reads an absent value as 0, [] and False.
    days_used_past_30: int | None = 0
    dsm_criteria_past_12_months: frozenset[int] | None = frozenset()
    prescribed_under_supervision: bool = False
    route: Route = "intranasal"
    uses_alone: bool | None = False
    opioid_co_use: bool | None = False
    overdose_past_12_months: bool | None = False
    remission: Remission | None = None


@dataclass(frozen=True)
class PriorTreatment:
    level: Level
    response: Response


@dataclass(frozen=True)
class Clinical:
    psychosis: bool | None = False  # None: not assessed (case/2)
    medically_unstable: bool | None = False
    emotion_dysregulation: bool = False
    functional_impairment: Impairment = "none"
    recovery_environment: Environment = "supportive"
    prior_treatment: tuple[PriorTreatment, ...] = ()
    mdd_severity: MddSeverity | None = None
    mania_history: bool | None = None  # case/2: a past manic or hypomanic episode
    homicidal_ideation: Homicidal = "none"


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
    schema: str = CASE_V1

    def answer(self, instrument: str, item: int) -> int | None:
        """The answer to ``item`` (1-based) of ``instrument``; None if not given or skipped."""
        answers = self.instruments.get(instrument)
        if answers is None or item > len(answers):
            return None
        return answers[item - 1]
