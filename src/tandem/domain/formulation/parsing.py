"""``parse_case``: JSON (a mapping) -> a valid ``Case``, or ``InvalidCase(path, problem)``.

Three passes, each naming the JSON path of the first problem (ruleset-v1.md s1):
1. the JSON Schema (schemas.py): unknown fields, types, lists of values, date formats;
2. agreements between fields: real calendar dates, ends not before starts, nothing after
   ``assessed_on``, only the last item ongoing, ``last_use`` against an ongoing period,
   items in order, ``days_used_past_30`` against ``last_use``;
3. instrument answers, scored by ``tandem.domain.instruments`` (its ``NotScorable`` and
   ``InvalidOption`` become ``InvalidCase`` at ``$.instruments.<id>``).
A partial date is an interval when a date is checked against another (ruleset-v1.md s2's
onset-order reading, the lead's decision): it is refused only when no day it could mean
fits (after ``assessed_on``: its earliest day is; an end before its start: the end's
latest day is before the start's earliest). The case then keeps s2's midpoints, clamped
into what the case allows (``_taken_as``), and items must follow each other on those
midpoints (s1: "each item starts (midpoint) after the previous one ends (midpoint)").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from tandem.domain.errors import InvalidCase, InvalidInput
from tandem.domain.formulation import case as model
from tandem.domain.formulation.codes import PHARMACOLOGICAL
from tandem.domain.formulation.dates import (
    PartialDate,
    parse_full_date,
    parse_partial_date,
    shown,
    shown_earliest,
    shown_latest,
)
from tandem.domain.formulation.fast_check import Check, compile_check
from tandem.domain.formulation.schemas import CASE_SCHEMA, CASE_SCHEMA_V2
from tandem.domain.instruments import Score, score

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


SCHEMAS = {model.CASE_V1: CASE_SCHEMA, model.CASE_V2: CASE_SCHEMA_V2}


@cache
def _validator(version: str) -> Draft202012Validator:
    """Compiled once, and imported only when a case is invalid (it is slow to import)."""
    from jsonschema import Draft202012Validator

    schema = SCHEMAS[version]
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _fast_check(version: str) -> Check:
    return compile_check(SCHEMAS[version])


def parse_case(data: Mapping[str, Any]) -> model.Case:
    """A valid ``Case`` from its JSON form; raises ``InvalidCase`` naming the JSON path.

    ``tandem.case/1`` is read with v1's defaults (ruleset-v1.md s1), ``tandem.case/2``
    with v2's (ruleset-v2.md s1: absent means unknown) and its consistency checks.
    """
    if not isinstance(data, Mapping):
        raise InvalidCase("$", "a case is a JSON object")
    version = data.get("schema", model.CASE_V1)  # absent: the schema says it is required
    if version not in SCHEMAS:
        raise InvalidCase("$.schema", f"{version} is not {model.CASE_V1} or {model.CASE_V2}")
    if not _fast_check(version)(data):
        from tandem.domain.formulation.schema_errors import first_problem

        validator = _validator(version)  # the full validator only to explain the problem
        raise first_problem(validator.iter_errors(data))
    v2 = version == model.CASE_V2
    assessed_on = parse_full_date(data["assessed_on"], "$.assessed_on")
    stimulant = _stimulant(data["stimulant"], assessed_on, v2)
    episodes = _episodes(data.get("depressive_episodes", []), assessed_on)
    patient = _patient(data.get("patient", {}))
    answers = {name: _answers(given) for name, given in data.get("instruments", {}).items()}
    return model.Case(
        assessed_on=assessed_on,
        stimulant=stimulant,
        patient=patient,
        depressive_episodes=episodes,
        instruments=answers,
        scores=_scores(data.get("instruments", {}), patient, stimulant.substance, v2),
        clinical=_clinical(data.get("clinical", {}), v2),
        program=_program(data.get("program", {})),
        schema=version,
    )


def _patient(data: Mapping[str, Any]) -> model.Patient:
    age = data.get("age")
    return model.Patient(
        age=None if age is None else int(age), sex=data.get("sex"), pregnant=data.get("pregnant")
    )


def _stimulant(data: Mapping[str, Any], assessed_on: date, v2: bool) -> model.Stimulant:
    """The stimulant section; an absent answer is v1's default in case/1, unknown in case/2."""
    base = "$.stimulant.use_periods"
    items = data.get("use_periods", [])
    spans = _timeline(items, "start", base, assessed_on)
    last_use = _last_use(data.get("last_use"), spans, assessed_on)
    spans = _taken_as(spans, assessed_on, ongoing_until=last_use or assessed_on)
    _check_order(spans, "start", base)
    periods = tuple(
        model.UsePeriod(start, end, item.get("pattern", "regular"))
        for (start, end), item in zip(spans, items, strict=True)
    )
    absent: Any = None if v2 else 0
    days = data.get("days_used_past_30", absent)
    days = None if days is None else int(days)
    _check_days_used(days, last_use, assessed_on, v2)
    criteria = data.get("dsm_criteria_past_12_months", None if v2 else [])
    unasked: Any = None if v2 else False
    stimulant = model.Stimulant(
        substance=data["substance"],
        use_periods=periods,
        last_use=last_use,
        days_used_past_30=days,
        dsm_criteria_past_12_months=None
        if criteria is None
        else frozenset(int(c) for c in criteria),
        prescribed_under_supervision=data.get("prescribed_under_supervision", False),
        route=data.get("route", "intranasal"),
        uses_alone=data.get("uses_alone", unasked),
        opioid_co_use=data.get("opioid_co_use", unasked),
        overdose_past_12_months=data.get("overdose_past_12_months", unasked),
        remission=_remission(data.get("remission")),
    )
    if v2:
        _check_remission(stimulant)
    return stimulant


def _remission(data: Mapping[str, Any] | None) -> model.Remission | None:
    if data is None:
        return None
    return model.Remission(data["specifier"], data["severity"])


# Craving (criterion 4) may persist in remission (facts.md s3.1, DSM-5-TR).
CRAVING = 4


def _check_remission(s: model.Stimulant) -> None:
    """ruleset-v2.md s1's consistency checks for ``remission`` (case/2 only)."""
    path = "$.stimulant.remission"
    if s.remission is None:
        return
    if s.days_used_past_30 is not None and s.days_used_past_30 >= 1:
        raise InvalidCase(
            path,
            f"remission disagrees with days_used_past_30 {s.days_used_past_30}: "
            "a person who used in the past 30 days is not in remission",
        )
    criteria = s.dsm_criteria_past_12_months or frozenset()
    counted = criteria - PHARMACOLOGICAL if s.prescribed_under_supervision else criteria
    if s.remission.specifier == "sustained" and counted - {CRAVING}:
        listed = ", ".join(str(c) for c in sorted(counted - {CRAVING}))
        raise InvalidCase(
            path,
            f"sustained remission means no criterion but craving (4) met for 12 months "
            f"or more, but criteria {listed} are met in the past 12 months (facts.md s3.1)",
        )


def _episodes(
    items: Sequence[Mapping[str, Any]], assessed_on: date
) -> tuple[model.DepressiveEpisode, ...]:
    base = "$.depressive_episodes"
    spans = _taken_as(_timeline(items, "onset", base, assessed_on), assessed_on, assessed_on)
    _check_order(spans, "onset", base)
    return tuple(model.DepressiveEpisode(onset, end) for onset, end in spans)


Span = tuple[PartialDate, PartialDate | None]


def check_timeline(
    items: Sequence[Mapping[str, Any]], first: str, base: str, assessed_on: date
) -> None:
    """Check one timeline list on its own (use periods or depressive episodes): each date
    possible, none after ``assessed_on``, one ongoing and last, oldest first without
    overlap. ``InvalidCase`` names the item's path (``base[index].first``). Lets the
    intake check its timeline step before the rest of the case exists."""
    spans = _taken_as(_timeline(items, first, base, assessed_on), assessed_on, assessed_on)
    _check_order(spans, first, base)


def _timeline(
    items: Sequence[Mapping[str, Any]], first: str, base: str, assessed_on: date
) -> list[Span]:
    """Parse a list of (start, end) items: each possible, none after today, one ongoing."""
    spans: list[Span] = []
    for index, item in enumerate(items):
        path = f"{base}[{index}]"
        start = parse_partial_date(item[first], f"{path}.{first}")
        end = None if item["end"] is None else parse_partial_date(item["end"], f"{path}.end")
        if end is not None and end.latest < start.earliest:
            raise InvalidCase(
                f"{path}.end", f"{shown_latest(end)} is before its {first} {shown_earliest(start)}"
            )
        if end is None and index < len(items) - 1:
            raise InvalidCase(f"{path}.end", "only the last item may be ongoing (null)")
        _not_after(start, assessed_on, f"{path}.{first}")
        _not_after(end, assessed_on, f"{path}.end")
        spans.append((start, end))
    return spans


def _not_after(value: PartialDate | None, assessed_on: date, path: str) -> None:
    """Refused only when even the earliest day the date could mean is after today."""
    if value is not None and value.earliest > assessed_on:
        raise InvalidCase(
            f"{path}", f"{shown_earliest(value)} is after assessed_on {assessed_on.isoformat()}"
        )


def _taken_as(spans: list[Span], assessed_on: date, ongoing_until: date) -> list[Span]:
    """s2's midpoints, clamped (the program's choice, docs/clinical/formulation.md).

    No midpoint after ``assessed_on``; an ongoing item's start not after ``ongoing_until``
    (``last_use`` for a use period, when known); an end not before its start's day.
    """
    result: list[Span] = []
    for start, end in spans:
        start = start.clamped(assessed_on if end is not None else ongoing_until)
        result.append((start, None if end is None else end.clamped(assessed_on, start.midpoint)))
    return result


def _check_order(spans: list[Span], first: str, base: str) -> None:
    """ruleset-v1.md s1: each item starts (midpoint) after the previous one ends (midpoint)."""
    for index in range(1, len(spans)):
        start, previous = spans[index][0], cast(PartialDate, spans[index - 1][1])
        if start.midpoint <= previous.midpoint:
            raise InvalidCase(
                f"{base}[{index}].{first}",
                f"{shown(start)} does not come after the previous "
                f"item's end {shown(previous)} (oldest first, no overlap)",
            )


def _last_use(text: str | None, periods: list[Span], assessed_on: date) -> date | None:
    """Not after today; not before the earliest day an ongoing period's start could mean."""
    path = "$.stimulant.last_use"
    if text is None:
        return None
    last_use = parse_full_date(text, path)
    if last_use > assessed_on:
        raise InvalidCase(path, f"{text} is after assessed_on {assessed_on.isoformat()}")
    if periods and periods[-1][1] is None and last_use < periods[-1][0].earliest:
        raise InvalidCase(
            path,
            f"{text} is before the start {shown_earliest(periods[-1][0])} "
            "of the ongoing use period",
        )
    return last_use


def _check_days_used(
    days: int | None, last_use: date | None, assessed_on: date, v2: bool = False
) -> None:
    """ruleset-v1.md s1: 0 when last use is unknown or 30+ days ago, else 1..30-days since.

    case/2 (ruleset-v2.md s1): an unknown count (None) agrees with any ``last_use``, and
    an unknown ``last_use`` with any count (a person may know they used on about 4 of the
    past 30 days without knowing the last day: the program's reading).
    """
    path = "$.stimulant.days_used_past_30"
    if days is None or (v2 and last_use is None):
        return
    if last_use is None or (assessed_on - last_use).days >= 30:
        if days != 0:
            when = "unknown" if last_use is None else f"{last_use.isoformat()}, 30 or more days ago"
            raise InvalidCase(path, f"{days} disagrees with last_use ({when}): it must be 0")
        return
    since = (assessed_on - last_use).days
    if not 1 <= days <= 30 - since:
        raise InvalidCase(
            path,
            f"{days} disagrees with last_use {last_use.isoformat()} ({since} days before "
            f"assessed_on): it must be between 1 and {30 - since}",
        )


def _answers(given: Sequence[int | str | None]) -> tuple[model.Answer, ...]:
    return tuple(None if a is None or a == "-" else int(a) for a in given)


def _scores(
    instruments: Mapping[str, Sequence[int | str | None]],
    patient: model.Patient,
    substance: model.Substance,
    v2: bool,
) -> dict[str, Score]:
    """Score each instrument with the options ruleset-v1.md s1 fixes.

    case/2: the AUDIT-C takes the male cut-off only for ``male`` and the more sensitive
    (female) cut-off otherwise, unknown sex included (ruleset-v2.md s1, program).
    """
    results: dict[str, Score] = {}
    for name, answers in instruments.items():
        path = f"$.instruments.{name}"
        if name == "auditc" and patient.sex is None and not v2:
            raise InvalidCase("$.patient.sex", "required when auditc is given (male or female)")
        auditc_sex = "male" if patient.sex == "male" else "female"
        sex = (auditc_sex if v2 else patient.sex) if name == "auditc" else None
        setting = "amphetamine" if substance == "amphetamine_type" else "cocaine"
        option = setting if name in ("sds", "assist") else None
        given = [int(a) if isinstance(a, int | float) else a for a in answers]
        try:
            results[name] = score(name, given, sex=sex, substance=option)
        except InvalidInput as error:
            message = str(error).removeprefix(f"{name}: ")  # the path already names it
            raise InvalidCase(path, f"{message}") from None
    return results


def _clinical(data: Mapping[str, Any], v2: bool) -> model.Clinical:
    unassessed: Any = None if v2 else False
    return model.Clinical(
        psychosis=data.get("psychosis", unassessed),
        medically_unstable=data.get("medically_unstable", unassessed),
        emotion_dysregulation=data.get("emotion_dysregulation", False),
        functional_impairment=data.get("functional_impairment", "none"),
        recovery_environment=data.get("recovery_environment", "supportive"),
        prior_treatment=tuple(
            model.PriorTreatment(item["level"], item["response"])
            for item in data.get("prior_treatment", [])
        ),
        mdd_severity=data.get("mdd_severity"),
        mania_history=data.get("mania_history"),
        homicidal_ideation=data.get("homicidal_ideation", "none"),
    )


def _program(data: Mapping[str, Any]) -> model.Program:
    return model.Program(
        levels_offered=tuple(data.get("levels_offered", ["iop", "php"])),
        complementary_offered=tuple(data.get("complementary_offered", [])),
    )
