"""``parse_case``: JSON (a mapping) -> a valid ``Case``, or ``InvalidCase("$.path: message")``.

Three passes, each naming the JSON path of the first problem (ruleset-v1.md s1):
1. the JSON Schema (schemas.py): unknown fields, types, lists of values, date formats;
2. agreements between fields: real calendar dates, ends not before starts, nothing after
   ``assessed_on``, periods in order with only the last one ongoing, ``last_use`` against
   an ongoing period, ``days_used_past_30`` against ``last_use``;
3. instrument answers, scored by ``tandem.domain.instruments`` (its ``NotScorable`` and
   ``InvalidOption`` become ``InvalidCase`` at ``$.instruments.<id>``).
Midpoints of partial dates are used for every comparison (ruleset-v1.md s2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from tandem.domain.errors import InvalidCase, InvalidInput
from tandem.domain.formulation import case as model
from tandem.domain.formulation.dates import (
    PartialDate,
    parse_full_date,
    parse_partial_date,
    shown,
)
from tandem.domain.formulation.fast_check import Check, compile_check
from tandem.domain.formulation.schemas import CASE_SCHEMA
from tandem.domain.instruments import Score, score

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


@cache
def _validator() -> Draft202012Validator:
    """Compiled once, and imported only when a case is invalid (it is slow to import)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(CASE_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _fast_check() -> Check:
    return compile_check(CASE_SCHEMA)


def parse_case(data: Mapping[str, Any]) -> model.Case:
    """A valid ``Case`` from its JSON form; raises ``InvalidCase`` naming the JSON path."""
    if not isinstance(data, Mapping):
        raise InvalidCase("$: a case is a JSON object")
    if not _fast_check()(data):
        from tandem.domain.formulation.schema_errors import first_problem

        validator = _validator()  # the full validator only to explain the problem
        raise InvalidCase(first_problem(validator.iter_errors(data)) or "$: invalid case")
    assessed_on = parse_full_date(data["assessed_on"], "$.assessed_on")
    stimulant = _stimulant(data["stimulant"], assessed_on)
    episodes = _episodes(data.get("depressive_episodes", []), assessed_on)
    patient = _patient(data.get("patient", {}))
    answers = {name: _answers(given) for name, given in data.get("instruments", {}).items()}
    return model.Case(
        assessed_on=assessed_on,
        stimulant=stimulant,
        patient=patient,
        depressive_episodes=episodes,
        instruments=answers,
        scores=_scores(data.get("instruments", {}), patient, stimulant.substance),
        clinical=_clinical(data.get("clinical", {})),
        program=_program(data.get("program", {})),
    )


def _patient(data: Mapping[str, Any]) -> model.Patient:
    age = data.get("age")
    return model.Patient(age=None if age is None else int(age), sex=data.get("sex"))


def _stimulant(data: Mapping[str, Any], assessed_on: date) -> model.Stimulant:
    base = "$.stimulant"
    periods = tuple(
        model.UsePeriod(start, end)
        for start, end in _timeline(data.get("use_periods", []), "start", base + ".use_periods")
    )
    _check_in_past([(p.start, p.end) for p in periods], "start", base + ".use_periods", assessed_on)
    last_use = _last_use(data.get("last_use"), periods, assessed_on)
    days = int(data.get("days_used_past_30", 0))
    _check_days_used(days, last_use, assessed_on)
    return model.Stimulant(
        substance=data["substance"],
        use_periods=periods,
        last_use=last_use,
        days_used_past_30=days,
        dsm_criteria_past_12_months=frozenset(
            int(c) for c in data.get("dsm_criteria_past_12_months", [])
        ),
        prescribed_under_supervision=data.get("prescribed_under_supervision", False),
        route=data.get("route", "intranasal"),
        uses_alone=data.get("uses_alone", False),
        opioid_co_use=data.get("opioid_co_use", False),
        overdose_past_12_months=data.get("overdose_past_12_months", False),
    )


def _episodes(
    items: Sequence[Mapping[str, Any]], assessed_on: date
) -> tuple[model.DepressiveEpisode, ...]:
    base = "$.depressive_episodes"
    spans = _timeline(items, "onset", base)
    _check_in_past(spans, "onset", base, assessed_on)
    return tuple(model.DepressiveEpisode(onset, end) for onset, end in spans)


Span = tuple[PartialDate, PartialDate | None]


def _timeline(items: Sequence[Mapping[str, Any]], first: str, base: str) -> list[Span]:
    """Parse a list of (start, end) items: ends not before starts, in order, one ongoing."""
    spans: list[Span] = []
    for index, item in enumerate(items):
        path = f"{base}[{index}]"
        start = parse_partial_date(item[first], f"{path}.{first}")
        end = None if item["end"] is None else parse_partial_date(item["end"], f"{path}.end")
        if end is not None and end.midpoint < start.midpoint:
            raise InvalidCase(f"{path}.end: {shown(end)} is before its {first} {shown(start)}")
        if end is None and index < len(items) - 1:
            raise InvalidCase(f"{path}.end: only the last item may be ongoing (null)")
        if spans and start.midpoint <= cast(PartialDate, spans[-1][1]).midpoint:
            previous = cast(PartialDate, spans[-1][1])
            raise InvalidCase(
                f"{path}.{first}: {shown(start)} does not come after the previous item's end "
                f"{shown(previous)} (oldest first, no overlap)"
            )
        spans.append((start, end))
    return spans


def _check_in_past(spans: list[Span], first: str, base: str, assessed_on: date) -> None:
    for index, (start, end) in enumerate(spans):
        _not_after(start, assessed_on, f"{base}[{index}].{first}")
        _not_after(end, assessed_on, f"{base}[{index}].end")


def _not_after(value: PartialDate | None, assessed_on: date, path: str) -> None:
    if value is not None and value.midpoint > assessed_on:
        raise InvalidCase(f"{path}: {shown(value)} is after assessed_on {assessed_on.isoformat()}")


def _last_use(
    text: str | None, periods: tuple[model.UsePeriod, ...], assessed_on: date
) -> date | None:
    path = "$.stimulant.last_use"
    if text is None:
        return None
    last_use = parse_full_date(text, path)
    if last_use > assessed_on:
        raise InvalidCase(f"{path}: {text} is after assessed_on {assessed_on.isoformat()}")
    if periods and periods[-1].end is None and last_use < periods[-1].start.midpoint:
        raise InvalidCase(
            f"{path}: {text} is before the start {shown(periods[-1].start)} "
            "of the ongoing use period"
        )
    return last_use


def _check_days_used(days: int, last_use: date | None, assessed_on: date) -> None:
    """ruleset-v1.md s1: 0 when last use is unknown or 30+ days ago, else 1..30-days since."""
    path = "$.stimulant.days_used_past_30"
    if last_use is None or (assessed_on - last_use).days >= 30:
        if days != 0:
            when = "unknown" if last_use is None else f"{last_use.isoformat()}, 30 or more days ago"
            raise InvalidCase(f"{path}: {days} disagrees with last_use ({when}): it must be 0")
        return
    since = (assessed_on - last_use).days
    if not 1 <= days <= 30 - since:
        raise InvalidCase(
            f"{path}: {days} disagrees with last_use {last_use.isoformat()} ({since} days before "
            f"assessed_on): it must be between 1 and {30 - since}"
        )


def _answers(given: Sequence[int | str | None]) -> tuple[model.Answer, ...]:
    return tuple(None if a is None or a == "-" else int(a) for a in given)


def _scores(
    instruments: Mapping[str, Sequence[int | str | None]],
    patient: model.Patient,
    substance: model.Substance,
) -> dict[str, Score]:
    """Score each instrument with the options ruleset-v1.md s1 fixes."""
    results: dict[str, Score] = {}
    for name, answers in instruments.items():
        path = f"$.instruments.{name}"
        if name == "auditc" and patient.sex is None:
            raise InvalidCase("$.patient.sex: required when auditc is given (male or female)")
        sex = patient.sex if name == "auditc" else None
        setting = "amphetamine" if substance == "amphetamine_type" else "cocaine"
        option = setting if name in ("sds", "assist") else None
        given = [int(a) if isinstance(a, int | float) else a for a in answers]
        try:
            results[name] = score(name, given, sex=sex, substance=option)
        except InvalidInput as error:
            message = str(error).removeprefix(f"{name}: ")  # the path already names it
            raise InvalidCase(f"{path}: {message}") from None
    return results


def _clinical(data: Mapping[str, Any]) -> model.Clinical:
    return model.Clinical(
        psychosis=data.get("psychosis", False),
        medically_unstable=data.get("medically_unstable", False),
        emotion_dysregulation=data.get("emotion_dysregulation", False),
        functional_impairment=data.get("functional_impairment", "none"),
        recovery_environment=data.get("recovery_environment", "supportive"),
        prior_treatment=tuple(
            model.PriorTreatment(item["level"], item["response"])
            for item in data.get("prior_treatment", [])
        ),
        mdd_severity=data.get("mdd_severity"),
    )


def _program(data: Mapping[str, Any]) -> model.Program:
    return model.Program(
        levels_offered=tuple(data.get("levels_offered", ["iop", "php"])),
        complementary_offered=tuple(data.get("complementary_offered", [])),
    )
