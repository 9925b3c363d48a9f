"""The public self-check's decision logic: which pattern fits, how linked, what to say.

Source: /work/shared/clinical/self-check.md ("Questions", "Safety comes before the
result", "The result"). This module only decides; the wording a person reads lives in
the self-check templates and in ``tandem.domain.formulation.explanations``. Nothing is
stored: the caller passes the answers in and shows the result.

The self-check is a screen, not a diagnosis. Its link rule (two signs: likely linked;
one: possibly; none: no clear sign) and its overdose wording levels are the program's
choices written in self-check.md, not a validated instrument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from tandem.domain import instruments
from tandem.domain.errors import InvalidInput

StartedFirst = Literal["low_mood", "stimulant_use", "same_time", "not_sure"]
Frequency = Literal["never", "sometimes", "often", "almost_always"]
MoodWithoutUse = Literal["yes", "no", "no_stretch"]
DaysUsed = Literal["0", "1-3", "4-8", "9-15", "16+"]
Pattern = Literal["depression_first", "use_first", "tangled"]
Link = Literal["likely", "possible", "no_clear_sign"]
OverdoseGuidance = Literal["none", "standard", "strong"]

STARTED_FIRST: tuple[str, ...] = get_args(StartedFirst)
FREQUENCIES: tuple[str, ...] = get_args(Frequency)
MOOD_WITHOUT_USE: tuple[str, ...] = get_args(MoodWithoutUse)
DAYS_USED: tuple[str, ...] = get_args(DaysUsed)

PHQ9_ITEMS = 9
PHQ9_VALUES = (0, 1, 2, 3)  # facts.md s2.1: Not at all 0 ... Nearly every day 3
PHQ9_SUICIDE_ITEM = 9  # facts.md s2.1: any answer >= 1 is a positive safety screen

# self-check.md "Linked?": a sign counts when its answer is "often" or "almost always".
LINK_SIGN_ANSWERS = frozenset({"often", "almost_always"})

# self-check.md "Pattern": low mood first -> depression first; use first -> use first;
# same time or not sure -> tangled.
PATTERN_OF_START: dict[str, Pattern] = {
    "low_mood": "depression_first",
    "stimulant_use": "use_first",
    "same_time": "tangled",
    "not_sure": "tangled",
}


@dataclass(frozen=True)
class OverdoseRisk:
    """Construct 7 of self-check.md: each a yes/no the person marks."""

    ever_overdosed: bool = False
    uses_alone: bool = False
    opioids_or_pills: bool = False  # opioids, or pills not from a pharmacy

    @property
    def any_marked(self) -> bool:
        return self.ever_overdosed or self.uses_alone or self.opioids_or_pills


@dataclass(frozen=True)
class SelfCheckAnswers:
    """The answers to constructs 1-7 of self-check.md, validated on construction."""

    started_first: str
    crash_after_use: str
    use_to_lift_mood: str
    low_mood_without_use: str
    days_used_past_30: str
    phq9: tuple[int, ...]
    overdose: OverdoseRisk = OverdoseRisk()

    def __post_init__(self) -> None:
        _require_choice("started_first", self.started_first, STARTED_FIRST)
        _require_choice("crash_after_use", self.crash_after_use, FREQUENCIES)
        _require_choice("use_to_lift_mood", self.use_to_lift_mood, FREQUENCIES)
        _require_choice("low_mood_without_use", self.low_mood_without_use, MOOD_WITHOUT_USE)
        _require_choice("days_used_past_30", self.days_used_past_30, DAYS_USED)
        validate_phq9(self.phq9)


@dataclass(frozen=True)
class SelfCheckResult:
    """What the result page shows, decided from the answers (self-check.md "The result")."""

    pattern: Pattern
    link_signs: tuple[str, ...]  # names of the signs present, in question order
    link: Link
    persistent_low_mood: bool
    phq9_total: int
    phq9_band: str
    suicide_item_positive: bool
    overdose_guidance: OverdoseGuidance

    @property
    def link_sign_count(self) -> int:
        return len(self.link_signs)

    @property
    def needs_safety_screen(self) -> bool:
        """self-check.md "Safety comes before the result": PHQ-9 item 9 above 0."""
        return self.suicide_item_positive


def _require_choice(field: str, value: object, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise InvalidInput(f"{field}: {value!r} is not one of {', '.join(allowed)}")


def validate_phq9(answers: Sequence[int]) -> None:
    """Nine answers 0-3; the error names the item (a missing item is never guessed)."""
    if len(answers) != PHQ9_ITEMS:
        raise InvalidInput(f"phq9: expected {PHQ9_ITEMS} answers, got {len(answers)}")
    for number, value in enumerate(answers, start=1):
        if isinstance(value, bool) or value not in PHQ9_VALUES:
            raise InvalidInput(f"phq9: item {number}: {value!r} is not one of 0, 1, 2, 3")


def needs_safety_screen(phq9: Sequence[int]) -> bool:
    """True when PHQ-9 item 9 is above 0 (self-check.md; facts.md s2.1)."""
    validate_phq9(phq9)
    return phq9[PHQ9_SUICIDE_ITEM - 1] > 0


def link_signs(crash_after_use: str, use_to_lift_mood: str) -> tuple[str, ...]:
    """The signs of a link present (self-check.md "Linked?"), in question order."""
    signs = (("crash_after_use", crash_after_use), ("use_to_lift_mood", use_to_lift_mood))
    return tuple(name for name, answer in signs if answer in LINK_SIGN_ANSWERS)


def link_of(sign_count: int) -> Link:
    """Two signs: likely linked; one: possibly linked; none: no clear sign."""
    if sign_count >= 2:
        return "likely"
    return "possible" if sign_count == 1 else "no_clear_sign"


def overdose_guidance(days_used_past_30: str, overdose: OverdoseRisk) -> OverdoseGuidance:
    """self-check.md "Overdose": guidance when any use in the past 30 days or any risk
    marked; the stronger wording when any overdose risk was marked."""
    if overdose.any_marked:
        return "strong"
    return "standard" if days_used_past_30 != "0" else "none"


def assess(answers: SelfCheckAnswers) -> SelfCheckResult:
    """Decide the self-check result from validated answers (self-check.md)."""
    signs = link_signs(answers.crash_after_use, answers.use_to_lift_mood)
    phq9 = instruments.score("phq9", list(answers.phq9))  # bands: facts.md s2.1
    return SelfCheckResult(
        pattern=PATTERN_OF_START[answers.started_first],
        link_signs=signs,
        link=link_of(len(signs)),
        # "If low mood stayed through a month without use": only the answer "yes".
        persistent_low_mood=answers.low_mood_without_use == "yes",
        phq9_total=sum(answers.phq9),
        phq9_band=str(phq9.band),
        suicide_item_positive="suicide_item_positive" in phq9.flags,
        overdose_guidance=overdose_guidance(answers.days_used_past_30, answers.overdose),
    )


def answers_from_mapping(data: Mapping[str, object]) -> SelfCheckAnswers:
    """Build answers from a plain mapping (the signed hidden state of the web form).

    Unknown or missing keys are errors naming the key; nothing is defaulted.
    """
    keys = {
        "started_first", "crash_after_use", "use_to_lift_mood", "low_mood_without_use",
        "days_used_past_30", "phq9", "ever_overdosed", "uses_alone", "opioids_or_pills",
    }  # fmt: skip
    missing = sorted(keys - set(data))
    if missing:
        raise InvalidInput(f"{missing[0]}: missing")
    unknown = sorted(set(data) - keys)
    if unknown:
        raise InvalidInput(f"{unknown[0]}: unknown field")
    phq9 = data["phq9"]
    if not isinstance(phq9, list | tuple):
        raise InvalidInput("phq9: expected a list of 9 answers")
    flags = {k: data[k] for k in ("ever_overdosed", "uses_alone", "opioids_or_pills")}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise InvalidInput(f"{key}: expected true or false")
    return SelfCheckAnswers(
        started_first=str(data["started_first"]),
        crash_after_use=str(data["crash_after_use"]),
        use_to_lift_mood=str(data["use_to_lift_mood"]),
        low_mood_without_use=str(data["low_mood_without_use"]),
        days_used_past_30=str(data["days_used_past_30"]),
        phq9=tuple(phq9),
        overdose=OverdoseRisk(**{k: bool(v) for k, v in flags.items()}),
    )
